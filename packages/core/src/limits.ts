import type { Clock, TimerHandle } from './clock.js';
import { MultitaskError } from './errors.js';
import type { ActorId } from './wire/ids.js';

/** How long a wait may last, and what may cut it short. @internal */
export interface WaitLimits {
  /** Milliseconds until it expires with {@link WaitLimits.timeoutCode}; `undefined` or `Infinity`: never. */
  readonly timeout?: number | undefined;
  /** Expires it with `ABORTED` when aborted. */
  readonly signal?: AbortSignal | undefined;
  /**
   * The code of the error it expires with at its timeout: `CHANNEL_TIMEOUT` for channel
   * waits; asks and control requests keep the default.
   * @defaultValue `'ASK_TIMEOUT'`
   */
  readonly timeoutCode?: 'ASK_TIMEOUT' | 'CHANNEL_TIMEOUT' | undefined;
}

/** Limits of one pending request. @internal */
export interface PendingLimits extends WaitLimits {
  /** What the timeout and abort errors say it was waiting for (`undefined`: the request's kind, type and actor, written when needed). */
  readonly what: string | undefined;
  /** Called when the caller gives up (timeout or abort). */
  readonly onAbandon?: (() => void) | undefined;
}

/**
 * The `INVALID_ARGUMENT` error for the options of a wait that are not valid (`timeout` must
 * be a number of milliseconds above 0, `Infinity` for no limit; `signal` an `AbortSignal`),
 * or `undefined` when they are: the call site rejects (or throws) with it.
 * @internal
 */
export function invalidWaitOptions(options: unknown): MultitaskError | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== 'object' || options === null) return new MultitaskError('INVALID_ARGUMENT', 'options must be an object');
  const { timeout, signal } = options as { timeout?: unknown; signal?: unknown };
  if (timeout !== undefined && !(typeof timeout === 'number' && timeout > 0)) {
    return new MultitaskError('INVALID_ARGUMENT', 'options.timeout must be a positive number of milliseconds');
  }
  if (signal !== undefined && !isAbortSignal(signal)) return new MultitaskError('INVALID_ARGUMENT', 'options.signal must be an AbortSignal');
  return undefined;
}

/** Whether `value` behaves as an `AbortSignal` (one from another realm too). @internal */
export function isAbortSignal(value: unknown): value is AbortSignal {
  const signal = value as Partial<AbortSignal> | null;
  return typeof signal === 'object' && signal !== null && typeof signal.aborted === 'boolean' && typeof signal.addEventListener === 'function';
}

/** A disarm with nothing to undo. @internal */
export const disarmed = (): void => undefined;

/** The `ABORTED` error for a signal, with the signal's reason as its cause. @internal */
export function abortError(signal: AbortSignal, what: string, actor?: ActorId): MultitaskError {
  return new MultitaskError('ABORTED', `${what} was aborted`, { cause: signal.reason, actor });
}

/**
 * Arms the timeout and the abort signal of one wait (asks, sends, channel operations):
 * `expire` is called with the limits' `timeoutCode` (`ASK_TIMEOUT` unless told) or with
 * `ABORTED`, whichever comes first. The caller
 * checks `signal.aborted` before it starts waiting. Returns the disarm, to call once the
 * wait is over.
 * @internal
 */
export function armLimits(limits: WaitLimits, what: string, clock: Clock, expire: (error: MultitaskError) => void): () => void {
  const { timeout, signal } = limits;
  let timer: TimerHandle | undefined;
  if (timeout !== undefined && Number.isFinite(timeout)) {
    const code = limits.timeoutCode ?? 'ASK_TIMEOUT';
    timer = clock.setTimeout(() => expire(new MultitaskError(code, `${what} timed out after ${timeout} ms`)), timeout);
  }
  if (signal === undefined) return timer === undefined ? disarmed : () => clock.clearTimeout(timer);
  const onAbort = (): void => expire(abortError(signal, what));
  signal.addEventListener('abort', onAbort, { once: true });
  return () => {
    if (timer !== undefined) clock.clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  };
}
