import { systemClock, type Clock } from '../clock.js';
import { CHANNEL_BRAND, scan } from '../wire/cloneCheck.js';
import { MultitaskError } from '../errors.js';
import { abortError, armLimits, invalidWaitOptions } from '../limits.js';
import { ChannelCore, type Waiter } from './ChannelCore.js';
// Types only: a durable channel is opened by its system (channels sit below systems).
import type { DurableChannel } from './DurableChannel.js';
import type { ActorSystem } from '../system/ActorSystem.js';

/** What {@link ChannelBase.takeNow} returns when no item can be taken at once. @internal */
export const NOTHING: unique symbol = Symbol('nothing');

/**
 * Options of {@link createChannel}.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#ChannelOptions}
 */
export interface ChannelOptions {
  /**
   * The most items the channel holds, wherever they are buffered. `send` waits while it is
   * full.
   * @defaultValue `Infinity` (unbounded, like Python's `Queue()`)
   */
  readonly capacity?: number;
  /** The clock for `timeout`s of operations in this thread; inject one to test without waiting. */
  readonly clock?: Clock;
}

/**
 * Options of a durable channel: `createChannel({ durable: 'jobs', system })`. Its items are
 * kept in a JetStream stream of the cluster `system` joins (nats-server 2.9 or later, run
 * with JetStream: `-js`), so they survive the death of any node; see the Channels guide for
 * what each kind of channel promises.
 *
 * @example
 * ```ts
 * const options: DurableChannelOptions = { durable: 'jobs', system, capacity: 10_000, ackWait: 60_000 };
 * const jobs = createChannel<Job>(options);
 * ```
 */
export interface DurableChannelOptions extends ChannelOptions {
  /** The channel's name in the cluster (1 to 64 letters, digits, `_` or `-`): every node that opens it by this name shares its items. */
  readonly durable: string;
  /** A system that joins the cluster (`createSystem({ cluster })`). */
  readonly system: ActorSystem;
  /**
   * Milliseconds after which an item a consumer received and did not acknowledge is
   * delivered again (to it or another): longer than a consumer takes over one item.
   * A channel keeps the `capacity` and `ackWait` it was made with: a handle that asks for
   * others is refused (`INVALID_ARGUMENT`, naming the setting) at its first operation.
   * @defaultValue 30000
   */
  readonly ackWait?: number;
}

/**
 * Options of a waiting channel operation.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#ChannelWaitOptions}
 */
export interface ChannelWaitOptions {
  /**
   * Milliseconds to wait before rejecting with `CHANNEL_TIMEOUT`: a number above 0, or
   * `Infinity` for no limit. 0, a negative number or `NaN` is refused with
   * `INVALID_ARGUMENT` (as an ask's timeout is); not to wait at all, use `trySend` or
   * `tryReceive`.
   * @defaultValue no limit
   */
  readonly timeout?: number;
  /** Rejects with `ABORTED` when aborted. */
  readonly signal?: AbortSignal;
}

/**
 * Options of {@link ChannelSender.send}.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#ChannelSendOptions}
 */
export interface ChannelSendOptions extends ChannelWaitOptions {
  /** `ArrayBuffer`s inside the item to move to a thread instead of copying (they become unusable here). */
  readonly transfer?: readonly ArrayBuffer[];
}

/**
 * What both ends of a channel can see. Across threads and processes, `size` and `closed` are the last known values.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#ChannelInfo}
 */
export interface ChannelInfo {
  /** The capacity given at creation. */
  readonly capacity: number;
  /** How many items the channel holds (approximate on a handle in another thread or process, like Python's `qsize()`). */
  readonly size: number;
  /** Whether `close()` was called. */
  readonly closed: boolean;
  /** `size === 0`. */
  isEmpty(): boolean;
  /** `size >= capacity`. */
  isFull(): boolean;
}

/**
 * The sending end of a channel. Hand it to a producer (in spawn arguments or a message) to
 * let it send and nothing else.
 * @typeParam T - the item type
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#ChannelSender}
 */
export interface ChannelSender<in T> extends ChannelInfo {
  /**
   * Puts an item in the channel; waits while the channel is full.
   * @throws (rejects with) {@link MultitaskError} `CHANNEL_CLOSED`, `NOT_SERIALIZABLE`, `CHANNEL_TIMEOUT`, `ABORTED`, `INVALID_ARGUMENT` for a bad option
   */
  send(item: T, options?: ChannelSendOptions): Promise<void>;
  /**
   * Puts an item in the channel only if there is room now.
   * @throws (rejects with) {@link ChannelFullError} (`CHANNEL_FULL`), `CHANNEL_CLOSED`, `NOT_SERIALIZABLE`
   */
  trySend(item: T, options?: Pick<ChannelSendOptions, 'transfer'>): Promise<void>;
  /** No more sends: receivers drain what was sent before, then the channel ends. */
  close(): void;
}

