import type { ChannelWaitOptions } from './Channel.js';
import { NOTHING } from './Channel.js';
import { lendLimit } from './ChannelCore.js';
import type { Segment } from './packing.js';
import { localAnswer, type ChannelAnswer } from './RemoteChannel.js';
import { Runs } from './Runs.js';
import type { Clock } from '../clock.js';
import type { NodeId } from '../wire/ids.js';
import { abortError, armLimits } from '../limits.js';
import { fetchHorizon, RoundTrip } from './linkWindow.js';

/**
 * About the most items one fetch takes from the owner; the rest wait there. A loop that
 * receives 2 M items/s takes this many in 2 ms: large enough that the fetch ahead arrives
 * before the batch runs out, even when the owner's thread waits for a core.
 */
const BATCH = 4096;
/** The shortest span a receiving rate is measured over. */
const MIN_SPAN_MS = 0.05;
/** A consumer that takes at least this many items per fetch fetches ahead of need. */
const AHEAD = 8;
/** Items fetched here that no receive took for this long go back to the channel (their consumer stopped). */
const IDLE_MS = 100;

/** What the receiving side needs from its node. @internal */
export interface ReceivingLink {
  readonly clock: Clock;
  /**
   * Asks the owner for up to `max` items, reporting `received` items received here since
   * the last report. With `wait`, the request parks there while the channel is empty
   * (`signal` gives it up); without, it takes only what is there now.
   */
  fetch(owner: NodeId, channel: string, max: number, received: number, wait: boolean, signal: AbortSignal | undefined): Promise<ChannelAnswer>;
  /** The items of a fetched batch, run by run, in order (packed runs opened). */
  /** The runs of a batch from `owner` (packed runs are opened only when they come from this machine). */
  runsOf(segments: readonly Segment[], owner: NodeId): unknown[][];
  /** Tells the owner that `count` lent items were received here: their room is free. */
  repay(owner: NodeId, channel: string, count: number): void;
  /** Puts lent items nobody here took back at the head of the channel, in order, and frees their room. */
  giveBack(owner: NodeId, channel: string, items: unknown[]): void;
}

interface LocalWaiter {
  resolve(answer: ChannelAnswer): void;
  reject(error: unknown): void;
}

/** One channel owned elsewhere, as received on this node. */
interface Inbound {
  readonly owner: NodeId;
  readonly channel: string;
  /** Items fetched and not yet handed to a `receive`. They are lent: they take room in the channel. */
  readonly items: Runs;
  /** `receive` calls on this node waiting for items, oldest first. */
  readonly waiters: Set<LocalWaiter>;
  /** The fetch in flight (none: `undefined`); one that waits at the owner can be given up with its controller. */
  fetch: AbortController | 'ahead' | undefined;
  /** Items received here not yet reported to the owner. */
  owed: number;
  /** How many items the next fetch asks for: what this node receives in {@link fetchHorizon} (2 ms, or two round trips to the owner). */
  appetite: number;
  /** The most one fetch takes: {@link BATCH}, or what the owner lends of a smaller channel ({@link lendLimit}). */
  readonly most: number;
  /** When the last batch arrived, and how many items were received here since. */
  since: number;
  taken: number;
  /** Whether a check that the items here are still being taken is due. */
  watched: boolean;
  /** The round trip to the owner, timed on fetches ahead (they never park there). */
  readonly roundTrip: RoundTrip;
}

/**
 * The receiving side of the channels owned by other nodes. Every `receive` on this node
 * for one channel shares one stream of batches from the owner: one fetch at a time, items
 * handed to waiting receives in order. A fetch asks for what this node receives in about
 * 2 ms (or two round trips to a distant owner) at its recent rate, so a loop gets large batches and a worker that
 * takes its time gets one item at a time and does not hoard jobs other consumers could do.
 * While a fast consumer works through its batch, the items already waiting at the owner
 * are fetched ahead (so it does not wait a round trip per batch); a fetch ahead never parks
 * at the owner, so items sent later go to whoever is waiting then. Received items are
 * reported to the owner with the next fetch or at the end of the turn, which frees their
 * room.
 *
 * A `receive` that gives up leaves the stream; when the last one leaves, the fetch parked
 * at the owner is given up too, and items that reached it go back to the channel.
 * @internal
 */
