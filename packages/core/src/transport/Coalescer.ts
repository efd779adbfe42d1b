/**
 * Decides when a buffer of outgoing work is flushed, so that a burst becomes one post.
 * The first flush of an event-loop turn runs at the end of the microtask checkpoint: a lone
 * message waits for nothing. A sender that keeps producing within the same turn (an
 * `await send()` loop resolves without leaving the microtask queue) would otherwise flush
 * once per message; after two flushes in a turn, later ones wait for the turn to end.
 * @internal
 */
export class Coalescer {
  #scheduled = false;
  /** The flush due was asked for by late work only (see {@link Coalescer.schedule}). */
  #late = false;
  #flushesThisTurn = 0;
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
    if (this.#scheduled) {
      if (late || !this.#late || this.#flushesThisTurn >= 2) return;
      this.#late = false; // sooner work after late work: the late work goes with it
      queueMicrotask(this.#fire);
      return;
    }
    this.#scheduled = true;
    const wait = this.#atTurnEnd || this.#flushesThisTurn >= 2;
    this.#late = late && !wait;
    if (wait || late) setImmediate(this.#fire);
    else queueMicrotask(this.#fire);
  }

  /** Records a flush that posted something (scheduled or forced by a full buffer). */
  sent(): void {
    this.#flushesThisTurn += 1;
    if (this.#watchingTurn) return;
    this.#watchingTurn = true;
    setImmediate(() => {
      this.#flushesThisTurn = 0;
      this.#watchingTurn = false;
    });
  }

  readonly #fire = (): void => {
    this.#scheduled = false;
    this.#late = false;
    this.#flush(); // (a late flush overtaken by a sooner one finds little or nothing left)
  };
}
