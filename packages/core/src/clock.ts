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
 * Milliseconds from a fixed point in the past, never going back:
 * `process.hrtime()` as one number. A call costs what `performance.now()` costs, but reading
 * the `performance` global for the first time loads `perf_hooks` and its timing modules
 * (~0.7 ms of every thread's start), which the library does not otherwise need.
 * @internal
 */
export function monotonicNow(): number {
  const [seconds, nanoseconds] = process.hrtime();
  return seconds * 1e3 + nanoseconds / 1e6;
}

/**
 * The real clock: milliseconds of a monotonic clock (`process.hrtime()`, which counts as
 * `performance.now()` does without loading `perf_hooks`) and the global timers.
 *
 * @example
 * {@includeCode ../../examples/src/guides/apiExamples.ts#systemClock}
 */
export const systemClock: Clock = {
  now: monotonicNow,
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as Parameters<typeof clearTimeout>[0]),
};
