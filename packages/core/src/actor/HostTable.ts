import { MultitaskError } from '../errors.js';
import { serializeError } from '../errorWire.js';
import { MAIN_NODE, type ActorId, type NodeId } from '../ids.js';
import type { Host, HostExit } from '../transport/Endpoint.js';
import { spawnProcess } from '../transport/processTransport.js';
import { openPortPair, spawnThread } from '../transport/threadTransport.js';
import type { ActorRef } from './ActorRef.js';
import type { HostData } from './hostMain.js';
import type { Runtime } from './Runtime.js';

/** Memory limits of a thread placement (see Node's `Worker` `resourceLimits`). */
export interface ThreadLimits {
  /** Heap size for long-lived objects, in MB; past it the thread dies `out-of-memory`. */
  readonly maxOldGenerationSizeMb?: number;
  /** Heap size for new objects, in MB. */
  readonly maxYoungGenerationSizeMb?: number;
  /** Stack size, in MB. */
  readonly stackSizeMb?: number;
}

/**
 * Why an actor stopped: asked to (`stopped`), or its host died (`error`, `exit`, `signal`,
 * `out-of-memory`). The `error` is what pending requests were rejected with.
 */
export type StopReason =
  | {
      /** Stopped on request: `stop(ref)` or `shutdown()`. */
      readonly kind: 'stopped';
    }
  | {
      /** The host crashed with an uncaught error. */
      readonly kind: 'error';
      /** `WORKER_CRASHED`, with the uncaught error as `cause`. */
      readonly error: MultitaskError;
    }
  | {
      /** The host exited (for instance `process.exit(code)` in a handler). */
      readonly kind: 'exit';
      /** The exit code. */
      readonly code: number;
      /** `WORKER_CRASHED`, naming the code. */
      readonly error: MultitaskError;
    }
  | {
      /** The process was killed by a signal. */
      readonly kind: 'signal';
      /** The signal, such as `'SIGKILL'`. */
      readonly signal: string;
      /** `WORKER_CRASHED`, naming the signal. */
      readonly error: MultitaskError;
    }
  | {
      /** The thread ran past its `resourceLimits`. */
      readonly kind: 'out-of-memory';
      /** `WORKER_CRASHED`, with Node's error as `cause`. */
      readonly error: MultitaskError;
    };

/** A thread or process started by the main thread, and the actors it hosts. @internal */
export interface HostRecord {
  readonly node: NodeId;
  readonly kind: 'thread' | 'process';
  readonly host: Host;
  readonly actors: Map<ActorId, ActorRef>;
  stopping: boolean;
  readonly gone: Promise<void>;
}

/** @internal */
export interface HostTableOptions {
  readonly askTimeout: number;
  readonly stopGrace: number;
  readonly execArgv: readonly string[] | undefined;
  readonly onGone: (record: HostRecord, reason: StopReason) => void;
}

const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
const hostMainUrl = new URL(`./hostMain${ext}`, import.meta.url).href;

/**
 * The hosts of a system, kept by its main thread: starts them, hands threads direct ports
 * to each other, stops them, and reports their deaths.
 * @internal
 */
export class HostTable {
  readonly #records = new Map<NodeId, HostRecord>();
  readonly #linked = new Set<string>();
  readonly #runtime: Runtime;
  readonly #options: HostTableOptions;
  #nextNode = 0;

  constructor(runtime: Runtime, options: HostTableOptions) {
    this.#runtime = runtime;
    this.#options = options;
  }

  get(node: NodeId): HostRecord | undefined {
    return this.#records.get(node);
  }

