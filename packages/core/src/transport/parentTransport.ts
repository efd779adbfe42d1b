import type { MessagePort } from 'node:worker_threads';
import { workerThreads } from '../lazyBuiltins.js';
import type { Endpoint } from './Endpoint.js';
import { parentPipeEndpoint } from './pipeEndpoint.js';
import { portEndpoint } from './threadTransport.js';

/** Which kind of host this code runs in. @internal */
export type HostKind = 'thread' | 'process';

/**
 * The endpoint to this host's parent: the port the parent handed over (threads) or the
 * frame pipe the parent opened (processes, see `spawnProcess`). A process host exits when
 * its parent goes away: its IPC channel ends.
 * @internal
 */
export function connectParent(): { readonly kind: HostKind; readonly endpoint: Endpoint } {
  const { isMainThread, workerData } = workerThreads();
  if (!isMainThread) {
    const { port } = workerData as { port: MessagePort };
    return { kind: 'thread', endpoint: portEndpoint(port) };
  }
  if (process.send === undefined) throw new Error('multitask host started without a parent channel');
  process.on('disconnect', () => process.exit(0));
  return { kind: 'process', endpoint: parentPipeEndpoint() };
}
