import type { Clock } from '../clock.js';
import { Deadlines, type Timed } from '../Deadlines.js';

/** A grace a stopping actor's running handler gets. @internal */
export interface Grace extends Timed {
  readonly ms: number;
  /** Called if the handler is still running when the grace is over. */
  readonly expire: () => void;
}

/**
 * The graces of the actors of one node that are stopping while a handler runs: one clock
 * timer for all of them (a timer per stopping actor was a tenth of a tree of short-lived
 * actors' time; each of them stops from inside its own handler).
 * @internal
 */
export class Graces {
  readonly #deadlines: Deadlines<Grace>;
  #waiting = 0;

  constructor(clock: Clock) {
    this.#deadlines = new Deadlines(clock, (grace) => {
      this.#end(grace);
      grace.expire();
    });
  }

  /** Starts a grace of `ms`; `expire` runs if it is not ended first. */
  start(ms: number, expire: () => void): Grace {
    return this.add({ ms, expire, at: 0, done: false });
  }

  /** Starts `grace`, made by the caller (its `expire` runs if it is not ended first). */
  add<G extends Grace>(grace: G): G {
    this.#waiting += 1;
    this.#deadlines.add(grace, grace.ms);
    return grace;
  }

  /** The handler finished within its grace. */
  end(grace: Grace): void {
    if (grace.done) return;
    this.#end(grace);
    if (this.#waiting === 0) this.#deadlines.clear();
    else this.#deadlines.drop(grace.ms);
  }

  #end(grace: Grace): void {
    grace.done = true;
    this.#waiting -= 1;
  }
}
