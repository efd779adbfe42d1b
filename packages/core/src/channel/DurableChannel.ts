import { systemClock, type Clock } from '../clock.js';
import { MultitaskError } from '../errors.js';
import { abortError, invalidWaitOptions } from '../limits.js';
import { CHANNEL_TAG, type WireChannel } from '../wire/messageCodec.js';
import type { DurableStore } from '../transport/durableStreams.js';
import { ChannelBase, NOTHING, type Channel, type ChannelSendOptions, type ChannelWaitOptions } from './Channel.js';
import { ChannelClosedError, ChannelFullError } from './errors.js';
import { DurableReceiving, type DurableState } from './DurableReceiving.js';
import { limitOf, persist } from './durableWaits.js';

/**
 * A channel whose items are kept by the cluster's NATS server (JetStream), made by
 * `createChannel({ durable, system })`. Items survive the death of any node, the one that
 * created the channel included, and are delivered at least once: an item this handle
 * received is acknowledged when this handle asks for the next one (or calls {@link
 * DurableChannel.ack}), and delivered again to some consumer if this one dies first.
 *
 * @remarks
 * While the server cannot be reached (it restarts, this node lost it), `send`, `receive`
 * and `for await` wait, and go on once it is back (within their `timeout` and `signal`);
 * `trySend` and `tryReceive` reject with `NODE_DOWN` at once. A close made on any node is
 * heard by every node as it is made: receives that wait end once the channel is drained.
 * @typeParam T - the item type
 *
 * @example
 * ```ts
 * const jobs = createChannel<Job>({ durable: 'jobs', system, capacity: 1_000 });
 * await jobs.send({ id: 1 });
 * const job = await jobs.receive(); // taken: delivered again if this node dies now
 * await handle(job);
 * await jobs.ack(); // done with it (the next receive would acknowledge it too)
 * ```
 */
export interface DurableChannel<in out T> extends Channel<T> {
  /** The channel's name in the cluster. */
  readonly durable: string;
  /**
   * Acknowledges the items this handle received so far, and resolves once the server has
   * counted it: they are gone from the stream for good.
   * @throws (rejects with) {@link MultitaskError} `NODE_DOWN` when the server could not
   *   confirm it (it cannot be reached): the items may be delivered again
   */
  ack(): Promise<void>;
}

/** How a durable channel's items become bytes and back (MessagePack, refs and channels included). @internal */
export interface DurableItems {
  /** @throws {@link MultitaskError} `NOT_SERIALIZABLE` */
  encode(item: unknown): Uint8Array;
  decode(bytes: Uint8Array): unknown;
}

/** An item as the wire knows it: its value with refs and channels in wire form, and whether it has any. @internal */
export interface WireItem {
  readonly value: unknown;
  readonly enc: 0 | 1;
}

/** A durable channel's stream, opened, and its items' codec. @internal */
export interface DurableOpened {
  readonly store: DurableStore;
  readonly items: DurableItems;
  /** The bytes of an item already in wire form, and back (for items from this system's threads and processes). */
  readonly frames?: {
    pack(item: WireItem): Uint8Array;
    unpack(bytes: Uint8Array): WireItem;
  };
}

/** The owner a durable channel's wire form names: none (every node reaches the stream itself). @internal */
export const DURABLE_OWNER = '';
const DURABLE_ID = 'durable:';

/** How often a send to a full channel tries again, at most. */
const RETRY_MS = 50;

/**
 * The name and ackWait in a durable channel's wire form (`durable:<ackWait>:<name>`), or
 * `undefined` for another channel's: a node that receives a handle opens the stream as its
 * creator did, also when it gets there first.
 * @internal
 */
export function durableOf(wire: WireChannel): { readonly name: string; readonly ackWait: number } | undefined {
  const id = wire[CHANNEL_TAG];
  if (wire.owner !== DURABLE_OWNER || !id.startsWith(DURABLE_ID)) return undefined;
  const rest = id.slice(DURABLE_ID.length);
  const colon = rest.indexOf(':');
  const ackWait = Number(rest.slice(0, colon));
  return colon > 0 && ackWait > 0 ? { name: rest.slice(colon + 1), ackWait } : undefined;
}

/**
 * A handle of a durable channel on one node. Its sends and receives that wait go on across
 * the times the NATS server cannot be reached (within their own limits); those that cannot
 * wait reject with `NODE_DOWN` at once.
 * @internal
 */
