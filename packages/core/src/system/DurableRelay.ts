/**
 * Durable channels for a system's threads and processes: they have no NATS connection of
 * their own, so their handles ask the root, which works the stream for them over the
 * system's cluster connection. Items cross between the root and its hosts in wire form
 * (v8 bytes of the value with its refs and channels encoded: this machine's own bytes), and
 * as MessagePack between the root and the server.
 * @internal
 * @packageDocumentation
 */
import { nodeV8 } from '../lazyBuiltins.js';
import { MultitaskError } from '../errors.js';
import type { NodeId } from '../wire/ids.js';
import type { DurableMessage } from '../transport/durableStreams.js';
import type { DurableOpened, WireItem } from '../channel/DurableChannel.js';

/** A request of a host's durable handle, as `data` of a `system` envelope with op `durable`. @internal */
export type DurableRequest =
  | readonly ['open', string, number, number]
  | readonly ['publish', string, Uint8Array, string]
  | readonly ['pull', string, number, number, number]
  | readonly ['unpull', number]
  /** With `true`, the last is confirmed by the server before the answer. */
  | readonly ['ack', readonly number[], boolean?]
  | readonly ['nak', readonly number[]]
  | readonly ['counts' | 'closed' | 'close' | 'reachable', string];

/** What a host took from one channel: its items by id, and its pulls under way. */
interface HostHeld {
  readonly messages: Map<number, DurableMessage>;
  readonly pulls: Map<number, AbortController>;
}

/** The root's side: the streams its hosts use, and the items they took and have not acknowledged. @internal */
export class DurableRelay {
  readonly #open: (name: string, capacity: number, ackWait: number) => Promise<DurableOpened>;
  readonly #opened = new Map<string, Promise<DurableOpened>>();
  /** Taken items and pulls by the host that took them. */
  readonly #held = new Map<NodeId, HostHeld>();
  #seq = 0;

  constructor(open: (name: string, capacity: number, ackWait: number) => Promise<DurableOpened>) {
    this.#open = open;
  }

  /** Serves one request of the host `from`. */
  async handle(from: NodeId, request: DurableRequest): Promise<unknown> {
    switch (request[0]) {
      case 'open': {
        // Every open is checked against the channel as the system opened it (another capacity or ackWait is refused).
        const [, name, capacity, ackWait] = request;
        const opened = this.#open(name, capacity, ackWait);
        await opened;
        this.#opened.set(name, opened);
        return true;
      }
      case 'publish': {
        const open = await this.#of(request[1]);
        return open.store.publish(frames(open).pack(nodeV8().deserialize(request[2]) as WireItem), request[3]);
      }
      case 'pull':
        return this.#pull(from, request[1], request[2], request[3], request[4]);
      case 'unpull':
        return void this.#held.get(from)?.pulls.get(request[1])?.abort();
      case 'ack':
        return this.#ack(from, request[1], request[2] === true);
      case 'nak':
        for (const message of this.#take(from, request[1])) message.nak();
        return undefined;
      case 'counts':
        return (await this.#of(request[1])).store.counts();
      case 'closed':
        return (await this.#of(request[1])).store.closed();
      case 'close':
        return (await this.#of(request[1])).store.close();
      case 'reachable':
        return (await this.#of(request[1])).store.reachable();
    }
  }

  /** A host is gone: its pulls end, and what it took and had not acknowledged is delivered again now, not after ackWait. */
  nodeGone(node: NodeId): void {
    const held = this.#held.get(node);
    this.#held.delete(node);
    for (const pull of held?.pulls.values() ?? []) pull.abort();
    for (const message of held?.messages.values() ?? []) message.nak();
  }

  #heldBy(from: NodeId): HostHeld {
    let held = this.#held.get(from);
    if (held === undefined) this.#held.set(from, (held = { messages: new Map(), pulls: new Map() }));
    return held;
  }

  /** The messages `ids` of host `from`, forgotten here. */
  #take(from: NodeId, ids: readonly number[]): DurableMessage[] {
    const held = this.#held.get(from);
    const taken: DurableMessage[] = [];
    for (const id of ids) {
      const message = held?.messages.get(id);
      held?.messages.delete(id);
      if (message !== undefined) taken.push(message);
    }
    return taken;
  }

  async #ack(from: NodeId, ids: readonly number[], confirm: boolean): Promise<void> {
    const messages = this.#take(from, ids);
    const last = confirm ? messages.pop() : undefined;
    for (const message of messages) message.ack();
    await last?.confirm();
  }

  async #pull(from: NodeId, name: string, max: number, expires: number, pullId: number): Promise<Array<[number, Uint8Array]>> {
    const pulled: Array<[number, Uint8Array]> = [];
    const held = this.#heldBy(from);
    const pull = new AbortController();
    held.pulls.set(pullId, pull); // before any wait: its end may come in the same frame
    try {
      const open = await this.#of(name);
      await open.store.fetch(
        max,
        expires,
        (message) => {
          // One that arrives after its host is gone goes back at once.
          if (this.#held.get(from) !== held) return message.nak();
          const id = ++this.#seq;
          held.messages.set(id, message);
          try {
            pulled.push([id, nodeV8().serialize(frames(open).unpack(message.bytes))]);
          } catch {
            held.messages.delete(id);
            message.ack(); // bytes nobody can read would come back for ever
          }
        },
        pull.signal,
      );
    } finally {
      held.pulls.delete(pullId);
    }
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
