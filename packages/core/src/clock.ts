/**
 * An opaque handle returned by {@link Clock.setTimeout}.
 *
 * @example
 * {@includeCode ../../examples/src/guides/apiExamples.ts#systemClock}
 */
export type TimerHandle = object | number;

/**
 * The source of time for timeouts. Pass your own to `createSystem({ clock })` to test
 * timeouts without waiting.
 *
 * @example
 * ```ts
 * import type { Clock } from '@multitask/core';
 * const timers: Array<() => void> = [];
 * const manual: Clock = {
 *   now: () => 0,
 *   setTimeout: (fn) => (timers.push(fn), timers.length),
 *   clearTimeout: () => {},
 * };
 * ```
 */
export interface Clock {
  /** Milliseconds since an arbitrary origin. */
  now(): number;
  /** Calls `fn` once after `ms` milliseconds; the timer must not keep the process alive by itself beyond its purpose. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancels a timer made by `setTimeout`. */
  clearTimeout(handle: TimerHandle): void;
}

/**
 * The real clock: `performance.now()` and the global timers.
 *
 * @example
 * {@includeCode ../../examples/src/guides/apiExamples.ts#systemClock}
 */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as Parameters<typeof clearTimeout>[0]),
};
