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

/** `process.hrtime()` as this module loaded: the origin of {@link monotonicNow}. */
const [originSeconds, originNanoseconds] = process.hrtime();

/**
 * Milliseconds since this thread loaded the library, never going back: `process.hrtime()`
 * as one number. A call costs what `performance.now()` costs, but reading the `performance`
 * global for the first time loads `perf_hooks` and its timing modules (~0.7 ms of every
 * thread's start), which the library does not otherwise need. Counted from the thread's
 * start as `performance.now()` is, not from the machine's boot as `process.hrtime()` is:
 * whole milliseconds of it stay small integers (which V8 keeps in an object's field
 * without a heap number) for 24 days of a program's life, not of the machine's.
 * @internal
 */
export function monotonicNow(): number {
  const [seconds, nanoseconds] = process.hrtime();
  return (seconds - originSeconds) * 1e3 + (nanoseconds - originNanoseconds) / 1e6;
}

/**
 * The real clock: milliseconds of a monotonic clock from `process.hrtime()`, counted from
 * when the thread loaded the library (as `performance.now()` counts from the thread's start,
 * without loading `perf_hooks`), and the global timers.
 *
 * @example
 * {@includeCode ../../examples/src/guides/apiExamples.ts#systemClock}
 */
export const systemClock: Clock = {
  now: monotonicNow,
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as Parameters<typeof clearTimeout>[0]),
};
