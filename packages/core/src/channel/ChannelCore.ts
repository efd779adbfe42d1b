import { ChannelClosedError, ChannelEmptyError, ChannelFullError } from './errors.js';
import { ItemQueue } from './ItemQueue.js';
import type { Batch, Packed } from './packing.js';

/** Someone waiting on the channel: a parked `send` or `receive`. @internal */
export interface Waiter {
  /** The node it waits from (for dropping waiters of a dead node); `undefined` for this node. */
  readonly node: string | undefined;
  /** A receive that takes a batch: resolves with a {@link Batch} of about this many items. */
  readonly batch?: number;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** A producer elsewhere asking for more credit before it runs out. @internal */
export interface CreditRequest {
  /** The producer's node. */
  readonly node: string;
  /** Its producer ran out meanwhile: a single free slot is enough. */
  hurried: boolean;
  /** Called once with the credit granted (0 once the channel is closed). */
  resolve(granted: number): void;
}

/** Credit per grant for channels of up to 4 096 items (bounded by the room there is). */
const BASE_CREDIT = 1024;
/** The most credit per grant, for channels of 131 072 items or more and unbounded ones. */
const MAX_CREDIT = 32_768;

/**
 * The most items one batch lends to a receiving node: half of a bounded channel, so that a
 * consumer's batch leaves room for the producers to go on sending while it works through it,
 * and items for other consumers. (Receiving nodes ask for no more.)
 * @internal
 */
export function lendLimit(capacity: number): number {
  return Number.isFinite(capacity) ? Math.max(1, Math.floor(capacity / 2)) : Number.POSITIVE_INFINITY;
}

/** A batch of one plain item. */
function single(item: unknown): Batch {
  return { segments: [{ items: [item] }], count: 1 };
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
  readonly #items = new ItemQueue();
  #senders: ParkedSend[] = [];
  #receivers: Waiter[] = [];
  /** Producers elsewhere that asked for more credit while there was no room: served as it frees. */
  #wanting: CreditRequest[] = [];
  #closed = false;
  /** Room promised to producers on other nodes (credit) that their pushes have not used yet. */
  #reserved = 0;
  /** Items handed to receivers elsewhere in batches, not yet received there: they still take room. */
  #lent = 0;
  /** Items put in so far (sends and pushes): the snapshot's and the metrics' throughput. */
  sent = 0;
  /** Called once, on close (the owner's table revokes credit here). */
  onClose: (() => void) | undefined;
  /** Called once, when the channel has ended: closed, and nothing left or on its way (the owner's table forgets it). */
  onEnd: (() => void) | undefined;

  /** Opens packed runs of items on this node (the owner's table sets it when the channel first leaves). */
  set unpack(unpack: (packed: Packed) => unknown[]) {
    this.#items.unpack = unpack;
  }

  /** The least room worth answering a waiting credit request with (a quarter of the capacity, at most 256). */
  readonly #creditStep: number;

  /**
   * The most credit one grant gives a producer elsewhere: {@link BASE_CREDIT}, or a quarter of
   * a larger channel, up to {@link MAX_CREDIT} (all of that for an unbounded channel). The
   * window must cover a round trip to the owner, which on a loaded machine takes a scheduling
   * delay or two (milliseconds): a producer that sends 2 M items/s runs through 1 024 in half a
   * millisecond.
   */
  readonly #creditMax: number;

  /** The most items one batch lends to a receiving node ({@link lendLimit}). */
  readonly #lendMax: number;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.#creditStep = Number.isFinite(capacity) ? Math.max(1, Math.min(256, Math.floor(capacity / 4))) : 1;
    this.#creditMax = Number.isFinite(capacity) ? Math.min(MAX_CREDIT, Math.max(BASE_CREDIT, Math.floor(capacity / 4))) : MAX_CREDIT;
    this.#lendMax = lendLimit(capacity);
  }

  get size(): number {
    return this.#items.size;
  }

  /** Room promised to producers elsewhere and not used yet. */
  get credit(): number {
    return this.#reserved;
  }

