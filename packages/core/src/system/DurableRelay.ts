/**
 * Durable channels for a system's threads and processes: they have no NATS connection of
 * their own, so their handles ask the root, which works the stream for them over the
 * system's cluster connection. Items cross between the root and its hosts in wire form
 * (v8 bytes of the value with its refs and channels encoded: this machine's own bytes), and
 * as MessagePack between the root and the server.
 * @internal
 * @packageDocumentation
 */
import { deserialize, serialize } from 'node:v8';
import { MultitaskError } from '../errors.js';
import type { NodeId } from '../wire/ids.js';
import type { DurableMessage } from '../transport/durableStreams.js';
import type { DurableOpened, WireItem } from '../channel/DurableChannel.js';

/** A request of a host's durable handle, as `data` of a `system` envelope with op `durable`. @internal */
export type DurableRequest =
  | readonly ['open', string, number, number]
  | readonly ['publish', string, Uint8Array]
  | readonly ['pull', string, number, number]
  | readonly ['ack' | 'nak', readonly number[]]
  | readonly ['counts' | 'closed' | 'close', string];

/** The root's side: the streams its hosts use, and the items they took and have not acknowledged. @internal */
export class DurableRelay {
  readonly #open: (name: string, capacity: number, ackWait: number) => Promise<DurableOpened>;
  readonly #opened = new Map<string, Promise<DurableOpened>>();
  /** Taken items by the host that took them, by id. */
  readonly #held = new Map<NodeId, Map<number, DurableMessage>>();
  #seq = 0;

  constructor(open: (name: string, capacity: number, ackWait: number) => Promise<DurableOpened>) {
    this.#open = open;
  }

  /** Serves one request of the host `from`. */
  async handle(from: NodeId, request: DurableRequest): Promise<unknown> {
    switch (request[0]) {
      case 'open': {
        const [, name, capacity, ackWait] = request;
        let opened = this.#opened.get(name);
        if (opened === undefined) {
          opened = this.#open(name, capacity, ackWait);
          this.#opened.set(name, opened);
          opened.catch(() => this.#opened.delete(name)); // a later open tries again
        }
        await opened;
        return true;
      }
      case 'publish': {
        const open = await this.#of(request[1]);
        return open.store.publish(frames(open).pack(deserialize(request[2]) as WireItem));
      }
      case 'pull':
        return this.#pull(from, request[1], request[2], request[3]);
      case 'ack':
      case 'nak': {
        const held = this.#held.get(from);
        for (const id of request[1]) {
          const message = held?.get(id);
          held?.delete(id);
          if (request[0] === 'ack') message?.ack();
          else message?.nak();
        }
        return undefined;
      }
      case 'counts':
        return (await this.#of(request[1])).store.counts();
      case 'closed':
        return (await this.#of(request[1])).store.closed();
      case 'close':
        return (await this.#of(request[1])).store.close();
    }
  }

  /** A host is gone: what it took and had not acknowledged is delivered again now, not after ackWait. */
  nodeGone(node: NodeId): void {
    const held = this.#held.get(node);
    this.#held.delete(node);
    for (const message of held?.values() ?? []) message.nak();
  }

  async #pull(from: NodeId, name: string, max: number, expires: number): Promise<Array<[number, Uint8Array]>> {
    const open = await this.#of(name);
    const pulled: Array<[number, Uint8Array]> = [];
    let held = this.#held.get(from);
    if (held === undefined) this.#held.set(from, (held = new Map()));
    const mine = held;
    await open.store.fetch(max, expires, (message) => {
      const id = ++this.#seq;
      mine.set(id, message);
      try {
        pulled.push([id, serialize(frames(open).unpack(message.bytes))]);
      } catch {
        mine.delete(id);
        message.ack(); // bytes nobody can read would come back for ever
      }
    });
    return pulled;
  }

  #of(name: string): Promise<DurableOpened> {
    const opened = this.#opened.get(name);
    if (opened === undefined) return Promise.reject(new MultitaskError('INVALID_ARGUMENT', `durable channel '${name}' was not opened on this system`));
    return opened;
  }
}

function frames(open: DurableOpened): NonNullable<DurableOpened['frames']> {
  if (open.frames === undefined) throw new MultitaskError('INVALID_ARGUMENT', 'this durable channel cannot be relayed');
  return open.frames;
}
