import { systemClock, type Clock } from '../clock.js';
import { MultitaskError } from '../errors.js';
import { abortError, armLimits, invalidWaitOptions } from '../limits.js';
import { CHANNEL_TAG, type WireChannel } from '../wire/messageCodec.js';
import type { DurableMessage, DurableStore } from '../transport/durableStreams.js';
import { ChannelBase, NOTHING, type Channel, type ChannelSendOptions, type ChannelWaitOptions } from './Channel.js';
import { ChannelClosedError, ChannelEmptyError, ChannelFullError } from './errors.js';

/**
 * A channel whose items are kept by the cluster's NATS server (JetStream), made by
 * `createChannel({ durable, system })`. Items survive the death of any node, the one that
 * created the channel included, and are delivered at least once: an item this handle
 * received is acknowledged when this handle asks for the next one (or calls {@link
 * DurableChannel.ack}), and delivered again to some consumer if this one dies first.
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
  /** Acknowledges the items this handle received so far: they are gone from the stream for good. */
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

/** Most items one pull takes; the least is one, for a consumer that takes its time. */
const MOST = 256;
/** How long one pull waits at the server for items (the client's least is 1 s). */
const PULL_MS = 2_000;
/** Items pulled here that no receive took for this long are given back (delivered again at once). */
const IDLE_MS = 100;
/** How often a send to a full channel tries again, at most. */
const RETRY_MS = 50;
/** How long a node trusts what it learned of the channel's close. */
const CLOSED_FRESH_MS = 250;

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

interface Waiter {
  resolve(item: unknown): void;
  reject(error: unknown): void;
}

/**
 * A handle of a durable channel on one node: its receives share one pull at a time from
 * the stream's consumer, and what it pulled and did not hand out goes back when no receive
 * wants it.
 * @internal
 */
export class DurableHandle<T> extends ChannelBase<T> implements DurableChannel<T> {
  readonly core = undefined;
  readonly durable: string;
  readonly capacity: number;
  readonly #ackWait: number;
  readonly #store: Promise<DurableStore>;
  readonly #opened: Promise<DurableOpened>;
  /** Known once the stream is open (items are pulled only after). */
  #items: DurableItems | undefined;
  #open: DurableOpened | undefined;
  readonly #clock: Clock;
  readonly #buffer: DurableMessage[] = [];
  readonly #held: DurableMessage[] = [];
  readonly #waiters = new Set<Waiter>();
  #pulling = false;
  #appetite = 1;
  #taken = 0;
  #idleCheck = false;
  #closed = false;
  #closedAt = Number.NEGATIVE_INFINITY;
  #size = 0;

