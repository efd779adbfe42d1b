import type { MessagePort, ResourceLimits } from 'node:worker_threads';
import { workerThreads } from '../lazyBuiltins.js';
import { bootUrl } from './bootUrl.js';
import type { Frame } from '../wire/frames.js';
import type { Endpoint, Host, HostExit, HostStart, Transferable } from './Endpoint.js';

/**
 * An endpoint over a `MessagePort`. Each frame is its own event, so the handlers of one
 * frame run (and its garbage dies young) before the next frame is read. Draining the port
 * synchronously with `receiveMessageOnPort` was measured and lost: whole bursts landed in
 * mailboxes before any handler ran.
 * @internal
 */
export function portEndpoint(handle: unknown): Endpoint & { readonly drain: () => void } {
  const port = handle as MessagePort;
  const { receiveMessageOnPort } = workerThreads();
  let receive: ((frame: Frame) => void) | undefined;
  return {
    packsRuns: true,
    post(frame, transfer) {
      port.postMessage(frame, transfer as readonly Exclude<Transferable, ArrayBuffer>[] as never);
    },
    onReceive(receiver) {
      receive = receiver;
      port.on('message', receiver);
    },
    close() {
      port.close();
    },
    /** Hands over, now, the frames that arrived and were not read yet. */
    drain() {
      for (let next = receiveMessageOnPort(port); next !== undefined; next = receiveMessageOnPort(port)) receive?.(next.message as Frame);
    },
  };
}

/**
 * A fresh pair of connected ports, one for each of two threads.
 * @internal
 */
export function openPortPair(): { readonly a: MessagePort; readonly b: MessagePort } {
  const { port1, port2 } = new (workerThreads().MessageChannel)();
  return { a: port1, b: port2 };
}

/** Options for a thread host beyond {@link HostStart}. @internal */
export interface ThreadOptions {
  readonly resourceLimits?: ResourceLimits;
}

/**
 * Starts a worker thread running the bootstrap, which imports `start.main`.
 * @internal
 */
export function spawnThread(start: HostStart, options: ThreadOptions = {}): Host {
  const { a, b } = openPortPair();
  const worker = new (workerThreads().Worker)(new URL(bootUrl()), {
    workerData: { main: start.main, data: start.data, port: b },
    transferList: [b],
    // By default a worker inherits the parent's options. Passing them explicitly would make
    // Node refuse the per-process ones (`--max-old-space-size`, `--expose-gc`, ...), which
    // apply to every thread anyway.
    ...(start.execArgv === undefined ? {} : { execArgv: [...start.execArgv] }),
    ...(options.resourceLimits === undefined ? {} : { resourceLimits: options.resourceLimits }),
  });
  let failure: HostExit | undefined;
  let exited: HostExit | undefined;
  const listeners: Array<(exit: HostExit) => void> = [];
  worker.on('error', (error: Error & { code?: string }) => {
    failure = error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? { kind: 'out-of-memory', error } : { kind: 'error', error };
  });
  const endpoint = portEndpoint(a);
  worker.on('exit', (code) => {
    exited = failure ?? { kind: 'exit', code };
    // What the thread posted before it ended (its last frames, flushed as it exited) is
    // handled before its death is: a tell it handled is never also reported lost.
    endpoint.drain();
    a.close();
    for (const listener of listeners) listener(exited);
  });
  return {
    endpoint,
    label: `thread ${worker.threadId}`,
    onExit(listener) {
      if (exited === undefined) listeners.push(listener);
      else listener(exited);
    },
    async kill() {
      if (exited === undefined) await worker.terminate();
    },
  };
}
