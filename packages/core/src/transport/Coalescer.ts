import { microtask } from '../microtask.js';

/** Counts the frames received on this thread: each starts a turn of the event loop of its own. */
let turns = 0;

/**
 * A frame from another node is being handled: a turn of the event loop of its own, so the
 * flushes counted in the turns before no longer hold a sender back ({@link Coalescer}).
 * @internal
 */
export function frameArrived(): void {
  turns += 1;
}

/**
 * Decides when a buffer of outgoing work is flushed, so that a burst becomes one post.
 * The first flush of an event-loop turn runs at the end of the microtask checkpoint: a lone
 * message waits for nothing. A sender that keeps producing within the same turn (an
 * `await send()` loop resolves without leaving the microtask queue) would otherwise flush
 * once per message; after two flushes in a turn, later ones wait for the turn to end.
 * Where a turn ends is learned without a timer of its own where it can: a frame arriving
 * (see {@link frameArrived}) starts a new one, so a conversation of one ask and one reply at
 * a time schedules nothing beyond its flush; only a sender that flushed twice since the
 * last frame arrived sets an immediate to see its turn end.
 * @internal
 */
export class Coalescer {
  #scheduled = false;
  /** The flush due was asked for by late work only (see {@link Coalescer.schedule}). */
  #late = false;
  #flushes = 0;
  /** The value of `turns` when `#flushes` was last counted. */
  #turn = -1;
  #watchingTurn = false;
  readonly #flush: () => void;
  readonly #atTurnEnd: boolean;

  /**
   * @param flush - posts what is buffered; it calls {@link Coalescer.sent} when it posted something
   * @param atTurnEnd - always wait for the end of the turn (for work that is itself batched
   *   further on, where a first post of one item would only add a message)
   */
  constructor(flush: () => void, atTurnEnd = false) {
    this.#flush = flush;
    this.#atTurnEnd = atTurnEnd;
  }

  /**
   * Asks for a flush at the end of this burst (nothing more when one is already due).
   * `late` work (itself batched, such as a channel's report of the items its node received)
   * waits for the end of the turn unless other work asks for a flush sooner: it rides with
   * what goes anyway, and never posts a frame of its own before the turn ends.
   */
  schedule(late = false): void {
    const flushes = this.#flushesThisTurn();
    if (this.#scheduled) {
      if (late || !this.#late || flushes >= 2) return;
      this.#late = false; // sooner work after late work: the late work goes with it
      microtask(this.#fire);
      return;
    }
    this.#scheduled = true;
    const wait = this.#atTurnEnd || flushes >= 2;
    this.#late = late && !wait;
    if (wait || late) setImmediate(this.#fire);
    else microtask(this.#fire);
  }

  /** Records a flush that posted something (scheduled or forced by a full buffer). */
  sent(): void {
    this.#flushes = this.#flushesThisTurn() + 1;
    this.#turn = turns;
    if (this.#flushes < 2 || this.#watchingTurn) return;
    this.#watchingTurn = true;
    setImmediate(() => {
      this.#flushes = 0;
      this.#watchingTurn = false;
    });
  }

  /** The flushes counted since this turn began, as far as this thread knows when it began. */
  #flushesThisTurn(): number {
    return this.#turn === turns ? this.#flushes : 0;
  }

  readonly #fire = (): void => {
    this.#scheduled = false;
    this.#late = false;
    this.#flush(); // (a late flush overtaken by a sooner one finds little or nothing left)
  };
}
