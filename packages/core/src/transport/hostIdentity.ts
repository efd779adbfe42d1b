import { threadId } from 'node:worker_threads';

/**
 * Which OS process and thread this code runs on: what the system's snapshot shows of a host.
 * Here because only `transport/` imports `node:worker_threads`.
 * @internal
 */
export function hostIdentity(): { readonly pid: number; readonly threadId: number } {
  return { pid: process.pid, threadId };
}
