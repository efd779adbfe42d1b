/**
 * Windows sized to the link: how far ahead a consumer fetches and how early a producer asks
 * for more credit, from the round trip to the channel's owner. Between threads the round
 * trip is tens of microseconds and the fixed windows cover it; to another machine it can be
 * milliseconds, and a window that does not cover it stalls the stream once per window.
 * @internal
 * @packageDocumentation
 */

/** How much of its own work a consumer takes ahead, at least, in ms at its receiving rate. */
export const HORIZON_MS = 2;

/** A moving estimate of the round trip to one owner, in ms (0 before the first sample). @internal */
export class RoundTrip {
  #ms = 0;
  #samples = 0;

  /** One round trip took `ms`. */
  sample(ms: number): void {
    if (!(ms >= 0)) return;
    this.#ms = this.#samples === 0 ? ms : this.#ms * 0.8 + ms * 0.2;
    this.#samples += 1;
  }

  get ms(): number {
    return this.#ms;
  }
}

/**
 * The span a consumer fetches for, in ms: {@link HORIZON_MS}, or two round trips to the
 * owner when that is longer, so that the next batch is asked for before this one runs out.
 * @internal
 */
export function fetchHorizon(roundTrip: number): number {
  return Math.max(HORIZON_MS, 2 * roundTrip);
}

/**
 * The credit below which a producer asks for more: half its window, or more when it spent
 * more than that while its last request for credit travelled (a distant owner), so that the
 * next grant arrives before the credit runs out. Never more than the window.
 * @internal
 */
export function topUpBelow(window: number, spentDuringLastTopUp: number): number {
  return Math.min(window, Math.max(window / 2, Math.ceil(spentDuringLastTopUp * 1.5)));
}
