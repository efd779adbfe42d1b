/**
 * How a durable channel's waiting operations wait: within the caller's limits, and across
 * the times the NATS server cannot be reached (a send or receive that waits goes on once it
 * is back; one that cannot wait fails at once).
 * @internal
 * @packageDocumentation
 */
import type { Clock } from '../clock.js';
import { MultitaskError } from '../errors.js';
import { armLimits } from '../limits.js';
import type { DurableStore } from '../transport/durableStreams.js';

/** The longest pause between tries while the server answers, but not well (it is still starting). */
const MOST_PAUSE_MS = 1_000;

/** The limits of one wait, as a promise that rejects once they expire. @internal */
export interface Limit {
  readonly expired: Promise<never>;
  /** Ends the limits' timer and signal listener. */
  disarm(): void;
}

/**
 * Arms `timeout` and `signal` (`CHANNEL_TIMEOUT`, `ABORTED`); `explain` may say more in
 * the timeout's error (why the wait took so long).
 * @internal
 */
export function limitOf(options: { readonly timeout?: number | undefined; readonly signal?: AbortSignal | undefined } | undefined, what: string, clock: Clock, explain: (error: MultitaskError) => MultitaskError): Limit {
  let expire!: (error: MultitaskError) => void;
  const expired = new Promise<never>((_, reject) => (expire = reject));
  expired.catch(() => undefined); // heard by the wait it ends
  const disarm = armLimits({ timeout: options?.timeout, signal: options?.signal, timeoutCode: 'CHANNEL_TIMEOUT' }, what, clock, (error) => expire(explain(error)));
  return { expired, disarm };
}

/** Whether a durable channel's failure is one the server's return can mend. @internal */
export function isUnreachable(error: unknown): error is MultitaskError {
  return error instanceof MultitaskError && error.code === 'NODE_DOWN';
}

/** The pause before try `attempt` (0: none): doubling from 50 ms to a second. @internal */
export function pause(attempt: number, clock: Clock): Promise<void> {
  if (attempt === 0) return Promise.resolve();
  return new Promise((resolve) => void clock.setTimeout(resolve, Math.min(MOST_PAUSE_MS, 50 * 2 ** (attempt - 1))));
}

/**
 * Runs `operation` until it settles otherwise than with `NODE_DOWN`: after such a failure
 * it waits for the store to be reachable again (and for a pause that grows while the server
 * answers but fails), then tries again; `expired` ends the waiting. `down` hears each
 * failure, and `undefined` once the operation got through.
 * @throws (rejects with) what `operation` or `expired` rejects with, or what makes the store unreachable for good
 * @internal
 */
export async function persist<T>(store: DurableStore, operation: () => Promise<T>, expired: Promise<never>, clock: Clock, down: (error: MultitaskError | undefined) => void): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      const result = await Promise.race([operation(), expired]);
      down(undefined);
      return result;
    } catch (error) {
      if (!isUnreachable(error)) throw error;
      down(error);
      await Promise.race([store.reachable(), expired]);
      await Promise.race([pause(attempt, clock), expired]);
    }
  }
}
