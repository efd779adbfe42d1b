import { Fifo } from '../Fifo.js';
import type { NodeId } from '../wire/ids.js';
import type { ChannelCore } from './ChannelCore.js';
import { segmentCount, type Segment } from './packing.js';

/**
 * The items a channel's owner lent to one node in batches, oldest first, kept until that
 * node reports them received or gives them back. The node hands its items to its receives
 * in the order they were lent and reports counts, so a count always settles the oldest
 * items; when the node dies, what is left was not handed to anyone there and goes back to
 * the channel. Batches are kept as they went out (a packed run stays packed): one entry
 * per segment, nothing per item.
 * @internal
 */
export class Loans {
  readonly #segments = new Fifo<Segment>();
  /** How many items of the first segment are already settled. */
  #at = 0;
  /** Items lent and not yet received or given back. */
  count = 0;

  /** A batch went out to the node. */
  lend(segments: readonly Segment[]): void {
    for (const segment of segments) {
      const count = segmentCount(segment);
      if (count === 0) continue;
      // Kept apart from what was sent: a transport that passes objects on by reference must
      // not let the receiving side's buffer change what is kept here.
      this.#segments.push('bytes' in segment ? segment : { items: segment.items.slice() });
      this.count += count;
    }
  }

  /** The node received the `count` oldest items: they are forgotten. Returns how many there were (no more than were lent). */
  settle(count: number): number {
    const settled = Math.min(count, this.count);
    let left = settled;
    while (left > 0) {
      const head = this.#segments.peek() as Segment;
      const rest = segmentCount(head) - this.#at;
      if (left < rest) {
        this.#at += left;
        break;
      }
      this.#segments.shift();
      this.#at = 0;
      left -= rest;
    }
    this.count -= settled;
    return settled;
  }

  /**
   * Takes back the `count` oldest items (all of them by default), in order: the node gave
   * them back, or died. `open` reads a packed run.
   */
  takeBack(open: (segment: Segment) => unknown[], count = this.count): unknown[] {
    const back: unknown[] = [];
    while (back.length < count && this.#segments.size > 0) {
      const head = this.#segments.peek() as Segment;
      const items = open(head);
      const end = Math.min(items.length, this.#at + count - back.length);
      for (let i = this.#at; i < end; i++) back.push(items[i]);
      if (end < items.length) {
        // Part of a run: the rest stays, opened.
        this.#segments.shift();
        this.#segments.unshift({ items: items.slice(end) });
      } else this.#segments.shift();
      this.#at = 0;
    }
    this.count -= back.length;
    return back;
  }
}

/**
 * As a channel's owner: the {@link Loans} of every channel, per node, and what they do to
 * the channel's state (room taken while lent; items back at the head when they come back).
 * @internal
 */
export class LoanBook {
  readonly #byChannel = new Map<string, Map<NodeId, Loans>>();
  readonly #open: (segment: Segment) => unknown[];

  /** @param open - reads one of this node's segments (a packed run opened) */
  constructor(open: (segment: Segment) => unknown[]) {
    this.#open = open;
  }

  /** A batch of `count` items goes to `node`: it takes room until the node reports it received. */
  lend(core: ChannelCore, channel: string, node: NodeId, segments: readonly Segment[], count: number): void {
    let byNode = this.#byChannel.get(channel);
    if (byNode === undefined) this.#byChannel.set(channel, (byNode = new Map()));
    let loans = byNode.get(node);
    if (loans === undefined) byNode.set(node, (loans = new Loans()));
    core.lend(count);
    loans.lend(segments);
  }

  /** `node` received the `count` oldest items lent to it: their room is free. */
  settle(core: ChannelCore, channel: string, node: NodeId, count: number): void {
    const loans = this.#byChannel.get(channel)?.get(node);
    const settled = loans === undefined || !isCount(count) ? 0 : loans.settle(count);
    if (settled > 0) core.repay(settled);
  }

  /**
   * The `count` oldest items lent to `node` (all of them by default) go back to the head of
   * the channel, in order, and their room is free. Nothing, for a node whose loans already
   * went back at its death.
   */
  takeBack(core: ChannelCore, channel: string, node: NodeId, count?: number): void {
    const loans = this.#byChannel.get(channel)?.get(node);
    if (loans !== undefined && (count === undefined || isCount(count))) this.#back(core, loans, count);
  }

  /** The nodes `channel`'s items were lent to and that have not given all of them back (the snapshot's participants). */
  nodes(channel: string): Iterable<NodeId> {
    return this.#byChannel.get(channel)?.keys() ?? [];
  }

  /** The channel has ended. */
  forget(channel: string): void {
    this.#byChannel.delete(channel);
  }

  /** The nodes `gone` picks died: what was lent to them goes back to the head of its channel (`coreOf` finds it). */
  drop(gone: (node: NodeId) => boolean, coreOf: (channel: string) => ChannelCore | undefined): void {
    for (const [channel, byNode] of this.#byChannel) {
      for (const [node, loans] of [...byNode]) {
        if (!gone(node)) continue;
        byNode.delete(node);
        const core = coreOf(channel);
        if (core !== undefined) this.#back(core, loans, undefined);
      }
    }
  }

  #back(core: ChannelCore, loans: Loans, count: number | undefined): void {
    const items = loans.takeBack(this.#open, count);
    if (items.length === 0) return;
    core.requeue(items); // first: the room they take as items is the room they held as loans
    core.repay(items.length);
  }
}

/** Whether a count from another node is one (a whole number above 0). */
function isCount(count: unknown): count is number {
  return Number.isInteger(count) && (count as number) > 0;
}
