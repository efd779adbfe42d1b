import type { ChannelWaitOptions } from './Channel.js';
import { NOTHING } from './Channel.js';
import { lendLimit } from './ChannelCore.js';
import { ChannelEmptyError } from './errors.js';
import { segmentCount, type Segment } from './packing.js';
import { ReceivedReport } from './ReceivedReport.js';
import { Runs } from './Runs.js';
import { localAnswer, type ChannelAnswer } from './RemoteChannel.js';
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
   * Asks the owner for up to `max` items. With `wait`, the request parks there while the
   * channel is empty (`signal` gives it up); without, it takes only what is there now.
   */
  fetch(owner: NodeId, channel: string, max: number, wait: boolean, signal: AbortSignal | undefined): Promise<ChannelAnswer>;
  /** Asks the owner for one item if it has one now; rejects with `CHANNEL_EMPTY`, or `CHANNEL_CLOSED` once closed and drained. */
  tryFetch(owner: NodeId, channel: string): Promise<ChannelAnswer>;
  /** The runs of a batch from `owner` (packed runs are opened only when they come from this machine). @throws BAD_FRAME for packed runs from another */
  runsOf(segments: readonly Segment[], owner: NodeId): unknown[][];
  /** Sends a report of items received here on its way to the owner, ahead of what this node sends there next. */
  report(owner: NodeId, channel: string, report: ReceivedReport): void;
  /**
   * Gives the `count` oldest lent items that were not reported received back to the head of
   * the channel, in order (the owner kept them), and frees their room.
   */
  giveBack(owner: NodeId, channel: string, count: number): void;
  /** This node receives no more from `channel` (it is ending): everything lent to it and not reported received goes back, also what is on its way here. */
  giveBackAll(owner: NodeId, channel: string): void;
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
  /** `tryReceive` calls asked of the owner and not answered yet (their items join {@link Inbound.items}). */
  tries: number;
  /** The report of items received here that is on its way to the owner and still counting, if any. */
  report: ReceivedReport | undefined;
  /** Items received here since the last fetch. */
  sinceFetch: number;
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
  /** Everything lent here went back as the node ends: what still arrives is the owner's again. */
  left: boolean;
}

