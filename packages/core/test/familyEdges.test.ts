import { threadId } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { child, createSystem, type ActorRef, type ActorSystem } from '../src/index.js';
import { Faulty } from './fixtures/faulty.js';
import { Home, Ticker, Watcher, type Seen, type Where } from './fixtures/familyEdges.js';
import { eventually, manualClock, nextEvent } from './helpers.js';

/**
 * Lets a late second notification arrive, then reads what the watcher saw: waits (bounded)
 * until the watched actor's thread or process is gone from the snapshot, if it had one of
 * its own, then asks the watcher several times (each handled after whatever its mailbox
 * held before it).
 */
async function settledDowns(system: ActorSystem, watcher: ActorRef<typeof Watcher>, at: Where | undefined): Promise<Seen[]> {
  if (at !== undefined) await eventually(() => system.inspect(), (s) => !s.hosts.some((h) => h.kind !== 'root' && h.pid === at.pid && h.threadId === at.thread));
  for (let i = 0; i < 5; i++) await watcher.ask('downs');
  return watcher.ask('downs');
}

describe('children spawned with no placement', () => {
  let system: ActorSystem;
  beforeEach(() => {
    system = createSystem({ shutdownTimeout: 3_000 });
  });
  afterEach(async () => {
    await system.shutdown();
  });

  it.each(['thread', 'process'] as const)('run on the thread and in the process of a parent placed %s, as do their own children', async (placement) => {
    const home = await system.spawn(Home, { placement });
    const { home: at, spot, tag, leaf, children } = await home.ask('spawnDefaults');
    if (placement === 'thread') {
      expect(at.pid).toBe(process.pid);
      expect(at.thread).not.toBe(threadId);
    } else {
      expect(at.pid).not.toBe(process.pid);
    }
    expect(spot).toEqual(at); // `ctx.spawn(Spot)`: no options at all
    expect(tag).toEqual({ ...at, label: 'tagged' }); // `ctx.spawn(Tag, { args })`: options, no placement
    expect(leaf).toEqual(at); // a child's child, the same way
    expect(children).toBe(2);
    const snapshot = await system.inspect();
    expect(snapshot.hosts.filter((h) => h.kind === placement)).toHaveLength(1); // no host was started for them
  });
});

