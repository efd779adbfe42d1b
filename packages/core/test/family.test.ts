import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { child, createSystem, type ActorRef, type ActorSystem } from '../src/index.js';
import { Faulty } from './fixtures/faulty.js';
import { Child, Log, Parent } from './fixtures/family.js';
import { codeOf, eventually, manualClock, nextEvent } from './helpers.js';

describe('actors that build their own trees', () => {
  let system: ActorSystem;
  beforeEach(() => {
    system = createSystem({ shutdownTimeout: 3_000 });
  });
  afterEach(async () => {
    await system.shutdown();
  });

  it('lets a thread parent start inline, thread and process children, listed in start order', async () => {
    const parent = await system.spawn(Parent, { placement: 'thread', args: { label: 'p' } });
    const here = await parent.ask('spawnChild', { label: 'inline' });
    const thread = await parent.ask('spawnChild', { label: 'thread', placement: 'thread' });
    const proc = await parent.ask('spawnChild', { label: 'process', placement: 'process' });
    expect(await Promise.all([here, thread, proc].map((c) => c.ask('label')))).toEqual(['inline', 'thread', 'process']);
    const [a, b, c] = await Promise.all([here.ask('where'), thread.ask('where'), proc.ask('where')]);
    expect(a.pid).toBe(process.pid); // the parent's own thread: same process
    expect(b.pid).toBe(process.pid);
    expect(b.thread).not.toBe(a.thread);
    expect(c.pid).not.toBe(process.pid);
    expect((await parent.ask('children')).map((ref) => ref.id)).toEqual([here.id, thread.id, proc.id]);
  });

  it('builds a tree three levels deep across placements', async () => {
    const root = await system.spawn(Parent, { args: { label: 'top' } });
    const path = await root.ask('spawnTree', ['thread', 'process', 'inline']);
    expect(path).toHaveLength(4);
    const [main, thread, proc, inline] = path as Array<{ pid: number; thread: number }>;
    expect(main?.pid).toBe(process.pid);
    expect(thread).toMatchObject({ pid: process.pid });
    expect(thread?.thread).not.toBe(main?.thread);
    expect(proc?.pid).not.toBe(process.pid);
    expect(inline).toEqual(proc); // an inline child runs where its parent does
  });

  it("takes a parent's children down first when it stops, the last started first, and refuses spawns once it stops", async () => {
    const log = await system.spawn(Log);
    const parent = await system.spawn(Parent, { placement: 'thread', args: { label: 'parent', log } });
    await parent.ask('spawnChild', { label: 'first' });
    await parent.ask('spawnChild', { label: 'second', placement: 'thread' });
    await parent.ask('spawnChild', { label: 'third', placement: 'process' });
    await system.stop(parent);
    const lines = await eventually(() => log.ask('all'), (all) => all.length >= 4);
    expect(lines).toEqual(['stop third', 'stop second', 'stop first', 'stop parent (a spawn now: ACTOR_STOPPED)']);
  });

  it("stops a parent's children when it is restarted, and its start may spawn them again", async () => {
    const log = await system.spawn(Log);
    const sup = await system.supervise({ children: [child('parent', Parent, { placement: 'thread', args: { label: 'parent', log, children: [{ label: 'kid', placement: 'thread' }] } })] });
    const parent = sup.ref('parent');
    const [before] = await parent.ask('children');
    const restarted = nextEvent(system, 'actor:restarted', (ref) => ref.id === parent.id);
    parent.tell('boom');
    await restarted;
    const [after] = await parent.ask('children');
    expect(after?.id).not.toBe(before?.id);
    expect(await (after as ActorRef<typeof Child>).ask('label')).toBe('kid');
    expect(await log.ask('all')).toContain('stop kid');
  });

  it.each([
    ['a supervised child that throws', 'error'],
    ['a thread that exits', 'exit'],
    ['a process killed with SIGKILL', 'signal'],
    ['ctx.stop()', 'stopped'],
  ] as const)('tells watchers on a thread and on the main thread, through their mailboxes, when %s', async (_what, kind) => {
    const watcher = await system.spawn(Parent, { placement: 'thread', args: { label: 'watcher' } });
    const other = await system.spawn(Parent, { args: { label: 'other watcher' } });
    let target: ActorRef<typeof Faulty>;
    if (kind === 'error') {
      const sup = await system.supervise({ children: [child('t', Faulty, { placement: 'process', args: { label: 'watched' } })] });
      target = sup.ref('t');
    } else {
      target = await system.spawn(Faulty, { placement: kind === 'signal' ? 'process' : kind === 'exit' ? 'thread' : 'inline', args: { label: 'watched' } });
    }
    await other.ask('watchAs', target); // told as a message of its own
    // The thread watcher watches, then causes the end: its tell follows its watch.
    const [type, payload] = kind === 'error' ? ['boom', 'watched crash'] : kind === 'exit' ? ['exit', 3] : kind === 'signal' ? ['kill', undefined] : ['quit', undefined];
    await watcher.ask('poke', { ref: target, type, payload }); // told through its onDown hook
    const downs = [...(await eventually(() => watcher.ask('downs'), (d) => d.length >= 1)), ...(await eventually(() => other.ask('downs'), (d) => d.length >= 1))];
    expect(downs.map((d) => d.via)).toEqual(['onDown', 'gotDown']);
    for (const down of downs) expect(down).toMatchObject({ id: target.id, kind, ...(kind === 'exit' ? { code: 3 } : {}), ...(kind === 'signal' ? { signal: 'SIGKILL' } : {}) });
  });

  it('tells a watcher at once when the actor is gone already, and not at all after unwatch', async () => {
    const watcher = await system.spawn(Parent, { placement: 'process', args: { label: 'watcher' } });
    const gone = await system.spawn(Child, { placement: 'thread', args: { label: 'gone' } });
    await system.stop(gone);
    await watcher.ask('watchIt', gone);
    expect(await eventually(() => watcher.ask('downs'), (d) => d.length >= 1)).toEqual([{ id: gone.id, kind: 'stopped', via: 'onDown' }]);
    const kept = await system.spawn(Child, { args: { label: 'kept' } });
    await watcher.ask('watchIt', kept);
    await watcher.ask('unwatchIt', kept);
    await system.stop(kept);
    const alsoGone = await system.spawn(Child, { args: { label: 'also gone' } });
    await watcher.ask('watchIt', alsoGone);
    await system.stop(alsoGone); // a later notification: the one for `kept` would have come first
    expect((await eventually(() => watcher.ask('downs'), (d) => d.length >= 2)).map((d) => d.id)).toEqual([gone.id, alsoGone.id]);
  });

  it('finds a name registered in a process from a thread, checks its definition, and frees it when its actor ends', async () => {
    const inProcess = await system.spawn(Parent, { placement: 'process', args: { label: 'owner' } });
    const named = await inProcess.ask('spawnChild', { label: 'the registered one', name: 'registered' });
    const fromThread = await system.spawn(Parent, { placement: 'thread', args: { label: 'finder' } });
    expect(await fromThread.ask('lookup', 'registered')).toBe('the registered one');
    expect(await fromThread.ask('lookupTyped', 'registered')).toBe('the registered one');
    expect(await fromThread.ask('lookupAsParent', 'registered')).toBe('DEFINITION_MISMATCH');
    expect(system.lookup('registered')?.id).toBe(named.id);
    const clash = await fromThread.ask('spawnChild', { label: 'again', name: 'registered' }).then(
      () => 'spawned',
      (error: { code?: string }) => error.code,
    );
    expect(clash).toBe('NAME_TAKEN');
    await named.ask('quit');
    expect(await eventually(() => fromThread.ask('lookupTyped', 'registered'), (found) => found === 'none')).toBe('none');
  });

  it('refuses a watch of something that is not a ref, and timers with a bad delay, at the call', async () => {
    const parent = await system.spawn(Parent, { placement: 'thread' });
    expect(await parent.ask('watchJunk', { id: 'not a ref' })).toBe('INVALID_ARGUMENT');
    for (const delay of [-1, Number.NaN, Number.POSITIVE_INFINITY]) expect(await parent.ask('badTimer', delay)).toBe('INVALID_ARGUMENT');
    expect(await parent.ask('badTimer', 0)).toBe('started');
  });
});

