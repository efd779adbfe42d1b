import { afterEach, describe, expect, it } from 'vitest';
import { child, createSystem, type ActorSystem, type DeadLetter, type DownReason } from '../src/index.js';
import { Log } from './fixtures/family.js';
import { Boss, Member, type MemberRef } from './fixtures/superviseTree.js';
import { codeOf, eventually, manualClock, nextEvent, turn } from './helpers.js';

/** What happens next to actor `id`: it is restarted, or it stops for good (with the reason). */
function fateOf(sys: ActorSystem, id: string): Promise<readonly ['restarted'] | readonly ['stopped', DownReason]> {
  return Promise.race([
    nextEvent(sys, 'actor:restarted', (ref) => ref.id === id).then(() => ['restarted'] as const),
    nextEvent(sys, 'actor:stopped', (ref) => ref.id === id).then(([, reason]) => ['stopped', reason] as const),
  ]);
}

const starts = ['start a', 'start b', 'start c'];

let system: ActorSystem | undefined;
afterEach(async () => {
  await system?.shutdown();
  system = undefined;
});

describe('ctx.supervise: strategies, restart policies and backoff', () => {
  it.each([
    ['one-for-all', ['a', 'b', 'c'], ['stop c', 'stop a', ...starts], [0, 0, 0]],
    ['rest-for-one', ['b', 'c'], ['stop c', 'start b', 'start c'], [1, 0, 0]],
  ] as const)('%s under a thread actor: b crashes, and exactly %j restart (the others stop last first, then all start in order)', async (strategy, restartedIds, journalAfter, counts) => {
    system = createSystem({ shutdownTimeout: 3_000 });
    const journal = await system.spawn(Log);
    const boss = await system.spawn(Boss, { placement: 'thread', args: { journal, strategy, members: [{ id: 'a' }, { id: 'b' }, { id: 'c' }] } });
    const refs = await boss.ask('members');
    for (const ref of refs) ref.tell('add', 1);
    expect(await Promise.all(refs.map((ref) => ref.ask('get')))).toEqual([1, 1, 1]);
    const restarted: string[] = [];
    system.on('actor:restarted', (ref) => restarted.push(ref.id));
    const bBack = fateOf(system, refs[1]!.id);
    refs[1]!.tell('boom', 'b fails');
    expect(await bBack).toEqual(['restarted']);
    await eventually(async () => restarted.length, (n) => n >= restartedIds.length);
    // A restarted child counts from 0 again (through the same ref); one left running kept its count.
    expect(await Promise.all(refs.map((ref) => ref.ask('get')))).toEqual(counts);
    const byId = new Map<string, string | undefined>(refs.map((ref, i) => [ref.id, ['a', 'b', 'c'][i]]));
    expect(restarted.map((id) => byId.get(id))).toEqual(restartedIds);
    // The crashed b gets no onStop; a running sibling in the group is stopped (onStop) before the restarts.
    expect(await eventually(() => journal.ask('all'), (lines) => lines.length >= starts.length + journalAfter.length)).toEqual([...starts, ...journalAfter]);
    expect((await boss.ask('status')).map((c) => [c.id, c.status, c.restarts])).toEqual(['a', 'b', 'c'].map((id) => [id, 'running', (restartedIds as readonly string[]).includes(id) ? 1 : 0]));
  });

  it('restart policies: a temporary child that crashes stays down, a transient one that stops stays down, a transient one that crashes restarts', async () => {
    system = createSystem();
    const boss = await system.spawn(Boss, { args: { members: [{ id: 'temp', restart: 'temporary' }, { id: 'trans', restart: 'transient' }, { id: 'flaky', restart: 'transient' }] } });
    const [temp, trans, flaky] = await boss.ask('members');
    const restarted: string[] = [];
    system.on('actor:restarted', (ref) => restarted.push(ref.id));

    const tempFate = fateOf(system, temp!.id);
    temp!.tell('boom', 'a temporary crash');
    expect(await tempFate).toMatchObject(['stopped', { kind: 'error', error: { message: 'a temporary crash' } }]);
    expect(await codeOf(temp!.ask('get'))).toBe('ACTOR_STOPPED');

    const transFate = fateOf(system, trans!.id);
    trans!.tell('quit');
    expect(await transFate).toEqual(['stopped', { kind: 'stopped' }]);
    expect(await codeOf(trans!.ask('get'))).toBe('ACTOR_STOPPED');

    flaky!.tell('add', 3);
    const flakyFate = fateOf(system, flaky!.id);
    flaky!.tell('boom', 'a transient crash');
    expect(await flakyFate).toEqual(['restarted']);
    expect(await flaky!.ask('get')).toBe(0);
    expect(restarted).toEqual([flaky!.id]);
    expect(await boss.ask('status')).toEqual([
      { id: 'temp', kind: 'actor', status: 'stopped', restarts: 0 },
      { id: 'trans', kind: 'actor', status: 'stopped', restarts: 0 },
      { id: 'flaky', kind: 'actor', status: 'running', restarts: 1 },
    ]);
  });

  it("backs off a child's second restart on the system's clock: not before the clock moves by the backoff, then at once (parent on a thread)", async () => {
    const clock = manualClock();
    system = createSystem({ clock, shutdownTimeout: 3_000 });
    const boss = await system.spawn(Boss, { placement: 'thread', args: { members: [{ id: 'x' }], backoff: { initialMs: 500, maxMs: 500, jitter: 0 } } });
    const [x] = await boss.ask('members');
    let restarts = 0;
    system.on('actor:restarted', (ref) => {
      if (ref.id === x!.id) restarts++;
    });
    const first = nextEvent(system, 'actor:restarted', (ref) => ref.id === x!.id);
    x!.tell('boom', 'first'); // the first restart in the window: immediate, the clock never moved
    await first;
    x!.tell('add', 1);
    expect(await x!.ask('get')).toBe(1);

    x!.tell('boom', 'second');
    const status = await eventually(() => boss.ask('status'), (s) => s[0]?.status === 'restarting');
    expect(status).toEqual([{ id: 'x', kind: 'actor', status: 'restarting', restarts: 1 }]);
    // The clock moves 25 ms a step, with real time between steps for the restart to happen.
    let waited = 0;
    let restartedAt: number | undefined;
    for (let step = 0; step < 80 && restartedAt === undefined; step++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      if (restarts === 2) restartedAt = waited;
      else {
        clock.advance(25);
        waited += 25;
      }
    }
    await eventually(async () => restarts, (n) => n === 2); // in case the last step came just before it
    restartedAt ??= waited;
    expect(restarts).toBe(2);
    expect(restartedAt).toBeGreaterThanOrEqual(500);
    expect(await x!.ask('get')).toBe(0);
  });
});