/**
 * The receiving end of a channel; `for await` over it receives until the channel is closed
 * and drained.
 * @typeParam T - the item type
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#ChannelReceiver}
 */
export interface ChannelReceiver<out T> extends ChannelInfo, AsyncIterable<T> {
  /**
   * Takes the next item; waits while the channel is empty.
   * @throws (rejects with) {@link MultitaskError} `CHANNEL_CLOSED` once closed and drained, `CHANNEL_TIMEOUT`, `ABORTED`, `INVALID_ARGUMENT` for a bad option
   */
  receive(options?: ChannelWaitOptions): Promise<T>;
  /**
   * Receives until the channel is closed and drained, as `for await (const item of
   * channel)` does, with `options` for each receive: a `signal` that fires ends the loop
   * with `ABORTED` (an actor passes `ctx.signal`, so that its loop ends when it stops).
   * @throws {@link MultitaskError} `INVALID_ARGUMENT` at once for a bad option; the loop rejects with `ABORTED`, `CHANNEL_TIMEOUT`
   */
  iterate(options?: ChannelWaitOptions): AsyncIterable<T>;
  /**
   * Takes the next item only if there is one now.
   * @throws (rejects with) {@link ChannelEmptyError} (`CHANNEL_EMPTY`), `CHANNEL_CLOSED` once closed and drained
   */
  tryReceive(): Promise<T>;
}

/**
 * A typed, bounded, multi-producer multi-consumer queue that actors on any placement can
 * share. Every item is received exactly once, in FIFO order per producer.
 * @typeParam T - the item type
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#ChannelOptions}
 */
export interface Channel<in out T> extends ChannelSender<T>, ChannelReceiver<T> {
  /** This channel, typed as its sending end only (a compile-time restriction: it is the same object). */
  readonly sender: ChannelSender<T>;
  /** This channel, typed as its receiving end only (a compile-time restriction: it is the same object). */
  readonly receiver: ChannelReceiver<T>;
}


/** What the codec needs of any channel handle. @internal */
export interface ChannelHandle {
  readonly [CHANNEL_BRAND]: true;
  /** The channel's state on its owning node, when this handle is that node's own. */
  readonly core: ChannelCore | undefined;
}

/** Shared behaviour of local and remote handles: the derived reads and iteration. @internal */
export abstract class ChannelBase<T> implements Channel<T>, ChannelHandle {
  declare readonly [CHANNEL_BRAND]: true;
  abstract readonly core: ChannelCore | undefined;
  abstract readonly capacity: number;
  abstract readonly size: number;
  abstract readonly closed: boolean;
  abstract send(item: T, options?: ChannelSendOptions): Promise<void>;
  abstract trySend(item: T, options?: Pick<ChannelSendOptions, 'transfer'>): Promise<void>;
  abstract receive(options?: ChannelWaitOptions): Promise<T>;
  abstract tryReceive(): Promise<T>;
  abstract close(): void;

  get sender(): ChannelSender<T> {
    return this;
  }

  get receiver(): ChannelReceiver<T> {
    return this;
  }

  isEmpty(): boolean {
    return this.size === 0;
  }

  isFull(): boolean {
    return this.size >= this.capacity;
  }

  /** Receives until the channel is closed and drained. */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    return this.#iterator(undefined);
  }

  iterate(options?: ChannelWaitOptions): AsyncIterable<T> {
    const invalid = invalidWaitOptions(options);
    if (invalid !== undefined) throw invalid;
    return { [Symbol.asyncIterator]: () => this.#iterator(options) };
  }

  /** An iterator object, not an async generator: one promise per item. */
  #iterator(options: ChannelWaitOptions | undefined): AsyncIterator<T> {
    const done: IteratorReturnResult<undefined> = { done: true, value: undefined };
    const signal = options?.signal;
    return {
      next: () => {
        if (signal?.aborted === true) return Promise.reject(abortError(signal, 'channel receive'));
        const now = this.takeNow();
        if (now !== NOTHING) return Promise.resolve({ done: false, value: now });
        return this.receive(options).then(
          (value): IteratorResult<T> => ({ done: false, value }),
          (error: unknown) => {
            if (error instanceof MultitaskError && error.code === 'CHANNEL_CLOSED') return done;
            throw error;
          },
        );
      },
      return: () => Promise.resolve(done),
    };
  }

  /**
   * An item that can be taken at once, without waiting (one promise per item instead of a
   * chain on the hot path); {@link NOTHING} when `receive` must wait or ask the owner.
   * @internal
   */
  takeNow(): T | typeof NOTHING {
    return NOTHING;
  }
}
Object.defineProperty(ChannelBase.prototype, CHANNEL_BRAND, { value: true });