export class ChannelReceiving {
  readonly #link: ReceivingLink;
  readonly #inbound = new Map<string, Inbound>();

  constructor(link: ReceivingLink) {
    this.#link = link;
  }

  /** The next item of `channel`: from this node's batch, or once the owner sends one. */
  receive(owner: NodeId, channel: string, capacity: number, options: ChannelWaitOptions | undefined): Promise<ChannelAnswer> {
    const inbound = this.#of(owner, channel, capacity);
    if (inbound.waiters.size === 0 && inbound.items.size > 0) return Promise.resolve(localAnswer(this.#takeItem(inbound)));
    return new Promise((resolve, reject) => {
      const signal = options?.signal;
      if (signal?.aborted === true) return reject(abortError(signal, 'channel receive'));
      const waiter: LocalWaiter = {
        resolve: (answer) => (disarm(), resolve(answer)),
        reject: (error) => (disarm(), reject(error)),
      };
      const limits = { timeout: options?.timeout, signal, timeoutCode: 'CHANNEL_TIMEOUT' } as const;
      const disarm = armLimits(limits, 'channel receive', this.#link.clock, (error) => {
        if (!inbound.waiters.delete(waiter)) return;
        waiter.reject(error);
        if (inbound.waiters.size === 0) this.#giveUpFetch(inbound);
      });
      inbound.waiters.add(waiter);
      this.#fetch(inbound, true);
    });
  }

  /**
   * The node is ending: gives up the fetches parked at owners, and gives back every item
   * fetched here that no receive took, so that the other consumers get them.
   */
  giveBackAll(): void {
    for (const inbound of this.#inbound.values()) {
      this.#giveUpFetch(inbound);
      if (inbound.items.size > 0) this.#link.giveBack(inbound.owner, inbound.channel, inbound.items.takeAll());
      if (inbound.owed > 0) this.#repay(inbound);
    }
  }

  /** Gives up the fetch parked at the owner, if one is (what reaches it later goes back to the channel). */
  #giveUpFetch(inbound: Inbound): void {
    if (!(inbound.fetch instanceof AbortController)) return;
    const fetch = inbound.fetch;
    inbound.fetch = undefined;
    fetch.abort();
  }

  /** An item already fetched to this node, if there is one and nobody here waits before the caller; else {@link NOTHING}. */
  tryTake(channel: string): unknown {
    const inbound = this.#inbound.get(channel);
    if (inbound === undefined || inbound.waiters.size > 0 || inbound.items.size === 0) return NOTHING;
    return this.#takeItem(inbound);
  }