describe("an actor's timers end with its incarnation", () => {
  it.each(['system.stop', 'ctx.stop()'] as const)('stopped by %s: its every and once timers are cancelled, and nothing is delivered (nor dead-lettered) later', async (how) => {
    const clock = manualClock();
    system = createSystem({ clock });
    const letters: DeadLetter[] = [];
    system.on('dead-letter', (letter) => letters.push(letter));
    const actor = await system.spawn(Member, { args: { label: 'ticker' } });
    expect(await actor.ask('get')).toBe(0); // whatever the system itself keeps on the clock is set by now
    const idle = clock.timers;
    await actor.ask('every', { key: 'e', ms: 10 });
    await actor.ask('once', { key: 'o', ms: 25 });
    expect(clock.timers).toBe(idle + 2);
    clock.advance(10);
    expect(await actor.ask('ticks')).toEqual(['e']);
    if (how === 'system.stop') await system.stop(actor);
    else {
      const gone = nextEvent(system, 'actor:stopped', (ref) => ref.id === actor.id);
      actor.tell('quit');
      await gone;
    }
    expect(clock.timers).toBe(idle);
    for (let i = 0; i < 20; i++) clock.advance(10); // past the once and many intervals
    await turn();
    expect(letters).toEqual([]);
    expect(clock.timers).toBe(idle);
  });

  it('restarted after a crash: the old incarnation\'s timers deliver nothing to the new one, which gets ticks only from timers it starts', async () => {
    const clock = manualClock();
    system = createSystem({ clock });
    const letters: DeadLetter[] = [];
    system.on('dead-letter', (letter) => letters.push(letter));
    const boss = await system.spawn(Boss, { args: { members: [{ id: 't' }] } });
    const [t] = await boss.ask('members');
    await t!.ask('every', { key: 'old', ms: 10 });
    await t!.ask('once', { key: 'late', ms: 35 });
    for (let i = 0; i < 3; i++) clock.advance(10);
    expect(await t!.ask('ticks')).toEqual(['old', 'old', 'old']); // handled before the crash: none is queued
    const back = nextEvent(system, 'actor:restarted', (ref) => ref.id === t!.id);
    t!.tell('boom', 'crash');
    await back;
    expect(await t!.ask('has', 'old')).toBe(false);
    for (let i = 0; i < 10; i++) clock.advance(10); // past 'late' and ten intervals of 'old'
    expect(await t!.ask('ticks')).toEqual([]);
    await t!.ask('every', { key: 'new', ms: 10 });
    for (let i = 0; i < 2; i++) clock.advance(10);
    expect(await t!.ask('ticks')).toEqual(['new', 'new']);
    expect(letters).toEqual([]);
  });
});

