import { afterEach, describe, expect, it } from 'vitest';
import { createChannel, createSystem, defineActor, type ActorSystem } from '../src/index.js';
import { failureOf, manualClock } from './helpers.js';
import { Probe } from './fixtures/probe.js';

describe('timeouts on an injected clock', () => {
  let system: ActorSystem | undefined;
  afterEach(async () => {
    await system?.shutdown();
  });

  it('rejects an ask with ASK_TIMEOUT after the system default, and not before', async () => {
    const clock = manualClock();
    system = createSystem({ clock, askTimeout: 1_000, shutdownTimeout: 50 });
    const probe = await system.spawn(Probe);
    let settled = false;
    const pending = failureOf(probe.ask('hang')).finally(() => (settled = true));
    clock.advance(999);
    await Promise.resolve();
    expect(settled).toBe(false);
    clock.advance(1);
    const error = await pending;
    expect(error.code).toBe('ASK_TIMEOUT');
    expect(error.message).toContain('1000 ms');
    // The handler still hangs: shutdown gives it its grace on the same clock, then moves on.
    const done = system.shutdown();
    clock.advance(50);
    await done;
  });

  it("names the actor an ask timed out on, by its name and id, and sets error.actor", async () => {
    const clock = manualClock();
    system = createSystem({ clock, askTimeout: 1_000, shutdownTimeout: 50 });
    const probe = await system.spawn(Probe, { name: 'probe-7' });
    const pending = failureOf(probe.ask('hang'));
    const aborted = new AbortController();
    const cancelled = failureOf(probe.ask('hang', undefined, { signal: aborted.signal, timeout: 60_000 }));
    clock.advance(1_000);
    aborted.abort();
    const [timedOut, abortedError] = [await pending, await cancelled];
    expect(timedOut.message).toBe(`ask 'hang' to actor probe-7 (${probe.id}) timed out after 1000 ms`);
    expect(timedOut).toMatchObject({ code: 'ASK_TIMEOUT', actor: probe.id });
    expect(abortedError).toMatchObject({ code: 'ABORTED', actor: probe.id });
    expect(abortedError.message).toContain('actor probe-7');
    const done = system.shutdown();
    clock.advance(50);
    await done;
  });

  it('times out a hundred asks due at once, and one due later, each when its time comes', async () => {
    const clock = manualClock();
    system = createSystem({ clock, askTimeout: 1_000, shutdownTimeout: 50 });
    const probe = await system.spawn(Probe);
    const first = Array.from({ length: 100 }, () => failureOf(probe.ask('hang')));
    clock.advance(500);
    let lateSettled = false;
    const late = failureOf(probe.ask('hang')).finally(() => (lateSettled = true));
    clock.advance(500); // the hundred are due together; the late one is not
    expect((await Promise.all(first)).map((error) => error.code)).toEqual(Array.from({ length: 100 }, () => 'ASK_TIMEOUT'));
    await Promise.resolve();
    expect(lateSettled).toBe(false);
    clock.advance(500);
    expect((await late).code).toBe('ASK_TIMEOUT');
    const done = system.shutdown();
    clock.advance(50);
    await done;
  });

  it('settles an inline ask once: its answer after the timeout changes nothing, and no timer stays once nothing waits', async () => {
    const clock = manualClock();
    system = createSystem({ clock, askTimeout: 1_000, shutdownTimeout: 50 });
    let answer: ((value: number) => void) | undefined;
    const Late = defineActor({
      url: import.meta.url,
      name: 'Late',
      init: () => null,
      handlers: {
        later: () => new Promise<number>((resolve) => (answer = resolve)),
        now: () => 7,
      },
    });
    const late = await system.spawn(Late);
    const timers = clock.timers;
    const timedOut = failureOf(late.ask('later'));
    expect(clock.timers).toBe(timers + 1); // the ask's deadline
    clock.advance(1_000);
    expect((await timedOut).code).toBe('ASK_TIMEOUT');
    answer?.(1); // nobody waits for it any more
    expect(await late.ask('now', undefined, { timeout: 5_000 })).toBe(7);
    expect(clock.timers).toBe(timers);
  });

  it('times out a channel receive on the channel clock, and the item sent later is kept', async () => {
    const clock = manualClock();
    const channel = createChannel<number>({ clock });
    let settled = false;
    const pending = failureOf(channel.receive({ timeout: 500 })).finally(() => (settled = true));
    clock.advance(499);
    await Promise.resolve();
    expect(settled).toBe(false);
    clock.advance(1);
    expect((await pending).code).toBe('CHANNEL_TIMEOUT');
    await channel.send(1);
    expect(await channel.receive()).toBe(1);
  });

  it('rejects options that make no sense with INVALID_ARGUMENT at the call site', async () => {
    expect(() => createSystem({ askTimeout: -1 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    system = createSystem();
    const probe = await system.spawn(Probe);
    expect((await failureOf(probe.ask('echo', 1, { timeout: 0 }))).code).toBe('INVALID_ARGUMENT');
    expect((await failureOf(system.spawn(Probe, { placement: 'gpu' as 'thread' }))).code).toBe('INVALID_ARGUMENT');
    expect((await failureOf(system.spawn(Probe, { mailbox: { capacity: 0 } }))).code).toBe('INVALID_ARGUMENT');
    await expect(probe.ask('echo', 'still fine')).resolves.toBe('still fine');
  });
});
