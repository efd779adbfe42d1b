import type { Clock, TimerHandle } from './clock.js';

/** Something with a deadline: `at` is set when it is added, `done` once it no longer waits. @internal */
export interface Timed {
  at: number;
  done: boolean;
}

/** A timer that can stop and start keeping the program alive, as Node's own can. */
interface Refable {
  ref(): unknown;
  unref(): unknown;
}

const isRefable = (timer: TimerHandle): timer is Refable & TimerHandle =>
  typeof timer === 'object' && typeof (timer as Partial<Refable>).ref === 'function' && typeof (timer as Partial<Refable>).unref === 'function';

/** The waits of one length, in deadline order (they were added in time order). */
interface Lane<T extends Timed> {
  items: T[];
  head: number;
  /** Entries before their deadline that no longer wait: dropped in bulk once they are many. */
  dropped: number;
}

/**
 * Many timeouts on one clock timer. Waits of the same length end in the order they were
 * added, so each length is a queue; the clock timer is set for the earliest head. Per wait
 * this costs a slot in an array instead of a timer of Node's own (an object with a place
 * in the timer list, made and cleared for every ask), which was a fifth of the time of a
 * tree of short-lived actors, each asked once. Works on any {@link Clock}, injected ones too.
 * @internal
 */
export class Deadlines<T extends Timed> {
  readonly #clock: Clock;
  readonly #expire: (item: T) => void;
  readonly #lanes = new Map<number, Lane<T>>();
  #timer: TimerHandle | undefined;
  #timerAt = Number.POSITIVE_INFINITY;
  /** Nothing waits, and the clock timer is kept, unreferenced, for the next wait (see {@link Deadlines.clear}). */
  #idle = false;

  /**
   * @param clock - the time and timers
   * @param expire - called with an item whose deadline passed while it still waited
   */
  constructor(clock: Clock, expire: (item: T) => void) {
    this.#clock = clock;
    this.#expire = expire;
  }

  /**
   * `item` waits at most `ms` (a finite number) from now: until the next whole millisecond
   * of the clock after that (a whole number is kept in the item itself, where a fraction
   * takes a number object of its own per wait).
   */
  add(item: T, ms: number): void {
    item.at = Math.ceil(this.#clock.now() + ms);
    let lane = this.#lanes.get(ms);
    if (lane === undefined) this.#lanes.set(ms, (lane = { items: [], head: 0, dropped: 0 }));
    lane.items.push(item);
    if (item.at < this.#timerAt) this.#arm(item.at);
    else if (this.#idle) {
      this.#idle = false;
      (this.#timer as Refable).ref();
    }
  }

  /** An item of `ms` no longer waits (its `done` is set): its slot is reclaimed in bulk, later. */
  drop(ms: number): void {
    const lane = this.#lanes.get(ms);
    if (lane === undefined) return;
    lane.dropped += 1;
    if (lane.dropped > 64 && lane.dropped * 2 > lane.items.length - lane.head) this.#compact(ms, lane);
  }

  #compact(ms: number, lane: Lane<T>): void {
    const kept: T[] = [];
    for (let i = lane.head; i < lane.items.length; i++) if (!(lane.items[i] as T).done) kept.push(lane.items[i] as T);
    if (kept.length === 0) this.#lanes.delete(ms);
    else Object.assign(lane, { items: kept, head: 0, dropped: 0 });
  }

  #arm(at: number): void {
    this.#idle = false;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = this.#clock.setTimeout(this.#fire, Math.max(0, at - this.#clock.now()));
  }

  readonly #fire = (): void => {
    this.#idle = false;
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    const now = this.#clock.now();
    let next = Number.POSITIVE_INFINITY;
    // The lanes are read first and the owner told after: its `expire` drops and adds items,
    // which may compact or delete the very lane being read.
    const due: T[] = [];
    for (const [ms, lane] of [...this.#lanes]) {
      const { items } = lane;
      while (lane.head < items.length && ((items[lane.head] as T).done || (items[lane.head] as T).at <= now)) {
        const item = items[lane.head] as T;
        items[lane.head++] = undefined as unknown as T;
        if (item.done) lane.dropped = Math.max(0, lane.dropped - 1);
        else due.push(item);
      }
      if (lane.head >= items.length) this.#lanes.delete(ms);
      else {
        if (lane.head > 1024 && lane.head * 2 > items.length) Object.assign(lane, { items: items.slice(lane.head), head: 0 });
        next = Math.min(next, (lane.items[lane.head] as T).at);
      }
    }
    for (const item of due) if (!item.done) this.#expire(item); // one may have settled another
    if (next !== Number.POSITIVE_INFINITY && next < this.#timerAt) this.#arm(next);
  };

  /**
   * Nothing waits any more (its owner knows): forget every lane, and make sure the clock
   * timer keeps no program alive. A timer that can be unreferenced (Node's own) is kept for
   * the next wait, which is most often of the same length and so due later: one ask at a
   * time then costs no timer made and cleared per ask, only one that fires early once per
   * timeout and is set again. Others are cleared.
   */
  clear(): void {
    this.#lanes.clear();
    if (this.#timer !== undefined && isRefable(this.#timer)) {
      if (!this.#idle) this.#timer.unref();
      this.#idle = true;
      return;
    }
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
  }

  /** How many items wait (those dropped but not yet reclaimed included). @internal */
  get size(): number {
    let size = 0;
    for (const lane of this.#lanes.values()) size += lane.items.length - lane.head;
    return size;
  }
}
