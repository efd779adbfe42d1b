/**
 * The receiving side of a durable channel handle: its receives share one pull at a time
 * from the stream's consumer; what it pulled and did not hand out goes back when no receive
 * wants it; the channel's close ends the receives once nothing more can come, as soon as
 * the close (or the last acknowledgement that drained it) is heard.
 * @internal
 * @packageDocumentation
 */
import type { Clock } from '../clock.js';
import { MultitaskError } from '../errors.js';
import { abortError, armLimits } from '../limits.js';
import type { DurableMessage, DurableStore } from '../transport/durableStreams.js';
import type { ChannelWaitOptions } from './Channel.js';
import { ChannelClosedError, ChannelEmptyError } from './errors.js';
import { isUnreachable, pause } from './durableWaits.js';

/** Most items one pull takes; the least is one, for a consumer that takes its time. */
const MOST = 256;
/** How long one pull waits at the server for items when nothing ends it sooner. */
const PULL_MS = 30_000;
/** How long the pull of a `tryReceive` waits for the item it saw (the client's least). */
const TRY_PULL_MS = 1_000;
/** Items pulled here that no receive took for this long are given back (delivered again at once), and the pull ends. */
const IDLE_MS = 100;

/** What a handle's sending and receiving sides both know. @internal */
export interface DurableState {
  /** Known closed here (closed by this handle, or found closed). */
  closed: boolean;
  /** Why the server could not be reached, while it cannot. */
  down: MultitaskError | undefined;
  /** What this handle last learned of the number of items. */
  size: number;
}

interface Waiter {
  resolve(item: unknown): void;
  reject(error: unknown): void;
}

/** @internal */
export class DurableReceiving {
  readonly #store: Promise<DurableStore>;
  readonly #decode: (bytes: Uint8Array) => unknown;
  readonly #clock: Clock;
  readonly #state: DurableState;
  readonly #explain: (error: MultitaskError) => MultitaskError;
  readonly #buffer: DurableMessage[] = [];
  readonly #held: DurableMessage[] = [];
  readonly #waiters = new Set<Waiter>();
  /** Confirmations of acknowledgements under way: counts asked after them see them. */
  #acking: Promise<void> = Promise.resolve();
  #pull: AbortController | undefined;
  #appetite = 1;
  #taken = 0;
  #idleCheck = false;
  #outages = 0;

  constructor(store: Promise<DurableStore>, decode: (bytes: Uint8Array) => unknown, clock: Clock, state: DurableState, explain: (error: MultitaskError) => MultitaskError) {
    this.#store = store;
    this.#decode = decode;
    this.#clock = clock;
    this.#state = state;
    this.#explain = explain;
  }

  /** Items pulled here and not handed out. */
  get buffered(): number {
    return this.#buffer.length;
  }

  /**
   * Acknowledges what this handle handed out so far; with `confirm`, the last of them is
   * confirmed by the server (and so every one before it), and the promise says when.
   */
  ackHeld(confirm: boolean): Promise<void> | undefined {
    const last = this.#held.pop();
    if (last === undefined) return undefined;
    for (const message of this.#held.splice(0)) message.ack();
    if (!confirm) return void last.ack();
    const confirmed = last.confirm();
    const before = this.#acking;
    this.#acking = confirmed.then(
      () => before,
      () => before,
    );
    return confirmed;
  }