describe('a watch', () => {
  let system: ActorSystem;
  beforeEach(() => {
    system = createSystem({ shutdownTimeout: 3_000 });
  });
  afterEach(async () => {
    await system.shutdown();
  });

  it.each([
    ['inline', 'thread', 'quit'],
    ['inline', 'process', 'quit'],
    ['process', 'thread', 'quit'],
    ['thread', 'process', 'quit'],
    ['inline', 'thread', 'exit'],
    ['thread', 'process', 'exit'],
  ] as const)('from an actor placed %s of one placed %s that ends (%s) notifies exactly once', async (watcherAt, watchedAt, end) => {
    const watcher = await system.spawn(Watcher, { placement: watcherAt });
    const target = await system.spawn(Faulty, { placement: watchedAt, args: { label: 'watched' } });
    const at = await target.ask('where');
    await watcher.ask('poke', { ref: target, type: end, ...(end === 'exit' ? { payload: 4 } : {}) });
    await eventually(() => watcher.ask('downs'), (d) => d.length >= 1);
    const downs = await settledDowns(system, watcher, at);
    expect(downs).toEqual([{ id: target.id, kind: end === 'exit' ? 'exit' : 'stopped', via: 'onDown', ...(end === 'exit' ? { code: 4 } : {}) }]);
  });

  it.each(['inline', 'thread'] as const)('of a supervised actor that crashes notifies once, then no more as its restarted incarnation crashes again (watcher placed %s)', async (watcherAt) => {
    const sup = await system.supervise({ children: [child('t', Faulty, { placement: 'thread', args: { label: 'restarted' } })] });
    const target = sup.ref('t');
    const watcher = await system.spawn(Watcher, { placement: watcherAt });
    const first = nextEvent(system, 'actor:restarted', (ref) => ref.id === target.id);
    await watcher.ask('poke', { ref: target, type: 'boom', payload: 'first crash' });
    await first;
    await eventually(() => watcher.ask('downs'), (d) => d.length >= 1);
    const second = nextEvent(system, 'actor:restarted', (ref) => ref.id === target.id);
    target.tell('boom', 'second crash'); // the watch was used up by the first
    await second;
    expect(await target.ask('starts')).toBeGreaterThan(0); // the same ref, running again
    expect(await settledDowns(system, watcher, undefined)).toEqual([{ id: target.id, kind: 'error', via: 'onDown' }]);
  });

  it.each(['inline', 'thread', 'process'] as const)('made twice notifies once, the way the second one asked for (watched actor placed %s)', async (watchedAt) => {
    const watcher = await system.spawn(Watcher, { placement: 'thread' });
    const target = await system.spawn(Faulty, { placement: watchedAt, args: { label: 'twice' } });
    const at = await target.ask('where');
    await watcher.ask('watchTwice', target);
    await system.stop(target);
    await eventually(() => watcher.ask('downs'), (d) => d.length >= 1);
    const downs = await settledDowns(system, watcher, watchedAt === 'inline' ? undefined : at);
    expect(downs).toEqual([{ id: target.id, kind: 'stopped', via: 'gotDown' }]);
  });

  // A watch of an actor that ran on the watcher's own node used to register as if it still
  // ran there, and nothing ever told it.
  it('of an actor gone already, from a watcher on the same thread (the main one), notifies at once', async () => {
    const watcher = await system.spawn(Watcher);
    const gone = await system.spawn(Faulty, { args: { label: 'gone' } });
    await system.stop(gone);
    await watcher.ask('watch', gone);
    expect(await eventually(() => watcher.ask('downs'), (d) => d.length >= 1)).toEqual([{ id: gone.id, kind: 'stopped', via: 'onDown' }]);
  });

  it('of its own child gone already, from a watcher on a thread, notifies at once', async () => {
    const watcher = await system.spawn(Watcher, { placement: 'thread' });
    const gone = await watcher.ask('goneChild');
    await watcher.ask('watch', gone);
    expect(await eventually(() => watcher.ask('downs'), (d) => d.length >= 1)).toEqual([{ id: gone.id, kind: 'stopped', via: 'onDown' }]);
  });

  // The first watch used to be told at once, in the handler, and the second made a watch of its own: two notifications.
  it.each(['inline', 'thread', 'process'] as const)('of an actor gone already, made twice in one handler, notifies once, the second way (gone actor placed %s)', async (goneAt) => {
    const watcher = await system.spawn(Watcher, { placement: 'process' });
    const gone = await system.spawn(Faulty, { placement: goneAt, args: { label: 'gone' } });
    const at = await gone.ask('where');
    await system.stop(gone);
    await watcher.ask('watchTwice', gone);
    await eventually(() => watcher.ask('downs'), (d) => d.length >= 1);
    expect(await settledDowns(system, watcher, goneAt === 'inline' ? undefined : at)).toEqual([{ id: gone.id, kind: 'stopped', via: 'gotDown' }]);
  });

  it('of an actor gone already, made again after its notification was handled, notifies again', async () => {
    const watcher = await system.spawn(Watcher, { placement: 'process' });
    const gone = await system.spawn(Faulty, { placement: 'thread', args: { label: 'gone' } });
    const at = await gone.ask('where');
    await system.stop(gone);
    await watcher.ask('watch', gone);
    await eventually(() => watcher.ask('downs'), (d) => d.length >= 1);
    const once = { id: gone.id, kind: 'stopped', via: 'onDown' };
    expect(await settledDowns(system, watcher, at)).toEqual([once]);
    await watcher.ask('watch', gone); // the first watch ended with its notification: this one is new
    await eventually(() => watcher.ask('downs'), (d) => d.length >= 2);
    expect(await settledDowns(system, watcher, undefined)).toEqual([once, once]);
  });
});