describe("an actor's timers", () => {
  it('deliver to the actor on the injected clock: once, every, replaced by key, cancelled, and all cancelled on stop', async () => {
    const clock = manualClock();
    const system = createSystem({ clock });
    try {
      const actor = await system.spawn(Parent);
      await actor.ask('once', { key: 'a', ms: 100 });
      await actor.ask('every', { key: 'b', ms: 30 });
      await actor.ask('once', { key: 'c', ms: 50 });
      await actor.ask('once', { key: 'c', ms: 500 }); // replaces the first 'c'
      for (let t = 0; t < 10; t++) clock.advance(10); // b at 30, 60, 90; a at 100
      expect(await actor.ask('ticks')).toEqual(['b', 'b', 'b', 'a']);
      await actor.ask('cancel', 'b');
      clock.advance(200);
      expect(await actor.ask('ticks')).toEqual(['b', 'b', 'b', 'a']);
      clock.advance(200); // the second 'c', at 500
      expect(await actor.ask('ticks')).toEqual(['b', 'b', 'b', 'a', 'c']);
      await actor.ask('every', { key: 'd', ms: 10 });
      await system.stop(actor);
      clock.advance(1_000); // 'c' and 'd' were cancelled with the actor: nothing runs, nothing throws
    } finally {
      await system.shutdown();
    }
  });
});

