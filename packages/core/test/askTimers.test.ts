import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { createSystem, systemClock, type ActorSystem, type Clock } from '../src/index.js';
import { compiled, failureOf } from './helpers.js';
import { Probe } from './fixtures/probe.js';

/** The real clock, counting the timers it is asked to set. */
function countingClock(): Clock & { readonly timersSet: () => number } {
  let set = 0;
  return {
    now: () => systemClock.now(),
    setTimeout: (fn, ms) => {
      set += 1;
      return systemClock.setTimeout(fn, ms);
    },
    clearTimeout: (handle) => systemClock.clearTimeout(handle),
    timersSet: () => set,
  };
}

describe('the timers behind ask timeouts', () => {
  let system: ActorSystem | undefined;
  afterEach(async () => {
    await system?.shutdown();
    system = undefined;
  });

  for (const placement of ['inline', 'thread'] as const) {
    it(`one ask at a time to a ${placement} actor sets a timer once per timeout, not once per ask`, async () => {
      const clock = countingClock();
      system = createSystem({ clock, askTimeout: 60_000 });
      const probe = await system.spawn(Probe, { placement });
      await probe.ask('echo', 0);
      const before = clock.timersSet();
      for (let i = 1; i <= 100; i++) expect(await probe.ask('echo', i)).toBe(i);
      expect(clock.timersSet() - before).toBeLessThanOrEqual(1);
    });
  }

  it('one ask at a time to a thread actor sets no immediate on the main thread to see its turn end', async () => {
    system = createSystem();
    const probe = await system.spawn(Probe, { placement: 'thread' });
    await probe.ask('echo', 0);
    const original = globalThis.setImmediate;
    let immediates = 0;
    globalThis.setImmediate = ((...args: Parameters<typeof setImmediate>) => {
      immediates += 1;
      return original(...args);
    }) as typeof setImmediate;
    try {
      for (let i = 1; i <= 100; i++) expect(await probe.ask('echo', i)).toBe(i);
    } finally {
      globalThis.setImmediate = original;
    }
    expect(immediates).toBeLessThanOrEqual(2);
  });

  it('times out an ask that waits after earlier asks were answered, on the timer they left', async () => {
    system = createSystem({ askTimeout: 200, shutdownTimeout: 50 });
    const probe = await system.spawn(Probe, { placement: 'thread' });
    for (let i = 0; i < 3; i++) expect(await probe.ask('echo', i)).toBe(i);
    const error = await failureOf(probe.ask('hang'));
    expect(error.code).toBe('ASK_TIMEOUT');
    const other = await system.spawn(Probe, { placement: 'thread' }); // the first still hangs
    expect(await other.ask('echo', 'after')).toBe('after');
    expect((await failureOf(other.ask('hang'))).code).toBe('ASK_TIMEOUT');
  });

  it('keeps no program alive once its asks are answered, whatever their timeout', () => {
    const script = compiled(new URL('./fixtures/askThenEnd.ts', import.meta.url));
    const run = spawnSync(process.execPath, [...process.execArgv, script], { encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('answered');
    expect(run.status).toBe(0);
  });
});
