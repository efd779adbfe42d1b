import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { nodeChildProcess } from '../lazyBuiltins.js';
import { bootUrl } from './bootUrl.js';
import type { Host, HostExit, HostStart } from './Endpoint.js';
import { childPipeEndpoint, PIPE_FD } from './pipeEndpoint.js';

/** How long a child may take to exit after its channel is closed, before SIGKILL. */
const EXIT_GRACE_MS = 2000;
/** How long an exited child's pipe may take to deliver its last frames. */
const PIPE_CLOSE_MS = 1000;

/** The child's stdio: the parent's own streams, the IPC channel (fd 3) and the frame pipe ({@link PIPE_FD}). */
const STDIO = ['inherit', 'inherit', 'inherit', 'ipc', 'pipe'] as const;

/**
 * Forks a child process running the bootstrap, which imports `start.main`. The child uses
 * the parent's `execArgv` (so loaders such as tsx carry over). Frames travel on a pipe of
 * their own ({@link childPipeEndpoint}); the IPC channel carries nothing, but its end tells the
 * child that its parent is gone (or lets it go).
 * @internal
 */
export function spawnProcess(start: HostStart): Host {
  const child = nodeChildProcess().fork(fileURLToPath(bootUrl()), [start.main, JSON.stringify(start.data)], {
    execArgv: [...(start.execArgv ?? process.execArgv)],
    stdio: [...STDIO],
  });
  const pipe = child.stdio[PIPE_FD] as Socket;
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
    onceDrained(pipe, () => {
      if (exited !== undefined) return;
      exited = how;
      for (const listener of listeners) listener(how);
    });
  });
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    endpoint: childPipeEndpoint(pipe, () => {
      if (child.connected) child.disconnect();
    }),
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

/**
 * Calls `then` once what an exited child wrote before it ended (its last frames, flushed as
 * it exited) has been read: when its pipe ends (it does once drained), or after a while
 * (a grandchild may hold the pipe open), when the pipe is let go unread.
 */
function onceDrained(pipe: Socket, then: () => void): void {
  if (pipe.readableEnded || pipe.destroyed) return then();
  let called = false;
  const done = (): void => {
    if (called) return;
    called = true;
    clearTimeout(timer);
    pipe.destroy();
    then();
  };
  const timer = setTimeout(done, PIPE_CLOSE_MS);
  pipe.once('end', done);
  pipe.once('close', done);
}
