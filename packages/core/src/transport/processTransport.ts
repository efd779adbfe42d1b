import type { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Frame } from '../wire/frames.js';
import { bootUrl } from './bootUrl.js';
import type { Endpoint, Host, HostExit, HostStart } from './Endpoint.js';

/**
 * `node:child_process`, loaded when the first child is forked: it brings `net` and `dgram`
 * with it, ~3 ms of every program's start that most programs (threads only) never use.
 */
const childProcess = (): typeof import('node:child_process') => createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process');

/** How long a child may take to exit after its channel is closed, before SIGKILL. */
const EXIT_GRACE_MS = 2000;
/** How long an exited child's channel may take to deliver its last frames. */
const CHANNEL_CLOSE_MS = 1000;

function childEndpoint(child: ChildProcess): Endpoint {
  return {
    packsRuns: true,
    post(frame) {
      if (child.connected) child.send(frame as Frame);
    },
    onReceive(receiver) {
      child.on('message', (frame) => receiver(frame as Frame));
    },
    close() {
      if (child.connected) child.disconnect();
    },
  };
}

/**
 * Forks a child process running the bootstrap, which imports `start.main`. The child uses
 * the parent's `execArgv` (so loaders such as tsx carry over) and the `advanced`
 * (structured clone) serialization, so messages keep the same shape as between threads.
 * @internal
 */
export function spawnProcess(start: HostStart): Host {
  const child = childProcess().fork(fileURLToPath(bootUrl()), [start.main, JSON.stringify(start.data)], {
    execArgv: [...(start.execArgv ?? process.execArgv)],
    serialization: 'advanced',
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
  });
  let exited: HostExit | undefined;
  let spawnError: Error | undefined;
  const listeners: Array<(exit: HostExit) => void> = [];
  child.on('error', (error) => {
    spawnError = error;
  });
  child.on('exit', (code, signal) => {
    // A signal or exit code says how the child ended; an 'error' event (say EPIPE on a
    // write racing a kill) only explains an exit that has neither.
    const how: HostExit = signal !== null ? { kind: 'signal', signal }
      : code !== null ? { kind: 'exit', code }
      : spawnError !== undefined ? { kind: 'error', error: spawnError }
      : { kind: 'exit', code: 0 };
    const report = (): void => {
      if (exited !== undefined) return;
      exited = how;
      for (const listener of listeners) listener(how);
    };
    // What the child wrote before it ended (its last frames, flushed as it exited) is read
    // before its death is reported: wait for its channel to close (it does once the pipe is
    // drained), but not for long.
    if (!child.connected) return report();
    child.once('disconnect', report);
    setTimeout(report, CHANNEL_CLOSE_MS).unref();
  });
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    endpoint: childEndpoint(child),
    label: `process ${child.pid ?? '?'}`,
    onExit(listener) {
      if (exited === undefined) listeners.push(listener);
      else listener(exited);
    },
    async kill(now = false) {
      if (exited !== undefined) return;
      if (child.connected) child.disconnect();
      if (now) child.kill('SIGKILL');
      const timer = now ? undefined : setTimeout(() => child.kill('SIGKILL'), EXIT_GRACE_MS);
      await gone;
      clearTimeout(timer);
    },
  };
}

