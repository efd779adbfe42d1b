import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { child, createSystem, type ActorRef, type ActorSystem } from '../src/index.js';
import { Log, Parent } from './fixtures/family.js';
import { Brood, Lead, Member } from './fixtures/actorTree.js';
import { codeOf, eventually, manualClock, nextEvent } from './helpers.js';

describe('an actor tree, further', () => {
  let system: ActorSystem;
  beforeEach(() => {
    system = createSystem({ shutdownTimeout: 3_000 });
  });
  afterEach(async () => {
    await system.shutdown();
  });

  it.each(['thread', 'process'] as const)('starts a child spawned with no placement beside its parent (placed %s)', async (placement) => {
    const parent = await system.spawn(Member, { placement, args: { label: 'p' } });
    const { parent: at, child: kid } = await parent.ask('spawnDefault');
    expect(kid).toEqual(at);
    expect(placement === 'process' ? at.pid !== process.pid : at.pid === process.pid && at.thread !== 0).toBe(true);
  });

  it.each([
    ['one-for-all', [1, 1, 1]],
    ['rest-for-one', [0, 1, 1]],
    ['one-for-one', [0, 1, 0]],
  ] as const)("restarts, with an actor's %s supervisor on a thread, the children its strategy names when one crashes", async (strategy, restarts) => {
    const lead = await system.spawn(Lead, { placement: 'thread', args: { strategy, restarts: ['permanent', 'permanent', 'permanent'] } });
    const b = await lead.ask('member', 'b');
    const restarted = nextEvent(system, 'actor:restarted', (ref) => ref.id === b.id);
    b.tell('boom', 'b crashed');
    await restarted;
    const members = await eventually(() => lead.ask('members'), (all) => all.every((m) => m.status === 'running') && all.reduce((n, m) => n + m.restarts, 0) >= restarts.reduce((n: number, r) => n + r, 0));
    expect(members.map((m) => m.restarts)).toEqual(restarts);
    expect(await b.ask('ticks')).toBe(0); // the same ref answers from the new incarnation
  });

  it("keeps to each child's restart policy: a temporary one is not restarted, a transient one only after a crash", async () => {
    const lead = await system.spawn(Lead, { args: { strategy: 'one-for-one', restarts: ['temporary', 'transient', 'transient'] } });
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((id) => lead.ask('member', id)));
    a!.tell('boom', 'a crashed');
    b!.tell('quit');
    const restarted = nextEvent(system, 'actor:restarted', (ref) => ref.id === c!.id);
    c!.tell('boom', 'c crashed');
    await restarted;
    const members = await eventually(() => lead.ask('members'), (all) => all.filter((m) => m.status === 'stopped').length + (3 - all.length) >= 2);
    const byId = new Map(members.map((m) => [m.id, m]));
    expect(byId.get('a')?.status ?? 'removed').not.toBe('running');
    expect(byId.get('b')).toMatchObject({ status: 'stopped', restarts: 0 });
    expect(byId.get('c')).toMatchObject({ status: 'running', restarts: 1 });
    expect(await codeOf(a!.ask('ticks'))).toBe('ACTOR_STOPPED');
    expect(await c!.ask('ticks')).toBe(0);
  });

  it('keeps the name of a supervised child bound across its restart', async () => {
    const lead = await system.spawn(Lead, { placement: 'thread', args: { strategy: 'one-for-one', restarts: ['permanent'], name: 'the-a' } });
    const a = await lead.ask('member', 'a');
    expect(system.lookup('the-a')?.id).toBe(a.id);
    a.tell('every', 1_000_000);
    const restarted = nextEvent(system, 'actor:restarted', (ref) => ref.id === a.id);
    a.tell('boom', 'a crashed');
    await restarted;
    const found = system.lookup('the-a') as ActorRef<typeof Member> | undefined;
    expect(found?.id).toBe(a.id);
    expect(await found!.ask('ticks')).toBe(0); // a fresh incarnation answers under the name
  });

  it('stops the children a crashed parent started, the last started first, and its start spawns them again', async () => {
    const log = await system.spawn(Log);
    const sup = await system.supervise({ children: [child('brood', Brood, { placement: 'thread', args: { log } })] });
    const brood = sup.ref('brood');
    const before = (await brood.ask('children')).map((ref) => ref.id);
    expect(before).toHaveLength(3);
    const restarted = nextEvent(system, 'actor:restarted', (ref) => ref.id === brood.id);
    brood.tell('boom');
    await restarted;
    const after = await eventually(() => brood.ask('children'), (kids) => kids.length === 3);
    const lines = await eventually(() => log.ask('all'), (all) => all.length >= 9);
    expect(lines).toEqual(['start a', 'start b', 'start c', 'stop c', 'stop b', 'stop a', 'start a', 'start b', 'start c']);
    for (const id of after.map((ref) => ref.id)) expect(before).not.toContain(id);
  });

  it.each([
    ['an actor on the main thread', 'inline', 'thread'],
    ['an actor in a process', 'process', 'thread'],
  ] as const)('tells %s exactly once of the end of an actor it watches', async (_who, watcherAt, watchedAt) => {
    const watcher = await system.spawn(Parent, { placement: watcherAt, args: { label: 'watcher' } });
    const watched = await system.spawn(Member, { placement: watchedAt, args: { label: 'watched' } });
    await watcher.ask('watchIt', watched as unknown as ActorRef);
    watched.tell('quit');
    await eventually(() => watcher.ask('downs'), (downs) => downs.length >= 1);
    // Anything sent after the first notice would be in the mailbox before these asks are answered.
    for (let i = 0; i < 5; i++) await watcher.ask('downs');
    expect(await watcher.ask('downs')).toEqual([{ id: watched.id, kind: 'stopped', via: 'onDown' }]);
  });

  it('refuses a periodic timer whose interval is not a positive finite number, at the call', async () => {
    const member = await system.spawn(Member, { placement: 'thread', args: { label: 'm' } });
    for (const interval of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) expect(await member.ask('badEvery', interval)).toBe('INVALID_ARGUMENT');
    expect(await member.ask('badEvery', 5)).toBe('started');
  });
});