  get nodes(): NodeId[] {
    return [...this.#records.keys()];
  }

  start(kind: 'thread' | 'process', limits: ThreadLimits | undefined): HostRecord {
    const node = ++this.#nextNode as NodeId;
    const data: HostData = { node, askTimeout: this.#options.askTimeout, stopGrace: this.#options.stopGrace };
    const start = { main: hostMainUrl, data, ...(this.#options.execArgv === undefined ? {} : { execArgv: this.#options.execArgv }) };
    const host = kind === 'thread' ? spawnThread(start, limits === undefined ? {} : { resourceLimits: limits }) : spawnProcess(start);
    let done!: () => void;
    const record: HostRecord = { node, kind, host, actors: new Map(), stopping: false, gone: new Promise((resolve) => (done = resolve)) };
    this.#records.set(node, record);
    this.#runtime.attach(node, host.endpoint);
    host.onExit((exit) => {
      this.#exited(record, exit);
      done();
    });
    return record;
  }

  /** Thread `from` wants a route to `peer`: a direct port between two threads, else via the main thread. */
  connect(from: NodeId, peer: NodeId): void {
    const a = this.#records.get(from);
    if (a === undefined) return;
    const b = this.#records.get(peer);
    if (b === undefined) {
      const error = new MultitaskError('ACTOR_STOPPED', `node ${peer} is not running`);
      return this.#runtime.route({ kind: 'down', dst: from, node: peer, error: serializeError(error) });
    }
    if (a.kind !== 'thread' || b.kind !== 'thread') return this.#runtime.route({ kind: 'link', dst: from, peer, port: null });
    const pair = from < peer ? `${from}-${peer}` : `${peer}-${from}`;
    if (this.#linked.has(pair)) return; // both ends already have their port on the way
    this.#linked.add(pair);
    const ports = openPortPair();
    this.#runtime.route({ kind: 'link', dst: from, peer, port: ports.a }, [ports.a]);
    this.#runtime.route({ kind: 'link', dst: peer, peer: from, port: ports.b }, [ports.b]);
  }

  /**
   * Stops every actor of the host (running handlers get the grace, then `onStop` runs),
   * waits for that at most `timeout`, then ends the host.
   */
  async stop(node: NodeId, timeout: number): Promise<void> {
    const record = this.#records.get(node);
    if (record === undefined) return;
    if (!record.stopping) {
      record.stopping = true;
      await this.#runtime
        .request(node, (cid) => ({ kind: 'stop', dst: node, from: MAIN_NODE, cid, to: undefined }), { timeout, what: `stopping ${record.host.label}` })
        .catch(() => undefined);
      await record.host.kill();
    }
    await record.gone;
  }

  #exited(record: HostRecord, exit: HostExit): void {
    this.#records.delete(record.node);
    const reason = record.stopping ? ({ kind: 'stopped' } as const) : crashReason(record.host.label, exit);
    const error = reason.kind === 'stopped' ? new MultitaskError('ACTOR_STOPPED', `${record.host.label} was stopped`) : reason.error;
    this.#runtime.nodeDown(record.node, error);
    for (const other of this.#records.values()) {
      this.#runtime.route({ kind: 'down', dst: other.node, node: record.node, error: serializeError(error) });
    }
    for (const pair of this.#linked) if (pair.split('-').includes(String(record.node))) this.#linked.delete(pair);
    this.#options.onGone(record, reason);
  }
}

function crashReason(label: string, exit: HostExit): Exclude<StopReason, { kind: 'stopped' }> {
  switch (exit.kind) {
    case 'exit':
      return { kind: 'exit', code: exit.code, error: new MultitaskError('WORKER_CRASHED', `${label} exited with code ${exit.code}`) };
    case 'signal':
      return { kind: 'signal', signal: exit.signal, error: new MultitaskError('WORKER_CRASHED', `${label} was killed by ${exit.signal}`) };
    case 'out-of-memory':
      return { kind: 'out-of-memory', error: new MultitaskError('WORKER_CRASHED', `${label} ran out of memory`, { cause: exit.error }) };
    case 'error':
      return { kind: 'error', error: new MultitaskError('WORKER_CRASHED', `${label} crashed: ${exit.error.message}`, { cause: exit.error }) };
  }
}
