import { Fifo } from '../Fifo.js';
import { ChannelClosedError, ChannelEmptyError, ChannelFullError } from './errors.js';

/** Someone waiting on the channel: a parked `send` or `receive`. @internal */
export interface Waiter {
  /** The node it waits from (for dropping waiters of a dead node); `undefined` for this node. */
  readonly node: number | undefined;
  /** A receive that takes a batch: resolves with an array of up to this many items. */
  readonly batch?: number;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

interface ParkedSend {
  readonly item: unknown;
  readonly waiter: Waiter;
}

/**
 * The state of one channel, kept by the node that created it: the items, the parked
 * senders (full) and receivers (empty), and whether it is closed. Every other participant
 * talks to it through its node, so capacity, FIFO and exactly-once hold for all of them.
 * @internal
 */
export class ChannelCore {
  readonly capacity: number;
  readonly #items = new Fifo<unknown>();
  #senders: ParkedSend[] = [];
  #receivers: Waiter[] = [];
  #closed = false;
  /** Room promised to producers on other nodes (credit) that their pushes have not used yet. */
  #reserved = 0;
  /** Items handed to receivers elsewhere in batches, not yet received there: they still take room. */
  #lent = 0;
  /** Called once, on close (the owner's table revokes credit here). */
  onClose: (() => void) | undefined;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  get size(): number {
    return this.#items.size;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Promises up to `max` slots to a producer elsewhere (credit): its next sends may go out
   * without waiting, because the room is kept for them. Nothing is granted while others
   * wait for room or after close.
   */
  grant(max: number): number {
    if (this.#closed || this.#senders.length > 0) return 0;
    const free = this.capacity - this.#held;
    const granted = Math.max(0, Math.min(max, Number.isFinite(free) ? free : max));
    this.#reserved += granted;
    return granted;
  }

  /** An item sent on credit: its room was kept, so it always goes in. */
  push(item: unknown): void {
    this.#reserved = Math.max(0, this.#reserved - 1);
    this.#accept(item);
    this.#admit(); // the promised room may have gone straight to a receiver: it is free again
  }

  /** Room taken: items here, room promised to producers, items lent to receivers elsewhere. */
  get #held(): number {
    return this.size + this.#reserved + this.#lent;
  }

  /** `count` items went out in a batch and wait in a receiver's buffer elsewhere. */
  lend(count: number): void {
    this.#lent += count;
  }

  /** Lent items were received (or their node died): their room is free. */
  repay(count: number): void {
    this.#lent = Math.max(0, this.#lent - count);
    this.#admit();
  }

  /** Credit given back unused (revoked at close, or its holder died). */
  release(count: number): void {
    this.#reserved = Math.max(0, this.#reserved - count);
    this.#admit();
    this.#maybeEnd();
  }

  /** Moves parked sends in while there is room that nobody has been promised. */
  #admit(): void {
    while (this.#senders.length > 0 && this.#held < this.capacity) {
      const parked = this.#senders.shift() as ParkedSend;
      this.#accept(parked.item);
      parked.waiter.resolve(undefined);
    }
  }

  /** Accepts the item now (resolving `waiter`), or parks it until there is room. */
  send(item: unknown, waiter: Waiter): void {
    if (this.#closed) return waiter.reject(new ChannelClosedError('send after close'));
    if (this.#held < this.capacity && this.#senders.length === 0) {
      this.#accept(item);
      return waiter.resolve(undefined);
    }
    this.#senders.push({ item, waiter });
  }

  /** @throws ChannelFullError, ChannelClosedError */
  trySend(item: unknown): void {
    if (this.#closed) throw new ChannelClosedError('send after close');
    if (this.#held >= this.capacity || this.#senders.length > 0) throw new ChannelFullError(this.capacity);
    this.#accept(item);
  }

  /** Hands the next item to `waiter`, or parks it until one comes; rejects `CHANNEL_CLOSED` once closed and drained. */
  receive(waiter: Waiter): void {
    if (this.size > 0) return waiter.resolve(waiter.batch === undefined ? this.#take() : this.#takeBatch(waiter.batch));
    if (this.#ended) return waiter.reject(new ChannelClosedError('closed and drained'));
    this.#receivers.push(waiter);
  }

  #takeBatch(max: number): unknown[] {
    const items: unknown[] = [];
    while (items.length < max && this.size > 0) items.push(this.#take());
    return items;
  }

  /** Closed, and nothing is left or still on its way. */
  get #ended(): boolean {
    return this.#closed && this.size === 0 && this.#senders.length === 0 && this.#reserved === 0;
  }

  /** @throws ChannelEmptyError, ChannelClosedError (closed and drained) */
  tryReceive(): unknown {
    if (this.size > 0) return this.#take();
    if (this.#ended) throw new ChannelClosedError('closed and drained');
    throw new ChannelEmptyError();
  }

  /** Puts an item back at the head: it reached a receive that had already given up. */
  requeue(item: unknown): void {
    const receiver = this.#receivers.shift();
    if (receiver !== undefined) return receiver.resolve(receiver.batch === undefined ? item : [item]);
    this.#items.unshift(item);
  }

  /**
   * No new sends. Parked sends were issued before the close: their items still go in as
   * room frees up. Receivers drain what is there, then get `CHANNEL_CLOSED`.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.onClose?.();
    this.#maybeEnd();
  }

  /** Removes a parked waiter (its caller gave up); true when it was still parked. */
  cancel(waiter: Waiter): boolean {
    const r = this.#receivers.indexOf(waiter);
    if (r >= 0) return this.#receivers.splice(r, 1).length > 0;
    const s = this.#senders.findIndex((parked) => parked.waiter === waiter);
    if (s >= 0) return this.#senders.splice(s, 1).length > 0;
    return false;
  }

  /** A node died: its parked receivers go away; its parked sends keep their items (already sent). */
  dropNode(node: number): void {
    this.#receivers = this.#receivers.filter((waiter) => waiter.node !== node);
  }

  #accept(item: unknown): void {
    const receiver = this.#receivers.shift();
    if (receiver !== undefined) receiver.resolve(receiver.batch === undefined ? item : [item]);
    else this.#items.push(item);
  }

  #take(): unknown {
    const item = this.#items.shift();
    this.#admit();
    if (this.#ended) queueMicrotask(() => this.#maybeEnd());
    return item;
  }

  #maybeEnd(): void {
    if (!this.#ended) return;
    const receivers = this.#receivers;
    this.#receivers = [];
    for (const waiter of receivers) waiter.reject(new ChannelClosedError('closed and drained'));
  }
}
