import type { Clock, TimerHandle } from '../clock.js';
import { MultitaskError } from '../errors.js';

/**
 * An actor's timers: each delivers a message to the actor itself, through its mailbox, so
 * it is handled one at a time like any other. Timers are keyed: starting a key again
 * replaces its timer. All are cancelled when the actor stops or restarts. They run on the
 * system's clock (`createSystem({ clock })` for actors on its main thread), so tests need no
 * sleeps.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#Timers}
 */
export interface Timers {
  /**
   * Delivers `type` (with `payload`) to the actor once, after `delay` ms.
   * @throws {@link MultitaskError} `INVALID_ARGUMENT` for a negative or non-finite delay, or a key that is not a string
   */
  once(key: string, delay: number, type: string, payload?: unknown): void;
  /**
   * Delivers `type` (with `payload`) to the actor every `interval` ms, the first time after one interval.
   * @throws {@link MultitaskError} `INVALID_ARGUMENT` for an interval that is not a positive finite number
   */
  every(key: string, interval: number, type: string, payload?: unknown): void;
  /** Cancels the timer under `key`; nothing happens when there is none. */
  cancel(key: string): void;
  /** Whether a timer runs under `key`. */
  has(key: string): boolean;
}

interface Running {
  handle: TimerHandle;
}

/** The timers of one incarnation of an actor. @internal */
export class ActorTimers implements Timers {
  readonly #clock: Clock;
  readonly #deliver: (type: string, payload: unknown) => void;
  readonly #running = new Map<string, Running>();

  constructor(clock: Clock, deliver: (type: string, payload: unknown) => void) {
    this.#clock = clock;
    this.#deliver = deliver;
  }

  once(key: string, delay: number, type: string, payload?: unknown): void {
    check(key, type);
    if (typeof delay !== 'number' || !Number.isFinite(delay) || delay < 0) throw new MultitaskError('INVALID_ARGUMENT', `timers.once('${key}'): the delay must be a finite number of ms, 0 or more (got ${String(delay)})`);
    this.cancel(key);
    const running: Running = { handle: 0 };
    running.handle = this.#clock.setTimeout(() => {
      if (this.#running.get(key) !== running) return;
      this.#running.delete(key);
      this.#deliver(type, payload);
    }, delay);
    this.#running.set(key, running);
  }

  every(key: string, interval: number, type: string, payload?: unknown): void {
    check(key, type);
    if (typeof interval !== 'number' || !Number.isFinite(interval) || !(interval > 0)) throw new MultitaskError('INVALID_ARGUMENT', `timers.every('${key}'): the interval must be a positive finite number of ms (got ${String(interval)})`);
    this.cancel(key);
    const running: Running = { handle: 0 };
    const tick = (): void => {
      if (this.#running.get(key) !== running) return;
      running.handle = this.#clock.setTimeout(tick, interval);
      this.#deliver(type, payload);
    };
    running.handle = this.#clock.setTimeout(tick, interval);
    this.#running.set(key, running);
  }

  cancel(key: string): void {
    const running = this.#running.get(key);
    if (running === undefined) return;
    this.#running.delete(key);
    this.#clock.clearTimeout(running.handle);
  }

  has(key: string): boolean {
    return this.#running.has(key);
  }

  /** Cancels every timer (the incarnation ended). */
  cancelAll(): void {
    for (const key of [...this.#running.keys()]) this.cancel(key);
  }
}

function check(key: unknown, type: unknown): void {
  if (typeof key !== 'string') throw new MultitaskError('INVALID_ARGUMENT', 'timers: the key must be a string');
  if (typeof type !== 'string' || type.length === 0) throw new MultitaskError('INVALID_ARGUMENT', `timers('${key}'): the message type must be a non-empty string`);
}