describe('a supervised actor that restarts', () => {
  it('stops the children it spawned, the last started first, and its onStart spawns them again with new ids', async () => {
    system = createSystem({ shutdownTimeout: 3_000 });
    const journal = await system.spawn(Log);
    const kids = [{ label: 'k1' }, { label: 'k2', placement: 'thread' }, { label: 'k3' }] as const;
    const sup = await system.supervise({ children: [child('boss', Boss, { placement: 'thread', args: { journal, kids } })] });
    const boss = sup.ref('boss');
    const before = await boss.ask('kids');
    expect(await Promise.all(before.map((kid) => kid.ask('label')))).toEqual(['k1', 'k2', 'k3']);
    const back = nextEvent(system, 'actor:restarted', (ref) => ref.id === boss.id);
    boss.tell('boom', 'the boss crashes');
    await back;
    const after = await boss.ask('kids');
    expect(await Promise.all(after.map((kid) => kid.ask('label')))).toEqual(['k1', 'k2', 'k3']);
    const oldIds = new Set(before.map((kid) => kid.id));
    expect(after.filter((kid) => oldIds.has(kid.id))).toEqual([]);
    for (const old of before) expect(await codeOf(old.ask('get'))).toBe('ACTOR_STOPPED');
    const kidStarts = ['start k1', 'start k2', 'start k3'];
    expect(await eventually(() => journal.ask('all'), (lines) => lines.length >= 9)).toEqual([...kidStarts, 'stop k3', 'stop k2', 'stop k1', ...kidStarts]);
  });

  it.each([
    ['inline', 'throws'],
    ['thread', 'exits'],
  ] as const)('keeps the name of a ctx.supervise child (placed %s, it %s) bound to it across its restart', async (placement, how) => {
    system = createSystem({ shutdownTimeout: 3_000 });
    const name = `named-${placement}`;
    const boss = await system.spawn(Boss, { placement: 'thread', args: { members: [{ id: 'svc', name, placement }] } });
    const finder = await system.spawn(Boss, { args: {} });
    const [svc] = await boss.ask('members');
    expect(system.lookup(name)?.id).toBe(svc!.id);
    svc!.tell('add', 5);
    expect(await finder.ask('lookup', name)).toEqual({ id: svc!.id, count: 5 });
    const back = nextEvent(system, 'actor:restarted', (ref) => ref.id === svc!.id);
    if (how === 'throws') svc!.tell('boom', 'crash');
    else svc!.tell('exit', 1);
    await back;
    const found = system.lookup(name);
    expect(found?.id).toBe(svc!.id);
    expect(await (found as MemberRef).ask('get')).toBe(0); // answered by the new incarnation
    expect(await finder.ask('lookup', name)).toEqual({ id: svc!.id, count: 0 });
  });
});