  /** Items lent to receivers elsewhere and not received there yet. */
  get lent(): number {
    return this.#lent;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Promises slots to a producer elsewhere (credit), as many as are free up to one grant's
   * worth: its next sends may go out without waiting, because the room is kept for them.
   * Nothing is granted while others wait for room or after close.
   */
  grant(): number {
    if (this.#closed || this.#senders.length > 0) return 0;
    const granted = Math.max(0, Math.min(this.#creditMax, this.capacity - this.#held));
    this.#reserved += granted;
    return granted;
  }

  /** The producer on `node` ran out of credit: its waiting request takes any room from now on. */
  hurry(node: string): void {
    const request = this.#wanting.find((wanting) => wanting.node === node);
    if (request === undefined) return;
    request.hurried = true;
    this.#admit();
  }

  /**
   * A producer elsewhere wants more credit before it runs out: it gets a grant now, or once
   * room frees (after parked sends), or 0 once the channel closes.
   */
  want(request: CreditRequest): void {
    const granted = this.grant();
    if (granted > 0 || this.#closed) return request.resolve(granted);
    this.#wanting.push(request);
  }

  /**
   * Items sent on credit (plain, or packed as their producer sent them): their room was
   * kept, so they always go in. A waiting receive that takes batches gets as many of them as
   * it takes.
   */
  push(items: readonly unknown[] | Packed): void {
    this.sent += Array.isArray(items) ? items.length : (items as Packed).count;
    if (Array.isArray(items)) {
      this.#reserved = Math.max(0, this.#reserved - items.length);
      for (const item of items) this.#items.push(item);
    } else {
      const packed = items as Packed;
      this.#reserved = Math.max(0, this.#reserved - packed.count);
      this.#items.pushPacked(packed);
    }
    this.#serve();
    this.#admit(); // the promised room may have gone straight to a receiver: it is free again
    this.#maybeEnd(); // the last items promised before a close: other waiting receives end
  }

  /** Hands items to the waiting receives, oldest first. */
  #serve(): void {
    while (this.#receivers.length > 0 && this.size > 0) {
      const receiver = this.#receivers.shift() as Waiter;
      receiver.resolve(receiver.batch === undefined ? this.#items.shift() : this.#takeBatch(receiver.batch));
    }
  }

  /** Room taken: items here, room promised to producers, items lent to receivers elsewhere. */
  get #held(): number {
    return this.size + this.#reserved + this.#lent;
  }

  /** `count` items went out in a batch and wait in a receiver's buffer elsewhere. */
  lend(count: number): void {
    this.#lent += count;
  }

  /** Lent items were received, or came back (requeued first): their room is free. */
  repay(count: number): void {
    this.#lent = Math.max(0, this.#lent - count);
    this.#admit();
    this.#maybeEnd();
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
    // Credit goes out in useful amounts (a producer answered for every freed slot would send
    // runs of one), unless the producer has run out.
    while (this.#wanting.length > 0 && this.#senders.length === 0 && this.#held < this.capacity) {
      const request = this.#wanting[0] as CreditRequest;
      if (!request.hurried && this.capacity - this.#held < this.#creditStep) break;
      this.#wanting.shift();
      request.resolve(this.grant());
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

  /** A batch for a receiving node: its items are lent (the table records it), so the room taken does not change. */
  #takeBatch(max: number): Batch {
    const batch = this.#items.takeBatch(Math.min(max, this.#lendMax));
    if (this.#ended) queueMicrotask(() => this.#maybeEnd());
    return batch;
  }

  /**
   * Closed, and nothing is left or still on its way: no items here, none promised to a
   * producer, and none lent to a consumer's node (which may give them back).
   */
  get #ended(): boolean {
    return this.#closed && this.size === 0 && this.#senders.length === 0 && this.#reserved === 0 && this.#lent === 0;
  }

  /** @throws ChannelEmptyError, ChannelClosedError (closed and drained) */
  tryReceive(): unknown {
    if (this.size > 0) return this.#take();
    if (this.#ended) throw new ChannelClosedError('closed and drained');
    throw new ChannelEmptyError();
  }

  /**
   * Puts items back at the head, in their order: lent items that reached a receive that had
   * already given up, a consumer's node that stopped receiving, or one that died before it
   * handed them out. Waiting receives get them first.
   */
  requeue(items: readonly unknown[]): void {
    for (let i = items.length - 1; i >= 0; i--) this.#items.unshift(items[i]);
    this.#serve();
  }

  /**
   * No new sends. Parked sends were issued before the close: their items still go in as
   * room frees up. Receivers drain what is there, then get `CHANNEL_CLOSED`.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const wanting = this.#wanting;
    this.#wanting = [];
    for (const request of wanting) request.resolve(0);
    this.onClose?.();
    this.#maybeEnd();
  }

  /** Removes a parked waiter (its caller gave up); true when it was still parked. */
  cancel(waiter: Waiter): boolean {
    const r = this.#receivers.indexOf(waiter);
    if (r >= 0) return this.#receivers.splice(r, 1).length > 0;
    const s = this.#senders.findIndex((parked) => parked.waiter === waiter);
    if (s < 0) return false;
    this.#senders.splice(s, 1);
    queueMicrotask(() => this.#maybeEnd()); // it may have been the last thing on its way
    return true;
  }

  /**
   * Nodes died (`gone` picks them): their parked receivers and credit requests go away;
   * their parked sends keep their items (already sent), but nobody is left to answer.
   */
  dropNodes(gone: (node: string) => boolean): void {
    this.#receivers = this.#receivers.filter((waiter) => waiter.node === undefined || !gone(waiter.node));
    this.#wanting = this.#wanting.filter((request) => !gone(request.node));
  }

  #accept(item: unknown): void {
    this.sent += 1;
    const receiver = this.#receivers.shift();
    if (receiver !== undefined) receiver.resolve(receiver.batch === undefined ? item : single(item));
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
    const onEnd = this.onEnd;
    this.onEnd = undefined;
    onEnd?.();
  }
}