/**
 * The receiving side of the channels owned by other nodes. Every `receive` on this node
 * for one channel shares one stream of batches from the owner: one fetch at a time, items
 * handed to waiting receives in order. A fetch asks for what this node receives in about
 * 2 ms (or two round trips to a distant owner) at its recent rate, so a loop gets large batches and a worker that
 * takes its time gets one item at a time and does not hoard jobs other consumers could do.
 * While a fast consumer works through its batch, the items already waiting at the owner
 * are fetched ahead (so it does not wait a round trip per batch); a fetch ahead never parks
 * at the owner, so items sent later go to whoever is waiting then.
 *
 * The owner keeps every item it lent here until this node reports it received (a
 * {@link ReceivedReport}, one per burst of receives, which frees its room) or gives it
 * back; if this node dies first, the owner puts what is left back at the head of the
 * channel. Both only work if this node disposes of its items in the order they were lent
 * and says so in that order: items are handed out in arrival order, the report of those
 * taken so far is made final before anything else is asked of the owner, and what is given
 * back is always everything still here.
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
   * `tryReceive` of `channel`: an item already here, or one the owner has now. The owner's
   * item joins this node's stream (so that items are handed out in the order they were
   * lent): it goes to a receive that was waiting here first, if there is one.
   */
  tryReceive(owner: NodeId, channel: string, capacity: number): Promise<ChannelAnswer> {
    const taken = this.tryTake(channel);
    if (taken !== NOTHING) return Promise.resolve(localAnswer(taken));
    const inbound = this.#of(owner, channel, capacity);
    inbound.tries += 1;
    this.#seal(inbound);
    const settled = (): void => {
      inbound.tries -= 1;
    };
    return this.#link.tryFetch(owner, channel).then(
      (answer) => {
        settled();
        this.#arrived(inbound, this.#link.runsOf(answer.value as Segment[], owner), answer);
        if (inbound.waiters.size > 0 || inbound.items.size === 0) throw new ChannelEmptyError();
        return { value: this.#takeItem(inbound), size: answer.size, closed: answer.closed };
      },
      (error: unknown) => {
        settled();
        this.#forgetIfIdle(inbound);
        throw error;
      },
    );
  }

  /**
   * The node is ending: gives up the fetches parked at owners, and gives back every item
   * fetched here that no receive took, so that the other consumers get them.
   */
  giveBackAll(): void {
    for (const inbound of this.#inbound.values()) {
      this.#giveUpFetch(inbound);
      this.#seal(inbound);
      inbound.items.clear();
      inbound.left = true;
      // The owner takes back what is on its way here too: all of it goes back in the order it was lent.
      this.#link.giveBackAll(inbound.owner, inbound.channel);
    }
    this.#inbound.clear();
  }

  /**
   * A batch reached a receive that had given up (its fetch was abandoned). It joins the
   * stream, so that it goes back (or to a receive waiting here now) after what was lent
   * before it.
   */
  leftover(owner: NodeId, channel: string, segments: readonly Segment[]): void {
    const inbound = this.#inbound.get(channel);
    if (inbound === undefined) {
      // Nothing else of the channel is here: the batch is the oldest of what was lent and not reported.
      const count = segments.reduce((sum, segment) => sum + segmentCount(segment), 0);
      if (count > 0) this.#link.giveBack(owner, channel, count);
      return;
    }
    let runs: unknown[][];
    try {
      runs = this.#link.runsOf(segments, owner);
    } catch {
      return; // packed by another machine: never opened here
    }
    this.#arrived(inbound, runs, localAnswer(segments));
    // A fetch on its way brings younger items: they go back after it, with these (see #watch).
    if (inbound.waiters.size === 0 && inbound.fetch === undefined) this.#giveBack(inbound);
  }

  /** Gives up the fetch parked at the owner, if one is (what reaches it later goes back to the channel). */
  #giveUpFetch(inbound: Inbound): void {
    if (!(inbound.fetch instanceof AbortController)) return;
    const fetch = inbound.fetch;
    inbound.fetch = undefined;
    fetch.abort();
  }

  /** Gives every item still here back to the owner (after the report of those taken), and forgets the channel if nothing else is going on. */
  #giveBack(inbound: Inbound): void {
    this.#seal(inbound);
    const count = inbound.items.clear();
    if (count > 0) this.#link.giveBack(inbound.owner, inbound.channel, count);
    this.#forgetIfIdle(inbound);
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
      inbound = { owner, channel, items: new Runs(), waiters: new Set(), fetch: undefined, tries: 0, report: undefined, sinceFetch: 0, appetite: 1, most, since: 0, taken: 0, watched: false, left: false, roundTrip: new RoundTrip() };
      this.#inbound.set(channel, inbound);
    }
    return inbound;
  }

  /** Hands out the next item here; from this moment it counts as received (in the report on its way to the owner). */
  #takeItem(inbound: Inbound): unknown {
    const value = inbound.items.shift();
    inbound.taken += 1;
    inbound.sinceFetch += 1;
    if (inbound.report !== undefined) inbound.report.add();
    else this.#openReport(inbound);
    // Ahead of need when a quarter of a batch is left, once a few were received since the last
    // fetch (a fetch ahead that brought little is not followed by another at once).
    if (inbound.appetite >= AHEAD && inbound.items.size < inbound.appetite / 4 && inbound.sinceFetch >= inbound.appetite / 16) this.#fetch(inbound, false);
    return value;
  }

  /**
   * Starts a report with the item just taken, and sends it on its way: what this node sends
   * the owner next goes after it. A turn later, a channel nothing here uses any more is
   * forgotten (not at once: a loop that empties its batch receives again in the same turn,
   * and keeps its measured appetite).
   */
  #openReport(inbound: Inbound): void {
    const report: ReceivedReport = new ReceivedReport(() => {
      if (inbound.report === report) inbound.report = undefined;
    });
    inbound.report = report;
    this.#link.report(inbound.owner, inbound.channel, report); // may go out (and be sealed) at once, when it fills a frame
    setImmediate(() => this.#forgetIfIdle(inbound));
  }

  /** Makes the count of the report on its way final: what is asked of the owner next comes after those items. */
  #seal(inbound: Inbound): void {
    inbound.report?.seal();
  }

  /**
   * Items left here after a consumer stopped receiving (it broke out of its loop, or took
   * what it needed) would be kept from the other consumers for good: once none was taken
   * for {@link IDLE_MS} and no receive waits here, they go back to the head of the channel.
   * A fetch ahead still on its way is waited for, so that its items go back with the older
   * ones, behind them (given back later, they would go to the head in front of them).
   */
  #watch(inbound: Inbound): void {
    if (inbound.watched) return;
    inbound.watched = true;
    let before = inbound.taken;
    let since = inbound.since;
    const check = (): void => {
      const moved = inbound.taken !== before || inbound.since !== since;
      if (inbound.items.size === 0 || inbound.waiters.size > 0 || inbound.fetch !== undefined || moved) {
        before = inbound.taken;
        since = inbound.since;
        if (inbound.items.size > 0) this.#later(check);
        else inbound.watched = false;
        return;
      }
      inbound.watched = false;
      this.#giveBack(inbound);
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
   * of need) only what the owner holds now. The report of the items received here so far
   * goes ahead of it.
   */
  #fetch(inbound: Inbound, wait: boolean): void {
    if (inbound.fetch !== undefined || inbound.left) return;
    const controller = wait ? new AbortController() : undefined;
    const fetch = controller ?? 'ahead';
    inbound.fetch = fetch;
    this.#seal(inbound);
    inbound.sinceFetch = 0;
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
    this.#link.fetch(inbound.owner, inbound.channel, inbound.appetite, wait, controller?.signal).then((answer) => {
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
      this.#arrived(inbound, runs, answer);
      if (inbound.waiters.size > 0) this.#fetch(inbound, true);
    }, failed);
  }

  /** Items lent to this node arrived (`runs`, from `answer`): they join the stream, and go to the waiting receives, oldest first. */
  #arrived(inbound: Inbound, runs: readonly unknown[][], answer: ChannelAnswer): void {
    if (inbound.left) return;
    for (const run of runs) inbound.items.push(run);
    for (const waiter of inbound.waiters) {
      if (inbound.items.size === 0) break;
      inbound.waiters.delete(waiter);
      // Each gets the owner's news about the channel with its item.
      waiter.resolve({ value: this.#takeItem(inbound), size: answer.size, closed: answer.closed });
    }
    if (inbound.items.size > 0) this.#watch(inbound);
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

  /** Drops the state of a channel nothing here uses any more (a report still on its way finishes by itself). */
  #forgetIfIdle(inbound: Inbound): void {
    const idle = inbound.items.size === 0 && inbound.waiters.size === 0 && inbound.fetch === undefined && inbound.tries === 0;
    if (idle && this.#inbound.get(inbound.channel) === inbound) this.#inbound.delete(inbound.channel);
  }
}
