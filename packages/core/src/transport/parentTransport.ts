import { isMainThread, workerData, type MessagePort } from 'node:worker_threads';
import type { Frame } from '../wire/frames.js';
import type { Endpoint } from './Endpoint.js';
import { portEndpoint } from './threadTransport.js';

/** Which kind of host this code runs in. @internal */
export type HostKind = 'thread' | 'process';

const ignoreSendError = (): void => undefined;

/**
 * The endpoint to this host's parent: the port the parent handed over (threads) or the
 * IPC channel (processes). A process host exits when its parent goes away.
 * @internal
 */
export function connectParent(): { readonly kind: HostKind; readonly endpoint: Endpoint } {
  if (!isMainThread) {
    const { port } = workerData as { port: MessagePort };
    return { kind: 'thread', endpoint: portEndpoint(port) };
  }
  const send = process.send?.bind(process);
  if (send === undefined) throw new Error('multitask host started without a parent channel');
  process.on('disconnect', () => process.exit(0));
  return {
    kind: 'process',
    endpoint: {
      packsRuns: true,
      post(frame) {
        // A parent gone mid-write (EPIPE) is not this host's error: it exits on 'disconnect'.
        if (process.connected) send(frame, undefined, undefined, ignoreSendError);
      },
      onReceive(receiver) {
        process.on('message', (frame) => receiver(frame as Frame));
      },
      close() {
        if (process.connected) process.disconnect();
      },
    },
  };
}
