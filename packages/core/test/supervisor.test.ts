import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { child, createSystem, type ActorRef, type ActorSystem, type DownReason, type Strategy } from '../src/index.js';
import { Faulty } from './fixtures/faulty.js';
import { codeOf, failureOf, manualClock, nextEvent, turn } from './helpers.js';

let labels = 0;
/** A label no other test uses, so Faulty's start counts begin at zero. */
const fresh = (): string => `t${++labels}`;

describe('supervisors (inline children, injected clock)', () => {
  let system: ActorSystem | undefined;
  afterEach(async () => {
    await system?.shutdown();
  });

  function three(strategy: Strategy) {
    return {
      strategy,
      children: [
        child('a', Faulty, { args: { label: fresh() } }),
        child('b', Faulty, { args: { label: fresh() } }),
        child('c', Faulty, { args: { label: fresh() } }),
      ],
    } as const;
  }

  it('restarts a crashed child with its spawn arguments; its ref keeps working and queued messages survive', async () => {
    system = createSystem();
    const sup = await system.supervise({ children: [child('counter', Faulty, { args: { label: fresh(), start: 10 } })] });
    const counter = sup.ref('counter');
    counter.tell('add', 5);
    expect(await counter.ask('get')).toBe(15);
    const crashed = nextEvent(system, 'actor:crashed');
    const restarted = nextEvent(system, 'actor:restarted');
    counter.tell('boom', 'bad input');
    counter.tell('add', 1);
    counter.tell('add', 2);
    const [ref, reason] = await crashed;
    expect(ref.id).toBe(counter.id);
    expect(reason).toMatchObject({ kind: 'error', error: { message: 'bad input' } });
    expect((await restarted)[1]).toBe(1);
    // init ran again with { start: 10 }, then the two adds queued behind the crash ran.
    expect(await counter.ask('get')).toBe(13);
    expect(await counter.ask('starts')).toBe(2);
    expect(sup.children()).toEqual([{ id: 'counter', kind: 'actor', status: 'running', restarts: 1 }]);
  });

  it('runs onRestart with the previous state after an in-place restart', async () => {
    system = createSystem();
    const sup = await system.supervise({ children: [child('x', Faulty, { args: { label: fresh() } })] });
    const x = sup.ref('x');
    expect(await x.ask('recovered')).toBeUndefined(); // not on the first start
    x.tell('add', 4);
    x.tell('boom', 'crash');
    expect(await x.ask('recovered')).toBe(4);
    expect(await x.ask('get')).toBe(0);
  });

  it('answers the ask whose handler threw with the error, and restarts the actor', async () => {
    system = createSystem();
    const sup = await system.supervise({ children: [child('x', Faulty, { args: { label: fresh(), start: 1 } })] });
    const x = sup.ref('x');
    x.tell('add', 1);
    const error = await failureOf(x.ask('boom', 'in an ask'));
    expect(error.message).toBe('in an ask');
    expect(await x.ask('get')).toBe(1);
    expect(sup.restarts).toBe(1);
  });

  it.each([
    ['one-for-one', [false, true, false]],
    ['one-for-all', [true, true, true]],
    ['rest-for-one', [false, true, true]],
  ] as const)('%s restarts exactly the children it names, in start order', async (strategy, expected) => {
    system = createSystem();
    const sup = await system.supervise(three(strategy));
    const refs = [sup.ref('a'), sup.ref('b'), sup.ref('c')];
    for (const ref of refs) ref.tell('add', 1);
    // Each has handled its add before b fails (actors run in no set order among themselves:
    // an add still queued when its actor restarts would survive the restart).
    expect(await Promise.all(refs.map((ref) => ref.ask('get')))).toEqual([1, 1, 1]);
    const order: string[] = [];
    system.on('actor:restarted', (ref) => order.push(ref.id));
    const last = refs.filter((_, i) => expected[i]).at(-1)!;
    const done = nextEvent(system, 'actor:restarted', (ref) => ref.id === last.id);
    refs[1]!.tell('boom', 'b fails');
    await done;
    const counts = await Promise.all(refs.map((ref) => ref.ask('get')));
    expect(counts.map((n) => n === 0)).toEqual(expected);
    expect(order).toEqual(refs.filter((_, i) => expected[i]).map((ref) => ref.id));
  });

  it.each(['one-for-all', 'rest-for-one'] as const)('%s stops a temporary sibling with the group and does not restart it (OTP temporary_bystander)', async (strategy) => {
    system = createSystem();
    const sup = await system.supervise({
      strategy,
      children: [
        child('a', Faulty, { args: { label: fresh() } }),
        child('temp', Faulty, { args: { label: fresh() }, restart: 'temporary' }),
        child('trans', Faulty, { args: { label: fresh() }, restart: 'transient' }),
      ],
    });
    const [a, temp, trans] = [sup.ref('a'), sup.ref('temp'), sup.ref('trans')];
    trans.tell('add', 1);
    const restarted: string[] = [];
    system.on('actor:restarted', (ref) => restarted.push(ref.id));
    const stopped: Array<[string, DownReason]> = [];
    system.on('actor:stopped', (ref, reason) => stopped.push([ref.id, reason]));
    const transBack = nextEvent(system, 'actor:restarted', (ref) => ref.id === trans.id);
    a.tell('boom', 'a fails');
    await transBack;
    expect(stopped).toEqual([[temp.id, { kind: 'stopped' }]]);
    expect(sup.children()).toEqual([
      { id: 'a', kind: 'actor', status: 'running', restarts: 1 },
      { id: 'temp', kind: 'actor', status: 'stopped', restarts: 0 },
      { id: 'trans', kind: 'actor', status: 'running', restarts: 1 },
    ]);
    expect(restarted).toEqual([a.id, trans.id]);
    expect(await codeOf(temp.ask('get'))).toBe('ACTOR_STOPPED');
    expect(await trans.ask('get')).toBe(0); // a running transient bystander restarts with the group
  });

  it('gives up past its intensity: stops its children, escalates, and refs then fail with a code', async () => {
    const clock = manualClock();
    system = createSystem({ clock });
    const sup = await system.supervise({
      intensity: { maxRestarts: 2, withinMs: 1_000 },
      backoff: { initialMs: 100, jitter: 0 },
      children: [child('x', Faulty, { args: { label: fresh() } })],
    });
    const x = sup.ref('x');
    const escalated: DownReason[] = [];
    system.on('supervisor:escalated', (who, reason) => {
      expect(who).toBe(sup);
      escalated.push(reason);
    });
    const stopped = nextEvent(system, 'actor:stopped');

    x.tell('boom', 'first');
    await x.ask('get'); // first restart: immediate
    x.tell('boom', 'second');
    const waiting = x.ask('get'); // waits in the mailbox through the backoff
    await turn();
    expect(sup.restarts).toBe(1);
    clock.advance(99);
    await turn();
    expect(sup.restarts).toBe(1);
    clock.advance(1);
    await expect(waiting).resolves.toBe(0);
    expect(sup.restarts).toBe(2);
    expect(escalated).toEqual([]);

    x.tell('boom', 'third'); // three crashes within 1000 ms: one more than allowed
    const [, reason] = await stopped;
    expect(reason.kind).toBe('error');
    expect(escalated).toHaveLength(1);
    expect(escalated[0]).toMatchObject({ kind: 'error', error: { code: 'SUPERVISOR_ESCALATED' } });
    expect(sup.running).toBe(false);
    expect(await codeOf(x.ask('get'))).toBe('SUPERVISOR_ESCALATED'); // the reason it is not coming back
  });

  it('forgets restarts older than its window', async () => {
    const clock = manualClock();
    system = createSystem({ clock });
    const sup = await system.supervise({ intensity: { maxRestarts: 1, withinMs: 1_000 }, children: [child('x', Faulty, { args: { label: fresh() } })] });
    const x = sup.ref('x');
    for (let i = 0; i < 3; i++) {
      x.tell('boom', `crash ${i}`);
      await expect(x.ask('get')).resolves.toBe(0);
      clock.advance(1_000);
    }
    expect(sup.restarts).toBe(3);
    expect(sup.running).toBe(true);
  });

  it('backs off exponentially with jitter between consecutive restarts of a child', async () => {
    const clock = manualClock();
    system = createSystem({ clock, random: () => 1 }); // the top of the jitter range
    const sup = await system.supervise({
      intensity: { maxRestarts: 10, withinMs: 60_000 },
      backoff: { initialMs: 100, factor: 3, maxMs: 500, jitter: 0.1 },
      children: [child('x', Faulty, { args: { label: fresh() } })],
    });
    const x = sup.ref('x');
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      x.tell('boom', `crash ${i}`);
      let answered = false;
      void x.ask('get').then(() => (answered = true));
      await turn();
      let waited = 0;
      while (!answered) {
        clock.advance(10);
        waited += 10;
        await turn();
      }
      waits.push(waited);
    }
    // immediate, then 100, 300, 500 (capped), each stretched by the 10% jitter
    expect(waits).toEqual([0, 110, 330, 550]);
  });

  it('stops at once while a restart waits out its backoff', async () => {
    const clock = manualClock();
    system = createSystem({ clock });
    const sup = await system.supervise({ backoff: { initialMs: 60_000, maxMs: 60_000 }, children: [child('x', Faulty, { args: { label: fresh() } })] });
    const x = sup.ref('x');
    x.tell('boom', 'first');
    await x.ask('get'); // immediate restart
    x.tell('boom', 'second'); // this one waits a minute of the manual clock
    const waiting = codeOf(x.ask('get'));
    await turn();
    await system.shutdown(); // without advancing the clock
    expect(await waiting).toBe('ACTOR_STOPPED');
    expect(sup.running).toBe(false);
  });

  it('restart policies: temporary never, transient only after a crash, permanent always', async () => {
    system = createSystem();
    const sup = await system.supervise({
      children: [
        child('temporary', Faulty, { args: { label: fresh() }, restart: 'temporary' }),
        child('transient', Faulty, { args: { label: fresh() }, restart: 'transient' }),
        child('permanent', Faulty, { args: { label: fresh() }, restart: 'permanent' }),
      ],
    });
    const [temporary, transient, permanent] = [sup.ref('temporary'), sup.ref('transient'), sup.ref('permanent')];

    const gone = nextEvent(system, 'actor:stopped', (ref) => ref.id === temporary.id);
    temporary.tell('boom', 'no restart');
    expect((await gone)[1].kind).toBe('error');
    expect(await codeOf(temporary.ask('get'))).toBe('ACTOR_STOPPED');

    transient.tell('boom', 'restart');
    await expect(transient.ask('starts')).resolves.toBe(2);
    const ended = nextEvent(system, 'actor:stopped', (ref) => ref.id === transient.id);
    transient.tell('quit');
    expect((await ended)[1]).toEqual({ kind: 'stopped' });
    expect(await codeOf(transient.ask('get'))).toBe('ACTOR_STOPPED');

    permanent.tell('quit');
    await nextEvent(system, 'actor:restarted', (ref) => ref.id === permanent.id);
    await expect(permanent.ask('starts')).resolves.toBe(2);
    expect(sup.children().map((c) => c.status)).toEqual(['stopped', 'stopped', 'running']);
  });

  it('counts a restart whose init throws as a crash, and escalates when it keeps failing', async () => {
    system = createSystem();
    const sup = await system.supervise({
      intensity: { maxRestarts: 2, withinMs: 60_000 },
      backoff: { initialMs: 1, maxMs: 1, jitter: 0 },
      children: [child('y', Faulty, { args: { label: fresh(), failFrom: 2 } })], // only the first start works
    });
    const y = sup.ref('y');
    const escalated = nextEvent(system, 'supervisor:escalated');
    y.tell('boom', 'first');
    const [who, reason] = await escalated;
    expect(who).toBe(sup);
    // The last straw was the failed start, not the original crash.
    expect(reason).toMatchObject({ error: { code: 'SUPERVISOR_ESCALATED', cause: { code: 'SPAWN_FAILED' } } });
    expect(sup.restarts).toBe(2);
    expect(await codeOf(y.ask('get'))).toBe('SUPERVISOR_ESCALATED');
  });

  it('rejects the whole supervise when a child cannot start, stopping those already started', async () => {
    system = createSystem();
    const stopped: string[] = [];
    system.on('actor:stopped', (ref) => stopped.push(ref.id));
    const error = await failureOf(
      system.supervise({
        children: [child('ok', Faulty, { args: { label: fresh() } }), child('bad', Faulty, { args: { label: fresh(), failStarts: 1 } })],
      }),
    );
    expect((error as { code?: string }).code).toBe('SPAWN_FAILED');
    expect(stopped).toHaveLength(1);
  });

  it('nests: an inner supervisor that gives up is restarted by its parent, and refs into it keep working', async () => {
    system = createSystem();
    const outer = await system.supervise({
      strategy: 'one-for-one',
      children: [
        child('inner', { intensity: { maxRestarts: 0, withinMs: 1_000 }, children: [child('leaf', Faulty, { args: { label: fresh(), start: 7 } })] }),
        child('sibling', Faulty, { args: { label: fresh() } }),
      ],
    });
    const inner = outer.supervisor('inner');
    const leaf = inner.ref('leaf');
    expectTypeOf(leaf).toEqualTypeOf<ActorRef<typeof Faulty>>();
    outer.ref('sibling').tell('add', 1);
    leaf.tell('add', 1);
    const escalated = nextEvent(system, 'supervisor:escalated');
    leaf.tell('boom', 'leaf fails'); // intensity 0: the inner supervisor gives up at once
    const [who] = await escalated;
    expect(who).toBe(inner);
    await expect(leaf.ask('get')).resolves.toBe(7); // restarted with the inner supervisor
    expect(inner.running).toBe(true);
    expect(await outer.ref('sibling').ask('get')).toBe(1);
    expect(outer.children()[0]).toMatchObject({ id: 'inner', kind: 'supervisor', restarts: 1 });
  });

  it('types refs from the child specs', async () => {
    system = createSystem();
    const sup = await system.supervise({ children: [child('n', Faulty, { args: { label: fresh() } })] });
    const n = sup.ref('n');
    expectTypeOf(n).toEqualTypeOf<ActorRef<typeof Faulty>>();
    n.tell('add', 2);
    const total: number = await n.ask('get');
    expect(total).toBe(2);
    // @ts-expect-error: no child 'm'
    expect(() => sup.ref('m')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    // @ts-expect-error: add takes a number
    n.tell('add', 'two');
  });

  it('refuses bad specs with INVALID_ARGUMENT', async () => {
    system = createSystem();
    expect(() => child('', Faulty)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => child('x', Faulty, { handlerTimeout: 100 })).toThrow(/thread' or 'process/);
    expect(() => child('x', Faulty, { restart: 'sometimes' as 'permanent' })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    const twice = { children: [child('x', Faulty), child('x', Faulty)] };
    expect(await codeOf(system.supervise(twice))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(system.supervise({ strategy: 'all-for-none' as Strategy, children: [] }))).toBe('INVALID_ARGUMENT');
  });
});

describe('monitors and links', () => {
  let system: ActorSystem | undefined;
  afterEach(async () => {
    await system?.shutdown();
  });

  it('a monitor fires once, with the reason, on the next death only', async () => {
    system = createSystem();
    const sup = await system.supervise({ children: [child('x', Faulty, { args: { label: fresh() } })] });
    const x = sup.ref('x');
    const reasons: DownReason[] = [];
    system.monitor(x, (reason) => reasons.push(reason));
    x.tell('boom', 'one');
    await x.ask('get');
    x.tell('boom', 'two');
    await x.ask('get');
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatchObject({ kind: 'error', error: { message: 'one' } });
    const cancelled: DownReason[] = [];
    system.monitor(x, (reason) => cancelled.push(reason))();
    x.tell('boom', 'three');
    await x.ask('get');
    expect(cancelled).toEqual([]);
  });

  it('a monitor on an actor that is not running fires with stopped', async () => {
    system = createSystem();
    const x = await system.spawn(Faulty, { args: { label: fresh() } });
    await system.stop(x);
    const reason = await new Promise<DownReason>((resolve) => system!.monitor(x, resolve));
    expect(reason).toEqual({ kind: 'stopped' });
  });

  it('a link takes the other actor down on a crash: restarted when supervised, stopped when not', async () => {
    system = createSystem();
    const sup = await system.supervise({ children: [child('a', Faulty, { args: { label: fresh() } }), child('b', Faulty, { args: { label: fresh() } })] });
    const [a, b] = [sup.ref('a'), sup.ref('b')];
    const loner = await system.spawn(Faulty, { args: { label: fresh() } });
    system.link(a, b);
    system.link(a, loner);
    b.tell('add', 5);
    const bRestarted = nextEvent(system, 'actor:restarted', (ref) => ref.id === b.id);
    const lonerStopped = nextEvent(system, 'actor:stopped', (ref) => ref.id === loner.id);
    a.tell('boom', 'a fails');
    await bRestarted;
    await lonerStopped;
    expect(await b.ask('get')).toBe(0);
    expect(await codeOf(loner.ask('get'))).toBe('ACTOR_STOPPED');
    // One death per link: a second crash of a leaves b alone.
    b.tell('add', 1);
    a.tell('boom', 'again');
    await a.ask('get');
    expect(await b.ask('get')).toBe(1);
    expect(() => system!.link(a, loner)).toThrow(expect.objectContaining({ code: 'ACTOR_STOPPED' }));
  });

  it('stop(ref) on a supervised child stops it for good', async () => {
    system = createSystem();
    const sup = await system.supervise({ children: [child('x', Faulty, { args: { label: fresh() } })] });
    const x = sup.ref('x');
    await system.stop(x);
    expect(await codeOf(x.ask('get'))).toBe('ACTOR_STOPPED');
    expect(sup.children()[0]!.status).toBe('stopped');
  });

  it('drops children added after the start once they are gone for good (a pool spawning and stopping actors)', async () => {
    system = createSystem();
    const sup = await system.supervise({ children: [child('fixed', Faulty, { args: { label: fresh() } })] });
    for (let i = 0; i < 20; i++) {
      const added = (await sup.add(child(`added-${i}`, Faulty, { args: { label: fresh() } }))) as ActorRef<typeof Faulty>;
      expect(await added.ask('get')).toBe(0);
      await system.stop(added);
    }
    const temporary = (await sup.add(child('temporary', Faulty, { args: { label: fresh() }, restart: 'temporary' }))) as ActorRef<typeof Faulty>;
    const down = nextEvent(system, 'actor:crashed');
    temporary.tell('boom', 'once');
    await down;
    await sup.stopChild(temporary); // queued behind the crash's handling: it has been dealt with
    expect(sup.children().map((c) => c.id)).toEqual(['fixed']); // the spec's child stays, stopped or not
    await system.stop(sup.ref('fixed'));
    expect(sup.children().map((c) => [c.id, c.status])).toEqual([['fixed', 'stopped']]);
  });

  it('forgets a top-level supervisor once it has stopped (a service supervising per session)', async () => {
    system = createSystem();
    const kept = await system.supervise({ children: [child('k', Faulty, { args: { label: fresh() } })] });
    for (let i = 0; i < 10; i++) {
      const sup = await system.supervise({ children: [child('x', Faulty, { args: { label: fresh() } })] });
      await sup.stop();
    }
    expect(system.supervisorCount).toBe(1);
    await kept.stop();
    expect(system.supervisorCount).toBe(0);
  });
});