/** A channel used on the node that created it: operations act on its state directly. @internal */
export class LocalChannel<T> extends ChannelBase<T> {
  readonly core: ChannelCore;
  readonly #clock: Clock;

  constructor(core: ChannelCore, clock: Clock = systemClock) {
    super();
    this.core = core;
    this.#clock = clock;
  }

  get capacity(): number {
    return this.core.capacity;
  }

  get size(): number {
    return this.core.size;
  }

  get closed(): boolean {
    return this.core.closed;
  }

  send(item: T, options?: ChannelSendOptions): Promise<void> {
    const invalid = invalidWaitOptions(options);
    if (invalid !== undefined) return Promise.reject(invalid);
    try {
      scan(item);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#wait((waiter) => this.core.send(item, waiter), options, 'send') as Promise<void>;
  }

  async trySend(item: T): Promise<void> {
    scan(item);
    this.core.trySend(item);
  }

  receive(options?: ChannelWaitOptions): Promise<T> {
    const invalid = invalidWaitOptions(options);
    if (invalid !== undefined) return Promise.reject(invalid);
    return this.#wait((waiter) => this.core.receive(waiter), options, 'receive') as Promise<T>;
  }

  async tryReceive(): Promise<T> {
    return this.core.tryReceive() as T;
  }

  close(): void {
    this.core.close();
  }

  #wait(start: (waiter: Waiter) => void, options: ChannelWaitOptions | undefined, what: string): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const signal = options?.signal;
      if (signal?.aborted === true) return reject(abortError(signal, `channel ${what}`));
      const waiter: Waiter = {
        node: undefined,
        resolve: (value) => (disarm(), resolve(value)),
        reject: (error) => (disarm(), reject(error)),
      };
      const limits = { timeout: options?.timeout, signal, timeoutCode: 'CHANNEL_TIMEOUT' } as const;
      const disarm = armLimits(limits, `channel ${what}`, this.#clock, (error) => {
        if (this.core.cancel(waiter)) waiter.reject(error);
      });
      start(waiter);
    });
  }
}

/**
 * Creates a durable channel: its items are kept in a JetStream stream of the cluster that
 * `options.system` joins, survive the death of any node, and are delivered at least once.
 * Every node that opens the name shares the items; a handle passed in a message works
 * wherever it lands (threads and processes reach the stream through their node).
 *
 * @param options - `durable` (its name), `system`, `capacity` (default unbounded), `ackWait`, `clock`
 * @throws {@link MultitaskError} `INVALID_ARGUMENT` for a bad option or a system that joins no cluster
 *
 * @example
 * ```ts
 * const jobs = createChannel<string>({ durable: 'jobs', system, capacity: 100 });
 * await jobs.send('resize photo 17');
 * const job = await jobs.receive();
 * await jobs.ack(); // done: it is not delivered again
 * ```
 */
export function createChannel<T>(options: DurableChannelOptions): DurableChannel<T>;
/**
 * Creates a channel: a typed, bounded, multi-producer multi-consumer queue. Pass it (or its
 * `sender` / `receiver` end) to actors on any placement in spawn arguments or messages.
 *
 * @param options - `capacity` (default unbounded), `clock` (for timeouts)
 * @throws {@link MultitaskError} `INVALID_ARGUMENT` for a capacity that is not a positive integer
 *
 * @example
 * ```ts
 * import { createChannel } from '@multitask/core';
 * const jobs = createChannel<number>({ capacity: 4 });
 * await jobs.send(11);
 * jobs.close();
 * for await (const job of jobs) console.log(job); // 11
 * ```
 */
export function createChannel<T>(options?: ChannelOptions): Channel<T>;
export function createChannel<T>(options: ChannelOptions | DurableChannelOptions = {}): Channel<T> {
  const capacity = options.capacity ?? Number.POSITIVE_INFINITY;
  if (!(capacity === Number.POSITIVE_INFINITY || (Number.isInteger(capacity) && capacity > 0))) {
    throw new MultitaskError('INVALID_ARGUMENT', 'options.capacity must be a positive integer or Infinity');
  }
  if ('durable' in options && options.durable !== undefined) {
    const system = (options as Partial<DurableChannelOptions>).system;
    if (typeof system?.openDurable !== 'function') throw new MultitaskError('INVALID_ARGUMENT', 'options.system must be the system (joined to a cluster) whose NATS server keeps a durable channel');
    return system.openDurable(options.durable, capacity, options.ackWait ?? 30_000, options.clock) as DurableChannel<T>;
  }
  return new LocalChannel<T>(new ChannelCore(capacity), options.clock);
}