describe("an actor's timers, at its end", () => {
  it('deliver nothing once it stopped: neither to it nor as dead letters', async () => {
    const clock = manualClock();
    const system = createSystem({ clock });
    try {
      const dead: string[] = [];
      system.on('dead-letter', (letter) => void dead.push(letter.type));
      const member = await system.spawn(Member, { args: { label: 'm' } });
      await member.ask('every', 10);
      await member.ask('once', 25);
      clock.advance(10);
      clock.advance(10);
      expect(await member.ask('ticks')).toBe(2); // at 10 and 20; the single one is due at 25
      await system.stop(member);
      for (let t = 0; t < 10; t++) clock.advance(10);
      expect(dead).toEqual([]);
    } finally {
      await system.shutdown();
    }
  });

  it("deliver nothing to a restarted actor's new incarnation: the old one's timers went with it", async () => {
    const clock = manualClock();
    const system = createSystem({ clock });
    try {
      const dead: string[] = [];
      system.on('dead-letter', (letter) => void dead.push(letter.type));
      const sup = await system.supervise({ children: [child('m', Member, { args: { label: 'm' } })] });
      const member = sup.ref('m');
      await member.ask('every', 10);
      clock.advance(10);
      expect(await member.ask('ticks')).toBe(1);
      const restarted = nextEvent(system, 'actor:restarted', (ref) => ref.id === member.id);
      member.tell('boom', 'crash');
      await restarted;
      for (let t = 0; t < 10; t++) clock.advance(10);
      expect(await member.ask('ticks')).toBe(0);
      await member.ask('every', 10); // its own timers still run
      clock.advance(10);
      expect(await member.ask('ticks')).toBe(1);
      expect(dead).toEqual([]);
    } finally {
      await system.shutdown();
    }
  });

  it("wait out an actor's supervisor's backoff on the system's clock before a child restarts again", async () => {
    const clock = manualClock();
    const system = createSystem({ clock });
    try {
      const lead = await system.spawn(Lead, { args: { strategy: 'one-for-one', restarts: ['permanent'], backoff: { initialMs: 1_000, maxMs: 1_000, factor: 1, jitter: 0 } } });
      const a = await lead.ask('member', 'a');
      let restarted = nextEvent(system, 'actor:restarted', (ref) => ref.id === a.id);
      a.tell('boom', 'first'); // the first restart in the window is at once
      await restarted;
      restarted = nextEvent(system, 'actor:restarted', (ref) => ref.id === a.id);
      a.tell('boom', 'second'); // the second waits 1 000 ms of the clock
      const waiting = await eventually(() => lead.ask('members'), (all) => all[0]?.status === 'restarting');
      expect(waiting[0]).toMatchObject({ status: 'restarting', restarts: 1 });
      clock.advance(999);
      expect((await lead.ask('members'))[0]).toMatchObject({ status: 'restarting', restarts: 1 });
      clock.advance(1);
      await restarted;
      expect((await lead.ask('members'))[0]).toMatchObject({ status: 'running', restarts: 2 });
    } finally {
      await system.shutdown();
    }
  });
});