  receive<T>(options: ChannelWaitOptions | undefined): Promise<T> {
    this.ackHeld(false); // asking for the next one: done with the last (a count asked later has it confirmed)
    if (this.#waiters.size === 0 && this.#buffer.length > 0) return this.#take() as Promise<T>;
    return new Promise((resolve, reject) => {
      const signal = options?.signal;
      if (signal?.aborted === true) return reject(abortError(signal, 'channel receive'));
      const waiter: Waiter = {
        resolve: (item) => (disarm(), resolve(item as T)),
        reject: (error) => (disarm(), reject(error)),
      };
      const disarm = armLimits({ timeout: options?.timeout, signal, timeoutCode: 'CHANNEL_TIMEOUT' }, 'channel receive', this.#clock, (error) => {
        if (!this.#waiters.delete(waiter)) return;
        waiter.reject(this.#explain(error));
        if (this.#waiters.size === 0) this.#watchIdle();
      });
      this.#waiters.add(waiter);
      this.#startPull();
    });
  }

  async tryReceive<T>(): Promise<T> {
    this.ackHeld(false);
    if (this.#buffer.length > 0) return this.#take() as Promise<T>;
    const store = await this.#store;
    await this.#acking;
    const { waiting, unacked } = await store.counts();
    this.#state.size = waiting + unacked;
    if (waiting === 0) {
      if (unacked === 0 && (await store.closed())) throw new ChannelClosedError('closed and drained');
      throw new ChannelEmptyError();
    }
    await store.fetch(1, TRY_PULL_MS, (message) => this.#buffer.push(message), new AbortController().signal);
    if (this.#buffer.length === 0) throw new ChannelEmptyError(); // another consumer was quicker
    return this.#take() as Promise<T>;
  }

  /** The next pulled item, when no receive here waits before the caller; else `undefined`. */
  takeNow(): { readonly item: unknown } | undefined {
    if (this.#waiters.size > 0 || this.#buffer.length === 0) return undefined;
    this.ackHeld(false);
    const message = this.#buffer.shift() as DurableMessage;
    this.#held.push(message);
    this.#taken += 1;
    return { item: this.#decode(message.bytes) };
  }

  /** Hands out the next pulled item (held until acknowledged). */
  #take(): Promise<unknown> {
    const message = this.#buffer.shift() as DurableMessage;
    try {
      const item = this.#decode(message.bytes);
      this.#held.push(message);
      this.#taken += 1;
      return Promise.resolve(item);
    } catch (error) {
      message.ack(); // bytes nobody can read would come back for ever
      return Promise.reject(error);
    }
  }

  /** One pull at a time while receives wait; each pulled item goes to the oldest waiting receive. */
  #startPull(): void {
    if (this.#pull !== undefined || this.#waiters.size === 0) return;
    const pull = new AbortController();
    this.#pull = pull;
    const max = this.#appetite;
    let got = 0;
    let reached: DurableStore | undefined;
    const pulled = this.#store.then(async (store) => {
      reached = store;
      // Known closed: the receives may end now, without a pull that waits for nothing.
      if (this.#state.closed && (await this.#endIfDrained(store))) return;
      await store.fetch(max, PULL_MS, (message) => {
        got += 1;
        this.#buffer.push(message);
        this.#serve();
      }, pull.signal);
      if (got === 0 && this.#waiters.size > 0) await this.#endIfDrained(store);
    });
    pulled.then(
      () => {
        this.#pull = undefined;
        this.#outages = 0;
        this.#state.down = undefined;
        this.#appetite = got >= max ? Math.min(MOST, max * 2) : Math.max(1, got);
        this.#startPull();
      },
      (error: unknown) => {
        this.#pull = undefined;
        this.#failed(error, reached);
      },
    );
  }

  /** A pull failed: while the server cannot be reached the receives wait for it (within their limits); otherwise they end with the failure. */
  #failed(error: unknown, store: DurableStore | undefined): void {
    if (store === undefined || !isUnreachable(error)) return this.#rejectAll(error);
    this.#state.down = error;
    const attempt = this.#outages++;
    store.reachable().then(
      () => void pause(attempt, this.#clock).then(() => this.#startPull()),
      (fatal: unknown) => this.#rejectAll(fatal),
    );
  }

  #rejectAll(error: unknown): void {
    const failure = error instanceof MultitaskError ? error : new MultitaskError('NODE_DOWN', `durable channel: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    for (const waiter of this.#drainWaiters()) waiter.reject(failure);
  }

  /**
   * Closed and drained (nothing waiting, nothing taken anywhere that may come back): the
   * receives end. This handle's own acknowledgements are counted first; one taken
   * elsewhere keeps them waiting, until its acknowledgement is heard (or it comes back).
   */
  async #endIfDrained(store: DurableStore): Promise<boolean> {
    if (!(await store.closed())) return false;
    this.#state.closed = true;
    await this.#acking;
    const { waiting, unacked } = await store.counts();
    this.#state.size = waiting + unacked;
    if (waiting > 0 || this.#buffer.length > 0 || unacked > this.#held.length) return false;
    for (const waiter of this.#drainWaiters()) waiter.reject(new ChannelClosedError('closed and drained'));
    return true;
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
    if (this.#waiters.size === 0) this.#watchIdle();
  }

  /**
   * Nobody here takes what is pulled for {@link IDLE_MS}: the pull ends, and what it brought
   * goes back, to be delivered again at once.
   */
  #watchIdle(): void {
    if (this.#idleCheck || (this.#buffer.length === 0 && this.#pull === undefined)) return;
    this.#idleCheck = true;
    let before = this.#taken;
    const check = (): void => {
      const busy = this.#buffer.length > 0 || this.#pull !== undefined;
      if (!busy || this.#waiters.size > 0) return void (this.#idleCheck = false);
      if (this.#taken !== before) return void ((before = this.#taken), later());
      this.#idleCheck = false;
      this.#pull?.abort();
      for (const message of this.#buffer.splice(0)) message.nak();
    };
    const later = (): void => void (this.#clock.setTimeout(check, IDLE_MS) as { unref?: () => void }).unref?.();
    later();
  }
}