export class DurableHandle<T> extends ChannelBase<T> implements DurableChannel<T> {
  readonly core = undefined;
  readonly durable: string;
  readonly capacity: number;
  readonly #ackWait: number;
  readonly #store: Promise<DurableStore>;
  readonly #opened: Promise<DurableOpened>;
  /** Known once the stream is open. */
  #open: DurableOpened | undefined;
  readonly #clock: Clock;
  readonly #state: DurableState = { closed: false, down: undefined, size: 0 };
  readonly #receiving: DurableReceiving;
  /** Sends are stored under `<this>.<n>`: a send tried again after its answer was lost is stored once. */
  readonly #sender = globalThis.crypto.randomUUID(); // the Web Crypto global: node:crypto loads only when a durable channel is made
  #sends = 0;

  constructor(name: string, capacity: number, ackWait: number, opened: Promise<DurableOpened>, clock: Clock = systemClock) {
    super();
    this.durable = name;
    this.capacity = capacity;
    this.#ackWait = ackWait;
    this.#opened = opened;
    this.#store = opened.then((open) => {
      this.#open = open;
      return open.store;
    });
    this.#clock = clock;
    this.#store.catch(() => undefined); // reported by the operations
    const decode = (bytes: Uint8Array): unknown => (this.#open as DurableOpened).items.decode(bytes);
    this.#receiving = new DurableReceiving(this.#store, decode, clock, this.#state, (error) => this.#explained(error));
  }

  /** Approximate, like Python's `qsize()`: what this node last learned. */
  get size(): number {
    return Math.max(this.#state.size, this.#receiving.buffered);
  }

  get closed(): boolean {
    return this.#state.closed;
  }

  /** The handle's wire form: its name, no owner. @internal */
  wireForm(): WireChannel {
    return { [CHANNEL_TAG]: `${DURABLE_ID}${this.#ackWait}:${this.durable}`, owner: DURABLE_OWNER, capacity: this.capacity };
  }

  /**
   * @throws (rejects with) {@link MultitaskError} `NODE_DOWN` when the server did not confirm
   *   the acknowledgement (the items may be delivered again)
   */
  async ack(): Promise<void> {
    await this.#receiving.ackHeld(true);
  }

  async send(item: T, options?: ChannelSendOptions): Promise<void> {
    const invalid = invalidWaitOptions(options);
    if (invalid !== undefined) throw invalid;
    const open = this.#open ?? (await this.#opened);
    const bytes = open.items.encode(item); // checks it: NOT_SERIALIZABLE before anything is sent
    const id = this.#nextId();
    const signal = options?.signal;
    if (signal?.aborted === true) throw abortError(signal, 'channel send');
    const limit = limitOf(options, 'channel send', this.#clock, (error) => this.#explained(error));
    try {
      for (let wait = 1; ; wait = Math.min(RETRY_MS, wait * 2)) {
        if (this.#state.closed) throw new ChannelClosedError('no more sends');
        const answer = await persist(open.store, () => open.store.publish(bytes, id), limit.expired, this.#clock, (down) => (this.#state.down = down));
        if (answer === 'ok') return;
        if (answer === 'closed') this.#state.closed = true;
        else this.#state.size = this.capacity;
        if (answer === 'full') await Promise.race([new Promise<void>((resolve) => void this.#clock.setTimeout(resolve, wait)), limit.expired]);
      }
    } finally {
      limit.disarm();
    }
  }

  async trySend(item: T): Promise<void> {
    const bytes = (this.#open ?? (await this.#opened)).items.encode(item);
    const answer = await (await this.#store).publish(bytes, this.#nextId());
    if (answer === 'closed') {
      this.#state.closed = true;
      throw new ChannelClosedError('no more sends');
    }
    if (answer === 'full') throw new ChannelFullError(this.capacity);
  }

  receive(options?: ChannelWaitOptions): Promise<T> {
    const invalid = invalidWaitOptions(options);
    if (invalid !== undefined) return Promise.reject(invalid);
    return this.#receiving.receive<T>(options);
  }

  tryReceive(): Promise<T> {
    return this.#receiving.tryReceive<T>();
  }

  close(): void {
    this.#state.closed = true;
    this.#store.then((store) => store.close()).catch(() => undefined);
  }

  /** @internal */
  override takeNow(): T | typeof NOTHING {
    const taken = this.#receiving.takeNow();
    return taken === undefined ? NOTHING : (taken.item as T);
  }

  #nextId(): string {
    return `${this.#sender}.${++this.#sends}`;
  }

  /** A timeout's error, saying so when the server could not be reached meanwhile. */
  #explained(error: MultitaskError): MultitaskError {
    const down = this.#state.down;
    if (down === undefined || error.code !== 'CHANNEL_TIMEOUT') return error;
    return new MultitaskError('CHANNEL_TIMEOUT', `${error.message}: the NATS server could not be reached (${down.message})`, { cause: down });
  }
}
