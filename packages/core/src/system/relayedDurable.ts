/**
 * A durable channel's stream as a thread or process reaches it: each operation is a
 * request to the system's root (see {@link DurableRelay}), which works the stream.
 * @internal
 * @packageDocumentation
 */
import { nodeV8 } from '../lazyBuiltins.js';
import type { NodeId } from '../wire/ids.js';
import { decode, encode } from '../wire/messageCodec.js';
import type { Runtime } from '../node/Runtime.js';
import type { DurableOpened, WireItem } from '../channel/DurableChannel.js';
import type { DurableRequest } from './DurableRelay.js';

/** How long a host waits for its root beyond a pull's own wait. */
const SLACK_MS = 30_000;
let pulls = 0;

/** Opens `name` through the root `root` of this host's system. @internal */
export async function relayedDurable(runtime: Runtime, root: NodeId, name: string, capacity: number, ackWait: number): Promise<DurableOpened> {
  const ask = (request: DurableRequest, wait = 0): Promise<unknown> =>
    runtime.request(root, (cid) => ({ kind: 'system', dst: root, from: runtime.node, cid, op: 'durable', actor: undefined, name, detail: undefined, data: request, enc: 0 }), {
      timeout: wait + SLACK_MS,
      what: `durable channel '${name}' at the system's root`,
    });
  await ask(['open', name, capacity, ackWait]);
  const later = (request: DurableRequest): void => void ask(request).catch(() => undefined);
  let closed = false;
  return {
    items: {
      encode: (item) => nodeV8().serialize(encode(item, runtime)),
      decode(bytes) {
        const item = nodeV8().deserialize(bytes) as WireItem;
        return decode(item.value, item.enc, runtime);
      },
    },
    store: {
      publish: async (bytes, id) => (await ask(['publish', name, bytes, id])) as 'ok' | 'full' | 'closed',
      async fetch(max, expires, onMessage, signal) {
        const id = ++pulls;
        const stop = (): void => later(['unpull', id]);
        signal.addEventListener('abort', stop, { once: true });
        try {
          const pulled = (await ask(['pull', name, max, expires, id], expires)) as Array<[number, Uint8Array]>;
          for (const [key, bytes] of pulled) onMessage({ bytes, ack: () => later(['ack', [key]]), confirm: async () => void (await ask(['ack', [key], true])), nak: () => later(['nak', [key]]) });
        } finally {
          signal.removeEventListener('abort', stop);
        }
      },
      counts: async () => (await ask(['counts', name])) as { waiting: number; unacked: number },
      closed: async () => closed || (closed = (await ask(['closed', name])) === true),
      close: async () => void (await ask(['close', name])),
      // No limit of its own: it waits as long as the root's connection is down (and fails with the root).
      reachable: async () => void (await ask(['reachable', name], Number.POSITIVE_INFINITY)),
    },
  };
}