describe("the system's monitor", () => {
  it.each(['thread', 'process'] as const)('of a child an actor placed %s started waits for the child to end', async (placement) => {
    const system = createSystem({ shutdownTimeout: 3_000 });
    try {
      const parent = await system.spawn(Watcher, { placement });
      const kid = await parent.ask('liveChild');
      const downs: string[] = [];
      system.monitor(kid, (reason) => void downs.push(reason.kind));
      for (let i = 0; i < 5; i++) expect(await kid.ask('get')).toBe(0); // it runs: its monitor waits
      expect(downs).toEqual([]);
      kid.tell('quit');
      expect(await eventually(async () => downs, (seen) => seen.length > 0)).toEqual(['stopped']);
    } finally {
      await system.shutdown();
    }
  });
});

describe("the system's link", () => {
  it('refuses a child an actor on a thread started with INVALID_ARGUMENT that says to monitor it, and an actor that ended with ACTOR_STOPPED', async () => {
    const system = createSystem({ shutdownTimeout: 3_000 });
    try {
      const parent = await system.spawn(Watcher, { placement: 'thread' });
      const kid = await parent.ask('liveChild');
      const other = await system.spawn(Watcher);
      const refused = { code: 'INVALID_ARGUMENT', message: expect.stringMatching(/was started by an actor on thread .*monitor/) };
      expect(() => system.link(kid, other)).toThrow(expect.objectContaining(refused));
      expect(() => system.link(other, kid)).toThrow(expect.objectContaining(refused));
      expect(await kid.ask('get')).toBe(0); // it runs: it was not refused as stopped
      await system.stop(other);
      expect(() => system.link(parent, other)).toThrow(expect.objectContaining({ code: 'ACTOR_STOPPED', message: expect.stringMatching(/is not running/) }));
    } finally {
      await system.shutdown();
    }
  });
});

describe("an actor's timers, given a bad delay", () => {
  const refused = { code: 'INVALID_ARGUMENT', multitask: true };

  it.each(['inline', 'thread'] as const)('refuse, at the call, a periodic interval that is not a positive finite number, and bad keys and types (actor placed %s)', async (placement) => {
    const system = createSystem({ shutdownTimeout: 3_000 });
    try {
      const ticker = await system.spawn(Ticker, { placement });
      for (const interval of [0, -0, -1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, '10', undefined]) {
        expect(await ticker.ask('every', { key: 'k', interval }), `every(${String(interval)})`).toEqual(refused);
      }
      for (const delay of [Number.NEGATIVE_INFINITY, '10', undefined]) expect(await ticker.ask('once', { key: 'k', delay }), `once(${String(delay)})`).toEqual(refused);
      expect(await ticker.ask('every', { key: 5, interval: 10 })).toEqual(refused); // a key that is not a string
      expect(await ticker.ask('every', { key: 'k', interval: 10, type: '' })).toEqual(refused); // an empty message type
      expect(await ticker.ask('once', { key: 'k', delay: 10, type: '' })).toEqual(refused);
      expect(await ticker.ask('has', 'k')).toBe(false); // none of them started a timer
      expect(await ticker.ask('every', { key: 'k', interval: 0.5 })).toBe('started'); // a fraction of a ms is positive
      expect(await ticker.ask('has', 'k')).toBe(true);
    } finally {
      await system.shutdown();
    }
  });

  it('leave the timer already running under that key as it was', async () => {
    const clock = manualClock();
    const system = createSystem({ clock });
    try {
      const ticker = await system.spawn(Ticker);
      expect(await ticker.ask('every', { key: 'k', interval: 10 })).toBe('started');
      expect(await ticker.ask('every', { key: 'k', interval: 0 })).toEqual(refused);
      expect(await ticker.ask('once', { key: 'k', delay: -5 })).toEqual(refused);
      expect(await ticker.ask('has', 'k')).toBe(true);
      for (let t = 0; t < 3; t++) clock.advance(10); // still every 10 ms: at 10, 20, 30
      expect(await ticker.ask('ticks')).toEqual(['k', 'k', 'k']);
    } finally {
      await system.shutdown();
    }
  });
});