  #of(owner: NodeId, channel: string, capacity: number): Inbound {
    let inbound = this.#inbound.get(channel);
    if (inbound === undefined) {
      const most = Math.min(BATCH, lendLimit(capacity));
      inbound = { owner, channel, items: new Runs(), waiters: new Set(), fetch: undefined, owed: 0, appetite: 1, most, since: 0, taken: 0, watched: false, roundTrip: new RoundTrip() };
      this.#inbound.set(channel, inbound);
    }
    return inbound;
  }

  #takeItem(inbound: Inbound): unknown {
    const value = inbound.items.shift();
    inbound.taken += 1;
    if (inbound.owed++ === 0) setImmediate(() => this.#repay(inbound));
    // Ahead of need when a quarter of a batch is left, once a few were received since the last
    // fetch (a fetch ahead that brought little is not followed by another at once).
    if (inbound.appetite >= AHEAD && inbound.items.size < inbound.appetite / 4 && inbound.owed >= inbound.appetite / 16) this.#fetch(inbound, false);
    return value;
  }

  #repay(inbound: Inbound): void {
    const count = inbound.owed;
    inbound.owed = 0;
    if (count > 0) this.#link.repay(inbound.owner, inbound.channel, count);
    this.#forgetIfIdle(inbound);
  }

  /**
   * Items left here after a consumer stopped receiving (it broke out of its loop, or took
   * what it needed) would be kept from the other consumers for good: once none was taken
   * for {@link IDLE_MS} and no receive waits here, they go back to the head of the channel.
   */
  #watch(inbound: Inbound): void {
    if (inbound.watched) return;
    inbound.watched = true;
    let before = inbound.taken;
    let since = inbound.since;
    const check = (): void => {
      const moved = inbound.taken !== before || inbound.since !== since;
      if (inbound.items.size === 0 || inbound.waiters.size > 0 || moved) {
        before = inbound.taken;
        since = inbound.since;
        if (inbound.items.size > 0) this.#later(check);
        else inbound.watched = false;
        return;
      }
      inbound.watched = false;
      this.#link.giveBack(inbound.owner, inbound.channel, inbound.items.takeAll());
      this.#forgetIfIdle(inbound);
    };
    this.#later(check);
  }

  /** Runs `check` after {@link IDLE_MS}, without keeping the process alive for it (a real timer is unref'd). */
  #later(check: () => void): void {
    const timer = this.#link.clock.setTimeout(check, IDLE_MS) as { unref?: () => void };
    timer.unref?.();
  }

  /**
   * Fetches the next batch: `wait`ing for items when a receive here needs one, else (ahead
   * of need) only what the owner holds now. The items received here so far are reported
   * with it.
   */
  #fetch(inbound: Inbound, wait: boolean): void {
    if (inbound.fetch !== undefined) return;
    const controller = wait ? new AbortController() : undefined;
    const fetch = controller ?? 'ahead';
    inbound.fetch = fetch;
    const received = inbound.owed;
    inbound.owed = 0;
    this.#measure(inbound);
    const failed = (error: unknown): void => {
      if (controller?.signal.aborted === true) return; // given up: its items, if any came, went back to the channel
      if (inbound.fetch === fetch) inbound.fetch = undefined;
      // Closed and drained, the owner is gone, or its batch could not be opened: the waiters here had nothing left to take.
      const waiters = [...inbound.waiters];
      inbound.waiters.clear();
      for (const waiter of waiters) waiter.reject(error);
      this.#forgetIfIdle(inbound);
    };
    const sentAt = this.#link.clock.now();
    this.#link.fetch(inbound.owner, inbound.channel, inbound.appetite, received, wait, controller?.signal).then((answer) => {
      if (!wait) inbound.roundTrip.sample(this.#link.clock.now() - sentAt);
      let runs: unknown[][];
      try {
        runs = this.#link.runsOf(answer.value as Segment[], inbound.owner);
      } catch (error) {
        return failed(error); // a batch that cannot be opened (packed by another machine): refused, not thrown into the void
      }
      if (inbound.fetch === fetch) inbound.fetch = undefined;
      inbound.since = this.#link.clock.now();
      inbound.taken = 0;
      for (const run of runs) inbound.items.push(run);
      this.#serve(inbound, answer);
      if (inbound.items.size > 0) this.#watch(inbound);
    }, failed);
  }

  /**
   * Sizes the next fetch by how fast this node has received since the last batch came: a
   * loop that empties its batch at once asks for more each time (up to {@link Inbound.most}); a
   * worker that spends 20 ms on each item asks for one, as Python's `Queue.get` takes one,
   * so that several of them share the work.
   */
  #measure(inbound: Inbound): void {
    if (inbound.taken === 0) return;
    const span = Math.max(this.#link.clock.now() - inbound.since, MIN_SPAN_MS);
    inbound.appetite = Math.min(inbound.most, Math.max(1, Math.ceil((inbound.taken / span) * fetchHorizon(inbound.roundTrip.ms))));
  }

  /** Hands fetched items to the waiting receives, oldest first; fetches again for the ones left. */
  #serve(inbound: Inbound, answer: ChannelAnswer): void {
    for (const waiter of inbound.waiters) {
      if (inbound.items.size === 0) break;
      inbound.waiters.delete(waiter);
      // Each gets the owner's news about the channel with its item.
      waiter.resolve({ value: this.#takeItem(inbound), size: answer.size, closed: answer.closed });
    }
    if (inbound.waiters.size > 0) this.#fetch(inbound, true);
  }

  /** Drops the state of a channel nothing here uses any more. */
  #forgetIfIdle(inbound: Inbound): void {
    const idle = inbound.items.size === 0 && inbound.waiters.size === 0 && inbound.fetch === undefined && inbound.owed === 0;
    if (idle && this.#inbound.get(inbound.channel) === inbound) this.#inbound.delete(inbound.channel);
  }
}
