import { fileURLToPath } from 'node:url';
import { mirrorOf } from '../../../scripts/typescript/mirror.mjs';
import type { ActorSystem, Clock, SystemEvents } from '../src/index.js';

/**
 * The file to run for a TypeScript program of this repository (a fixture, an example) that a
 * test starts as a process of its own: its JavaScript in the compiled copy the tests run
 * (scripts/typescript/mirror.mjs), which needs no loader.
 */
export function compiled(url: URL): string {
  return mirrorOf(fileURLToPath(url));
}

/** The error a promise rejects with; fails the test if it resolves instead. */
export async function failureOf<E = Error & { code?: string }>(promise: Promise<unknown>): Promise<E> {
  try {
    await promise;
  } catch (error) {
    return error as E;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

/** The `code` a promise rejects with, or `undefined` when it resolves. */
export async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

/** A clock that only moves when the test says so. */
export function manualClock(): Clock & { advance(ms: number): void; readonly timers: number } {
  let now = 0;
  let timers: Array<{ at: number; fn: () => void; handle: object }> = [];
  return {
    now: () => now,
    /** Timers set and neither fired nor cleared. */
    get timers() {
      return timers.length;
    },
    setTimeout(fn, ms) {
      const handle = {};
      timers.push({ at: now + ms, fn, handle });
      return handle;
    },
    clearTimeout(handle) {
      timers = timers.filter((timer) => timer.handle !== handle);
    },
    advance(ms) {
      now += ms;
      const due = timers.filter((timer) => timer.at <= now);
      timers = timers.filter((timer) => timer.at > now);
      for (const timer of due) timer.fn();
    },
  };
}

/** The arguments of the next `event` of `system` that `accept` takes (default: any). */
export function nextEvent<E extends keyof SystemEvents>(system: ActorSystem, event: E, accept: (...args: SystemEvents[E]) => boolean = () => true): Promise<SystemEvents[E]> {
  return new Promise((resolve) => {
    const listener = (...args: SystemEvents[E]): void => {
      if (!accept(...args)) return;
      (system.off as (e: E, l: typeof listener) => void)(event, listener);
      resolve(args);
    };
    (system.on as (e: E, l: typeof listener) => void)(event, listener);
  });
}

/**
 * Settles `promise` while moving `clock` on by `step` ms a turn: for what waits on timers of
 * the injected clock (a timeout, a grace) and on real work in between.
 */
export async function advancingUntil<T>(clock: { advance(ms: number): void }, promise: Promise<T>, step = 100): Promise<T> {
  let settled = false;
  const watched = promise.finally(() => (settled = true));
  watched.catch(() => undefined);
  while (!settled) {
    clock.advance(step);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return watched;
}

/** Lets every queued microtask and immediate run. */
export function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The process warnings with one code, collected instead of printed. */
export interface CapturedWarnings {
  readonly warnings: ReadonlyArray<Error & { code?: string }>;
  /** Resolves once `count` warnings have been collected. */
  until(count: number): Promise<void>;
  /** Prints warnings again as Node does. */
  restore(): void;
}

/**
 * Collects the process warnings with `code` from now on, instead of letting Node print
 * them: a test asserts on them, and the run stays quiet. Warnings with other codes are
 * still printed.
 */
export function captureWarnings(code: string): CapturedWarnings {
  const printers = process.listeners('warning');
  const warnings: Array<Error & { code?: string }> = [];
  const waiting: Array<{ count: number; resolve: () => void }> = [];
  const listener = (warning: Error & { code?: string }): void => {
    if (warning.code !== code) return void printers.forEach((print) => print(warning));
    warnings.push(warning);
    for (const wait of waiting.filter((w) => w.count <= warnings.length)) {
      waiting.splice(waiting.indexOf(wait), 1);
      wait.resolve();
    }
  };
  for (const print of printers) process.off('warning', print);
  process.on('warning', listener);
  return {
    warnings,
    until: (count) => (warnings.length >= count ? Promise.resolve() : new Promise((resolve) => waiting.push({ count, resolve }))),
    restore() {
      process.off('warning', listener);
      for (const print of printers) process.on('warning', print);
    },
  };
}

/**
 * Polls `read` until `done` says so, and resolves with the value it read last; bounded
 * (about ten seconds: the machine may be loaded, so no tight timing).
 */
export async function eventually<T>(read: () => Promise<T> | T, done: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return read();
}
