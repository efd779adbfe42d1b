import { workerThreads } from '../lazyBuiltins.js';

/**
 * Which OS process and thread this code runs on: what the system's snapshot shows of a host.
 * Here because only `transport/` uses `node:worker_threads`.
 * @internal
 */
export function hostIdentity(): { readonly pid: number; readonly threadId: number } {
  return { pid: process.pid, threadId: workerThreads().threadId };
}