describe('supervision by an actor', () => {
  let system: ActorSystem;
  beforeEach(() => {
    system = createSystem({ shutdownTimeout: 3_000 });
  });
  afterEach(async () => {
    await system.shutdown();
  });

  it.each(['inline', 'thread'] as const)('restarts the children of a supervisor started by an actor placed %s; its inline children run beside it', async (placement) => {
    const parent = await system.spawn(Parent, { placement, args: { label: 'boss', supervise: { maxRestarts: 5, placements: ['inline', 'process'] } } });
    const [beside, apart] = await parent.ask('workers');
    const [home, besideWhere, apartWhere] = await Promise.all([parent.ask('spawnTree', []), beside!.ask('where'), apart!.ask('where')]);
    expect(besideWhere.thread).toBe(home[0]?.thread); // on its parent's thread
    expect(apartWhere.pid).not.toBe(process.pid);
    beside!.tell('add', 2);
    const restarted = nextEvent(system, 'actor:restarted', (ref) => ref.id === beside!.id);
    beside!.tell('boom', 'a child crash');
    await restarted;
    expect(await beside!.ask('get')).toBe(0); // a fresh incarnation, the same ref
    apart!.tell('exit', 1);
    await nextEvent(system, 'actor:restarted', (ref) => ref.id === apart!.id);
    expect(await apart!.ask('get')).toBe(0);
    expect((await parent.ask('supervisedChildren')).map((c) => c.restarts)).toEqual([1, 1]);
  });

  it("escalates to the actor past its intensity: the actor crashes, its own supervisor restarts it, and its start supervises again", async () => {
    const sup = await system.supervise({ children: [child('boss', Parent, { placement: 'thread', args: { label: 'boss', supervise: { maxRestarts: 1, placements: ['inline'] } } })] });
    const boss = sup.ref('boss');
    const [first] = await boss.ask('workers');
    const bossRestarted = nextEvent(system, 'actor:restarted', (ref) => ref.id === boss.id);
    first!.tell('boom', 'once'); // restarted by the boss's supervisor
    await nextEvent(system, 'actor:restarted', (ref) => ref.id === first!.id);
    first!.tell('boom', 'twice'); // past its intensity: the boss crashes
    await bossRestarted;
    const [again] = await boss.ask('workers');
    expect(await again!.ask('get')).toBe(0);
    expect(sup.children()[0]).toMatchObject({ status: 'running', restarts: 1 });
  });

  it('stops a supervised thread actor and the children its supervisor started on its thread at once, not after a timeout', async () => {
    // A long timeout: a stop that waited for the thread to end while the thread waited for it would show as a test timeout.
    const patient = createSystem({ shutdownTimeout: 60_000 });
    try {
      const sup = await patient.supervise({ children: [child('boss', Parent, { placement: 'thread', args: { label: 'boss', supervise: { maxRestarts: 1, placements: ['inline'] } } })] });
      const [worker] = await sup.ref('boss').ask('workers');
      expect(await worker!.ask('get')).toBe(0);
      await sup.stop();
      expect(await codeOf(worker!.ask('get'))).toBe('ACTOR_STOPPED');
    } finally {
      await patient.shutdown();
    }
  }, 20_000);

  it("stops a supervisor's children with the actor that started it", async () => {
    const parent = await system.spawn(Parent, { placement: 'thread', args: { label: 'boss', supervise: { maxRestarts: 5, placements: ['thread', 'inline'] } } });
    const workers = await parent.ask('workers');
    await system.stop(parent);
    for (const worker of workers) expect(await codeOf(worker.ask('get'))).toBe('ACTOR_STOPPED');
  });
});