  constructor(name: string, capacity: number, ackWait: number, opened: Promise<DurableOpened>, clock: Clock = systemClock) {
    super();
    this.durable = name;
    this.capacity = capacity;
    this.#ackWait = ackWait;
    this.#opened = opened;
    this.#store = opened.then((open) => {
      this.#items = open.items;
      this.#open = open;
      return open.store;
    });
    this.#clock = clock;
    this.#store.catch(() => undefined); // reported by the operations
  }

  /** Approximate, like Python's `qsize()`: what this node last learned. */
  get size(): number {
    return Math.max(this.#size, this.#buffer.length);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The handle's wire form: its name, no owner. @internal */
  wireForm(): WireChannel {
    return { [CHANNEL_TAG]: `${DURABLE_ID}${this.#ackWait}:${this.durable}`, owner: DURABLE_OWNER, capacity: this.capacity };
  }

  async ack(): Promise<void> {
    this.#ackHeld();
  }

  /** Acknowledges what this handle handed out so far. */
  #ackHeld(): void {
    if (this.#held.length === 0) return;
    for (const message of this.#held.splice(0)) message.ack();
  }

  async send(item: T, options?: ChannelSendOptions): Promise<void> {
    const invalid = invalidWaitOptions(options);
    if (invalid !== undefined) throw invalid;
    const open = this.#open ?? (await this.#opened);
    const bytes = open.items.encode(item); // checks it: NOT_SERIALIZABLE before anything is sent
    const signal = options?.signal;
    let expired: MultitaskError | undefined;
    const disarm = armLimits({ timeout: options?.timeout, signal, timeoutCode: 'CHANNEL_TIMEOUT' }, 'channel send', this.#clock, (error) => (expired = error));
    try {
      for (let wait = 1; ; wait = Math.min(RETRY_MS, wait * 2)) {
        if (signal?.aborted === true) throw abortError(signal, 'channel send');
        if (expired !== undefined) throw expired;
        if (this.#closed || (this.#clock.now() - this.#closedAt >= CLOSED_FRESH_MS && (await this.#isClosed(open.store)))) throw new ChannelClosedError('no more sends');
        if ((await open.store.publish(bytes)) === 'ok') return;
        this.#size = this.capacity;
        await new Promise<void>((resolve) => this.#clock.setTimeout(() => resolve(), wait));
      }
    } finally {
      disarm();
    }
  }

  async trySend(item: T): Promise<void> {
    const bytes = (this.#open ?? (await this.#opened)).items.encode(item);
    const store = await this.#store;
    if (await this.#isClosed(store)) throw new ChannelClosedError('no more sends');
    if ((await store.publish(bytes)) === 'full') throw new ChannelFullError(this.capacity);
  }

  receive(options?: ChannelWaitOptions): Promise<T> {
    const invalid = invalidWaitOptions(options);
    if (invalid !== undefined) return Promise.reject(invalid);
    this.#ackHeld(); // asking for the next one: done with the last
    if (this.#waiters.size === 0 && this.#buffer.length > 0) return this.#take();
    return new Promise((resolve, reject) => {
      const signal = options?.signal;
      if (signal?.aborted === true) return reject(abortError(signal, 'channel receive'));
      const waiter: Waiter = {
        resolve: (item) => (disarm(), resolve(item as T)),
        reject: (error) => (disarm(), reject(error)),
      };
      const disarm = armLimits({ timeout: options?.timeout, signal, timeoutCode: 'CHANNEL_TIMEOUT' }, 'channel receive', this.#clock, (error) => {
        if (this.#waiters.delete(waiter)) waiter.reject(error);
      });
      this.#waiters.add(waiter);
      this.#pull();
    });
  }

  async tryReceive(): Promise<T> {
    this.#ackHeld();
    if (this.#buffer.length > 0) return this.#take();
    const store = await this.#store;
    const { waiting, unacked } = await store.counts();
    this.#size = waiting + unacked;
    if (waiting === 0) {
      if (unacked === 0 && (await this.#isClosed(store))) throw new ChannelClosedError('closed and drained');
      throw new ChannelEmptyError();
    }
    await store.fetch(1, 1_000, (message) => this.#buffer.push(message));
    if (this.#buffer.length === 0) throw new ChannelEmptyError(); // another consumer was quicker
    return this.#take();
  }

  close(): void {
    this.#closed = true;
    this.#closedAt = this.#clock.now();
    this.#store.then((store) => store.close()).catch(() => undefined);
  }

  /** @internal */
  override takeNow(): T | typeof NOTHING {
    if (this.#waiters.size > 0 || this.#buffer.length === 0) return NOTHING;
    this.#ackHeld();
    const message = this.#buffer.shift() as DurableMessage;
    this.#held.push(message);
    this.#taken += 1;
    return (this.#items as DurableItems).decode(message.bytes) as T;
  }

  /** Hands out the next pulled item (held until acknowledged). */
  #take(): Promise<T> {
    const message = this.#buffer.shift() as DurableMessage;
    try {
      const item = (this.#items as DurableItems).decode(message.bytes) as T;
      this.#held.push(message);
      this.#taken += 1;
      return Promise.resolve(item);
    } catch (error) {
      message.ack(); // bytes nobody can read would come back for ever
      return Promise.reject(error);
    }
  }

  /** Whether the channel is closed, asking the server at most every {@link CLOSED_FRESH_MS}. */
  async #isClosed(store: DurableStore): Promise<boolean> {
    if (this.#closed) return true;
    const now = this.#clock.now();
    if (now - this.#closedAt < CLOSED_FRESH_MS) return false;
    this.#closedAt = now;
    this.#closed = await store.closed();
    return this.#closed;
  }

  /** One pull at a time while receives wait; each pulled item goes to the oldest waiting receive. */
  #pull(): void {
    if (this.#pulling || this.#waiters.size === 0) return;
    this.#pulling = true;
    const max = this.#appetite;
    let got = 0;
    const pulled = this.#store.then(async (store) => {
      // Known closed: the receives may end now, without a pull that waits for nothing.
      if (this.#closed && (await this.#endIfDrained())) return;
      await store.fetch(max, PULL_MS, (message) => {
        got += 1;
        this.#buffer.push(message);
        this.#serve();
      });
      if (got === 0 && this.#waiters.size > 0) await this.#endIfDrained();
    });
    pulled.then(
      () => {
        this.#pulling = false;
        this.#appetite = got >= max ? Math.min(MOST, max * 2) : Math.max(1, got);
        this.#pull();
      },
      (error: unknown) => {
        this.#pulling = false;
        const failure = error instanceof MultitaskError ? error : new MultitaskError('NODE_DOWN', `durable channel '${this.durable}': ${error instanceof Error ? error.message : String(error)}`, { cause: error });
        for (const waiter of this.#drainWaiters()) waiter.reject(failure);
      },
    );
  }

  /**
   * Closed and drained (nothing waiting, nothing taken elsewhere that may come back): the
   * receives end. An acknowledgement just sent may not be counted yet: asked again shortly.
   */
  async #endIfDrained(): Promise<boolean> {
    const store = await this.#store;
    if (!(await this.#isClosed(store))) return false;
    for (let attempt = 0; attempt < 3; attempt++) {
      const { waiting, unacked } = await store.counts();
      this.#size = waiting + unacked;
      if (waiting > 0 || this.#buffer.length > 0) return false;
      if (unacked - this.#held.length <= 0) {
        for (const waiter of this.#drainWaiters()) waiter.reject(new ChannelClosedError('closed and drained'));
        return true;
      }
      await new Promise<void>((resolve) => this.#clock.setTimeout(() => resolve(), RETRY_MS));
    }
    return false;
  }

  #drainWaiters(): Waiter[] {
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    return waiters;
  }

  #serve(): void {
    for (const waiter of this.#waiters) {
      if (this.#buffer.length === 0) break;
      this.#waiters.delete(waiter);
      this.#take().then(waiter.resolve, waiter.reject);
    }
    if (this.#buffer.length > 0) this.#watchIdle();
  }

  /** Pulled items that nobody here takes for {@link IDLE_MS} go back, to be delivered again at once. */
  #watchIdle(): void {
    if (this.#idleCheck) return;
    this.#idleCheck = true;
    let before = this.#taken;
    const check = (): void => {
      if (this.#buffer.length > 0 && this.#waiters.size === 0 && this.#taken === before) {
        this.#idleCheck = false;
        for (const message of this.#buffer.splice(0)) message.nak();
        return;
      }
      before = this.#taken;
      if (this.#buffer.length === 0) this.#idleCheck = false;
      else later();
    };
    const later = (): void => void (this.#clock.setTimeout(check, IDLE_MS) as { unref?: () => void }).unref?.();
    later();
  }
}
