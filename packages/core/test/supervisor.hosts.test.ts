import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { child, createPool, createSystem, type ActorRef, type ActorSystem, type DownReason } from '../src/index.js';
import { Collector, Faulty } from './fixtures/faulty.js';
import { Probe } from './fixtures/probe.js';
import { tasks } from './fixtures/tasks.js';
import { codeOf, failureOf, nextEvent } from './helpers.js';

let labels = 0;
const fresh = (): string => `h${++labels}`;

describe('supervised actors on threads and processes', () => {
  let system: ActorSystem;
  beforeEach(() => {
    system = createSystem({ shutdownTimeout: 2_000 });
  });
  afterEach(async () => {
    await system.shutdown();
  });

  /** Waits for the crash of `ref`; messages `during` sends from inside the event wait for the restart. */
  async function crashOf(ref: ActorRef, cause: () => void, during?: () => void): Promise<DownReason> {
    const crashed = nextEvent(system, 'actor:crashed', (r) => r.id === ref.id);
    const restarted = nextEvent(system, 'actor:restarted', (r) => r.id === ref.id);
    if (during !== undefined) system.once('actor:crashed', during);
    cause();
    const [, reason] = await crashed;
    await restarted;
    return reason;
  }

  it.each([
    ['thread', 'exit', (ref: ActorRef<typeof Faulty>) => ref.ask('exit', 3), { kind: 'exit', code: 3 }],
    ['process', 'exit', (ref: ActorRef<typeof Faulty>) => ref.ask('exit', 4), { kind: 'exit', code: 4 }],
    ['process', 'SIGKILL', (ref: ActorRef<typeof Faulty>) => ref.ask('kill'), { kind: 'signal', signal: 'SIGKILL' }],
    ['process', 'SIGTERM', (ref: ActorRef<typeof Faulty>) => ref.ask('kill', 'SIGTERM'), { kind: 'signal', signal: 'SIGTERM' }],
  ] as const)('replaces a %s host that dies by %s; the ref keeps working and messages sent meanwhile wait', async (placement, _how, cause, expected) => {
    const sup = await system.supervise({ children: [child('x', Faulty, { placement, args: { label: fresh(), start: 100 } })] });
    const x = sup.ref('x');
    const before = await x.ask('where');
    let pending: Array<Promise<Error>> = [];
    const reason = await crashOf(
      x,
      () => (pending = [failureOf(cause(x)), failureOf(x.ask('get'))]), // the fatal ask, and one queued behind it
      () => x.tell('add', 5),
    );
    expect(reason).toMatchObject(expected);
    for (const error of await Promise.all(pending)) expect(error).toMatchObject({ code: 'WORKER_CRASHED' });
    expect(await x.ask('get')).toBe(105);
    expect(await x.ask('recovered')).toBe('lost'); // onRestart ran, with no previous state to give
    const after = await x.ask('where');
    expect(placement === 'thread' ? after.thread : after.pid).not.toBe(placement === 'thread' ? before.thread : before.pid);
  });

  it('replaces a thread that runs out of memory', async () => {
    const sup = await system.supervise({ children: [child('x', Faulty, { placement: 'thread', resourceLimits: { maxOldGenerationSizeMb: 32 }, args: { label: fresh() } })] });
    const x = sup.ref('x');
    const reason = await crashOf(x, () => x.tell('hog'));
    expect(reason.kind).toBe('out-of-memory');
    await expect(x.ask('get')).resolves.toBe(0);
  });

  it.each([
    ['thread', 'spin'],
    ['process', 'hang'],
  ] as const)('ends a %s whose handler runs past handlerTimeout (%s) and restarts the child', async (placement, how) => {
    const sup = await system.supervise({ children: [child('x', Faulty, { placement, handlerTimeout: 300, args: { label: fresh() } })] });
    const x = sup.ref('x');
    const pending = failureOf(x.ask(how));
    const reason = await crashOf(x, () => undefined);
    expect(reason).toMatchObject({ kind: 'timeout', error: { code: 'HANDLER_TIMEOUT' } });
    expect(await pending).toMatchObject({ code: 'HANDLER_TIMEOUT' });
    await expect(x.ask('get')).resolves.toBe(0);
  });

  it('starts thread actors on the thread booted ahead, a restart as an unsupervised spawn, and boots the next spare behind each', async () => {
    const sup = await system.supervise({ children: [child('x', Faulty, { placement: 'thread', args: { label: fresh() } })] });
    const x = sup.ref('x');
    const nodeOf = async (ref: ActorRef): Promise<string | undefined> => (await system.inspect()).actors.find((a) => a.id === ref.id)?.node;
    /** The thread that runs no actor (the spare kept for restarts), once there is one other than those `taken`. */
    const spareBesides = async (taken: ReadonlySet<string | undefined>): Promise<string | undefined> => {
      for (let tries = 0; tries < 100; tries++) {
        const idle = (await system.inspect()).hosts.filter((h) => h.kind === 'thread' && h.actors === 0 && !taken.has(h.node));
        if (idle.length > 0) return idle[0]?.node;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return undefined;
    };
    const first = await spareBesides(new Set());
    expect(first).toBeDefined();
    const y = await system.spawn(Faulty, { placement: 'thread', args: { label: fresh() } });
    expect(await nodeOf(y)).toBe(first);
    const second = await spareBesides(new Set([first]));
    expect(second).toBeDefined();
    await crashOf(x, () => x.tell('exit', 1));
    expect(await x.ask('get')).toBe(0);
    expect(await nodeOf(x)).toBe(second);
    expect(await spareBesides(new Set([first, second]))).toBeDefined();
    await system.stop(y);
  });

  it('restarts a thread actor whose handler throws in place: same thread, queued messages survive', async () => {
    const sup = await system.supervise({ children: [child('x', Faulty, { placement: 'thread', args: { label: fresh() } })] });
    const x = sup.ref('x');
    const before = await x.ask('where');
    const reason = await crashOf(x, () => {
      x.tell('boom', 'thrown in a thread');
      for (let i = 1; i <= 10; i++) x.tell('add', i);
    });
    expect(reason).toMatchObject({ kind: 'error', error: { name: 'Error', message: 'thrown in a thread' } });
    expect(await x.ask('get')).toBe(55);
    expect((await x.ask('where')).thread).toBe(before.thread);
    expect(await x.ask('starts')).toBe(2);
  });

  it('keeps refs held by other threads and processes working after the child moved to a new host', async () => {
    const sup = await system.supervise({ children: [child('x', Faulty, { placement: 'thread', args: { label: fresh() } })] });
    const x = sup.ref('x');
    const peer = x as unknown as ActorRef<typeof import('./fixtures/counter.js').Counter>;
    const viaThread = await system.spawn(Probe, { placement: 'thread', args: { peer } });
    const viaProcess = await system.spawn(Probe, { placement: 'process', args: { peer } });
    expect(await viaThread.ask('addToPeer', 1)).toBe(1);
    await crashOf(x, () => x.tell('exit', 1));
    expect(await viaThread.ask('addToPeer', 2)).toBe(2);
    expect(await viaProcess.ask('addToPeer', 3)).toBe(5);
    await crashOf(x, () => x.tell('exit', 1)); // and again, from its second host
    expect(await viaProcess.ask('addToPeer', 4)).toBe(4);
    expect(await viaThread.ask('addToPeer', 5)).toBe(9);
  });

  it('lets a host started after the child moved reach it, whenever it was started', async () => {
    const sup = await system.supervise({ children: [child('x', Faulty, { placement: 'thread', args: { label: fresh() } })] });
    const x = sup.ref('x');
    const peer = x as unknown as ActorRef<typeof import('./fixtures/counter.js').Counter>;
    await crashOf(x, () => x.tell('exit', 1)); // its first thread is gone; it runs on another
    const lateThread = await system.spawn(Probe, { placement: 'thread', args: { peer } });
    const lateProcess = await system.spawn(Probe, { placement: 'process', args: { peer } });
    expect(await lateThread.ask('addToPeer', 1)).toBe(1);
    expect(await lateProcess.ask('addToPeer', 2)).toBe(3);
    // And a ref that first reaches a host later, inside a message.
    const target = x as unknown as ActorRef<typeof import('./fixtures/counter.js').Counter>;
    const courier = await system.spawn(Probe, { placement: 'thread' });
    expect(await courier.ask('addVia', { target, by: 4 })).toBe(7);
  });

  it("leaves a supervised child's host to its supervisor when asked to kill it (kill ends unsupervised hosts only)", async () => {
    const sup = await system.supervise({ children: [child('x', Faulty, { placement: 'thread', args: { label: fresh(), start: 3 } })] });
    const x = sup.ref('x');
    const before = await x.ask('where');
    await system.kill(x, { kind: 'stopped' });
    expect(await x.ask('get')).toBe(3);
    expect(await x.ask('where')).toEqual(before);
    expect(sup.children()[0]).toMatchObject({ status: 'running', restarts: 0 });
  });

  it('fails what waits for a child that is not coming back, with a code', async () => {
    const sup = await system.supervise({ children: [child('x', Faulty, { placement: 'thread', restart: 'temporary', args: { label: fresh() } })] });
    const x = sup.ref('x');
    const letters: string[] = [];
    system.on('dead-letter', (letter) => letters.push(`${letter.type}:${(letter.error as { code?: string }).code}`));
    const stopped = nextEvent(system, 'actor:stopped', (ref) => ref.id === x.id);
    let late: Promise<string | undefined> | undefined;
    system.once('actor:crashed', () => {
      x.tell('add', 1);
      late = codeOf(x.ask('get'));
    });
    x.tell('exit', 9);
    expect((await stopped)[1]).toMatchObject({ kind: 'exit', code: 9 });
    expect(await late).toBe('WORKER_CRASHED');
    expect(await codeOf(x.ask('get'))).toBe('WORKER_CRASHED');
    expect(letters).toContain('add:WORKER_CRASHED');
  });

  it.each(['inline', 'thread', 'process'] as const)(
    'keeps the messages of a permanent %s child that calls ctx.stop(): those queued behind the stop and those sent while it restarts wait for it',
    async (placement) => {
      const sup = await system.supervise({ children: [child('x', Faulty, { placement, args: { label: fresh() } })] });
      const x = sup.ref('x');
      const before = await x.ask('where');
      let during: Promise<number> | undefined;
      system.monitor(x, () => {
        x.tell('add', 3);
        during = x.ask('get');
      });
      const restarted = nextEvent(system, 'actor:restarted', (ref) => ref.id === x.id);
      x.tell('add', 1);
      x.tell('quit');
      x.tell('add', 2);
      const queued = x.ask('get');
      await restarted;
      expect(await queued).toBe(2); // handled by the new incarnation, which started from its spawn arguments
      expect(await during).toBe(5);
      expect(await x.ask('starts')).toBe(2);
      expect(await x.ask('where')).toEqual(before); // restarted in place, like after a throw
    },
  );

  it("holds messages sent during a restart within the child's mailbox policy", async () => {
    const sup = await system.supervise({ children: [child('x', Faulty, { placement: 'thread', mailbox: { capacity: 2, overflow: 'fail' }, args: { label: fresh() } })] });
    const x = sup.ref('x');
    let during: Array<Promise<string | undefined>> = [];
    await crashOf(
      x,
      () => x.tell('exit', 1),
      () => (during = [1, 2, 3, 4].map((n) => codeOf(x.send('add', n)))),
    );
    expect(await Promise.all(during)).toEqual([undefined, undefined, 'MAILBOX_FULL', 'MAILBOX_FULL']);
    expect(await x.ask('get')).toBe(3);
  });

  it("ends a child's host when it does not stop within its shutdownTimeout", async () => {
    const sup = await system.supervise({ children: [child('x', Faulty, { placement: 'thread', shutdownTimeout: 200, args: { label: fresh() } })] });
    const x = sup.ref('x');
    const stopped = nextEvent(system, 'actor:stopped', (ref) => ref.id === x.id);
    const spinning = codeOf(x.ask('spin')); // blocks its thread: it cannot even hear the stop
    await sup.stop();
    expect((await stopped)[1]).toEqual({ kind: 'stopped' });
    expect(await spinning).toBe('ACTOR_STOPPED');
    expect(await codeOf(x.ask('get'))).toBe('ACTOR_STOPPED');
  });

  it('one-for-all across placements: a process crash restarts the thread and inline siblings in place', async () => {
    const sup = await system.supervise({
      strategy: 'one-for-all',
      children: [
        child('a', Faulty, { placement: 'thread', args: { label: fresh() } }),
        child('b', Faulty, { placement: 'process', args: { label: fresh() } }),
        child('c', Faulty, { args: { label: fresh() } }),
      ],
    });
    const [a, b, c] = [sup.ref('a'), sup.ref('b'), sup.ref('c')];
    for (const ref of [a, b, c]) ref.tell('add', 1);
    const thread = (await a.ask('where')).thread;
    const done = nextEvent(system, 'actor:restarted', (ref) => ref.id === c.id);
    b.tell('kill');
    await done;
    expect(await Promise.all([a, b, c].map((ref) => ref.ask('get')))).toEqual([0, 0, 0]);
    expect((await a.ask('where')).thread).toBe(thread);
    expect(await a.ask('starts')).toBe(2);
  });
});

describe('refs to actors that are not coming back', () => {
  let system: ActorSystem;
  beforeEach(() => {
    system = createSystem({ shutdownTimeout: 2_000 });
  });
  afterEach(async () => {
    await system.shutdown();
  });

  type Failure = Error & { code?: string; actor?: string; cause?: { message?: string } };

  /** How an ask to `ref` fails from this thread, from another thread and from another process, and the dead letter of a tell from each. */
  async function failuresOf(ref: ActorRef<typeof Faulty>, probes: Array<ActorRef<typeof Probe>>, letters: Array<{ type: string; error: Failure }>): Promise<Failure[]> {
    const here = await failureOf<Failure>(ref.ask('get'));
    const there = await Promise.all(probes.map((probe) => failureOf<Failure>(probe.ask('addToPeer', 1))));
    expect(letters.filter((l) => l.type === 'add')).toHaveLength(probes.length);
    return [here, ...there, ...letters.map((l) => l.error)];
  }

  async function setup(placement: 'inline' | 'thread' | 'process', spec: { restart?: 'temporary'; maxRestarts: number }) {
    const sup = await system.supervise({
      id: 'orders',
      intensity: { maxRestarts: spec.maxRestarts, withinMs: 60_000 },
      children: [child('worker', Faulty, { placement, args: { label: fresh() }, ...(spec.restart === undefined ? {} : { restart: spec.restart }) })],
    });
    return { worker: sup.ref('worker'), ...(await watched(sup.ref('worker'))) };
  }

  /** Probes on a thread and a process holding a ref to `target`, the dead letters, and `target`'s end. */
  async function watched(target: ActorRef<typeof Faulty>) {
    const peer = target as unknown as ActorRef<typeof import('./fixtures/counter.js').Counter>;
    const probes = [await system.spawn(Probe, { placement: 'thread', args: { peer } }), await system.spawn(Probe, { placement: 'process', args: { peer } })];
    const letters: Array<{ type: string; error: Failure }> = [];
    system.on('dead-letter', (letter) => letters.push({ type: letter.type, error: letter.error as Failure }));
    return { probes, letters, gone: nextEvent(system, 'actor:stopped', (ref) => ref.id === target.id) };
  }

  it.each(['inline', 'thread', 'process'] as const)('fails later asks and tells to the %s children of a supervisor that gave up with SUPERVISOR_ESCALATED, from any thread or process', async (placement) => {
    const { worker, probes, letters, gone } = await setup(placement, { maxRestarts: 0 });
    worker.tell('boom', 'once too often');
    await gone;
    for (const error of await failuresOf(worker, probes, letters)) {
      expect(error).toMatchObject({ code: 'SUPERVISOR_ESCALATED', actor: worker.id, cause: { message: expect.stringContaining("supervisor 'orders' gave up") } });
      expect(error.message).toContain(`actor orders/worker (${worker.id}) is stopped: supervisor 'orders' gave up`);
    }
  });

  it.each(['inline', 'thread', 'process'] as const)('fails later asks and tells to a temporary %s child that crashed with its crash, from any thread or process', async (placement) => {
    const { worker, probes, letters, gone } = await setup(placement, { restart: 'temporary', maxRestarts: 3 });
    worker.tell('boom', 'bad input');
    await gone;
    for (const error of await failuresOf(worker, probes, letters)) {
      expect(error).toMatchObject({ code: 'ACTOR_STOPPED', actor: worker.id, message: `actor orders/worker (${worker.id}) is stopped: bad input`, cause: { message: 'bad input' } });
    }
  });

  it('lets a temporary thread child come back when its supervisor is restarted by its parent, with its children', async () => {
    const outer = await system.supervise({
      children: [child('inner', { intensity: { maxRestarts: 0, withinMs: 60_000 }, children: [child('temp', Faulty, { placement: 'thread', restart: 'temporary', args: { label: fresh() } }), child('leaf', Faulty, { args: { label: fresh() } })] })],
    });
    const inner = outer.supervisor('inner');
    const [temp, leaf] = [inner.ref('temp'), inner.ref('leaf')];
    const gone = nextEvent(system, 'actor:stopped', (ref) => ref.id === temp.id);
    temp.tell('exit', 1);
    await gone;
    expect(await codeOf(temp.ask('get'))).toBe('WORKER_CRASHED');
    const leafBack = nextEvent(system, 'actor:started', (ref) => ref.id === leaf.id); // it starts after temp
    leaf.tell('boom', 'inner gives up'); // and its parent starts it again, every child afresh
    await leafBack;
    await expect(temp.ask('get')).resolves.toBe(0);
  });

  it('fails later asks and tells to a temporary pool actor that crashed with its crash, its worker still running', async () => {
    const pool = createPool({ tasks, size: 1, placement: 'thread', system });
    const actor = await pool.spawn(Faulty, { name: 'session', restart: 'temporary', args: { label: fresh() } });
    const { probes, letters, gone } = await watched(actor);
    actor.tell('boom', 'bad input');
    await gone;
    for (const error of await failuresOf(actor, probes, letters)) {
      expect(error).toMatchObject({ code: 'ACTOR_STOPPED', actor: actor.id, message: `actor session (${actor.id}) is stopped: bad input` });
    }
    expect(await pool.apply('square', 3)).toBe(9); // its worker goes on
    await pool.terminate();
  });
});

describe('errors name actors as the user named them', () => {
  let system: ActorSystem;
  beforeEach(() => {
    system = createSystem({ shutdownTimeout: 200 }); // the hanging handlers are abandoned at shutdown after 100 ms
  });
  afterEach(async () => {
    await system.shutdown();
  });

  /** The error of an ask refused by a full mailbox (capacity 1, `fail`) behind a handler that never ends. */
  async function fullMailbox(ref: ActorRef<typeof Faulty>): Promise<Error & { code?: string; actor?: string }> {
    void ref.ask('hang').catch(() => undefined);
    void ref.ask('get').catch(() => undefined); // fills the mailbox
    return failureOf(ref.ask('get'));
  }

  it.each(['inline', 'thread', 'process'] as const)('names a supervised %s child by its path, its supervisor id then its own, and keeps the id as error.actor', async (placement) => {
    const sup = await system.supervise({ id: 'orders', children: [child('worker', Faulty, { placement, mailbox: { capacity: 1, overflow: 'fail' }, args: { label: fresh() } })] });
    const worker = sup.ref('worker');
    const error = await fullMailbox(worker);
    expect(error).toMatchObject({ code: 'MAILBOX_FULL', actor: worker.id });
    expect(error.message).toBe(`the mailbox of actor orders/worker (${worker.id}) is full (capacity 1)`);
  });

  it('names an unsupervised actor by its name, and the thread that died by the actor it served', async () => {
    const counter = await system.spawn(Faulty, { name: 'counter', placement: 'thread', mailbox: { capacity: 1, overflow: 'fail' }, args: { label: fresh() } });
    expect((await fullMailbox(counter)).message).toBe(`the mailbox of actor counter (${counter.id}) is full (capacity 1)`);
    const mover = await system.spawn(Faulty, { name: 'mover', placement: 'thread', args: { label: fresh() } });
    const died = await failureOf(mover.ask('exit', 3));
    expect(died).toMatchObject({ code: 'WORKER_CRASHED', actor: mover.id });
    expect(died.message).toMatch(/^thread \d+ of actor mover \(.+\) exited with code 3$/);
  });

  it.each(['inline', 'thread'] as const)('names a stopped unsupervised %s actor by its name in what later asks to it fail with', async (placement) => {
    const counter = await system.spawn(Faulty, { name: 'counter', placement, args: { label: fresh() } });
    const peer = counter as unknown as ActorRef<typeof import('./fixtures/counter.js').Counter>;
    const probe = await system.spawn(Probe, { placement: 'thread', args: { peer } });
    expect(await probe.ask('addToPeer', 1)).toBe(1); // its thread has a way to the counter
    await system.stop(counter);
    for (const error of [await failureOf(counter.ask('get')), await failureOf(probe.ask('addToPeer', 1))]) {
      expect(error).toMatchObject({ code: 'ACTOR_STOPPED', actor: counter.id, message: `actor counter (${counter.id}) is stopped` });
    }
  });

  it('refuses a nested supervisor whose spec.id differs from its child id', async () => {
    const nested = { id: 'other', children: [child('leaf', Faulty)] };
    expect(await codeOf(system.supervise({ children: [child('inner', nested)] }))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(system.supervise({ id: '', children: [] }))).toBe('INVALID_ARGUMENT');
  });
});

describe('messages when a host dies', () => {
  let system: ActorSystem;
  beforeEach(() => {
    system = createSystem({ shutdownTimeout: 2_000 });
  });
  afterEach(async () => {
    await system.shutdown();
  });

  it('reports tells queued in a killed process as dead letters with the reason, and the restarted child handles later ones', async () => {
    const sup = await system.supervise({ children: [child('x', Faulty, { placement: 'process', args: { label: fresh() } })] });
    const x = sup.ref('x');
    const { pid } = await x.ask('where');
    const lost: Array<{ type: string; payload: unknown; code: string | undefined }> = [];
    system.on('dead-letter', (letter) => lost.push({ type: letter.type, payload: letter.payload, code: (letter.error as { code?: string }).code }));
    x.tell('hang'); // keeps the actor busy: what follows waits in its mailbox
    for (let i = 1; i <= 10; i++) x.tell('add', i);
    await x.send('add', 0); // the mailbox has them all
    const restarted = nextEvent(system, 'actor:restarted');
    process.kill(pid, 'SIGKILL');
    await restarted;
    expect(lost.filter((l) => l.type === 'add').map((l) => l.payload)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(lost.every((l) => l.code === 'WORKER_CRASHED')).toBe(true);
    x.tell('add', 7);
    expect(await x.ask('get')).toBe(7);
  });

  it.each(['thread', 'process'] as const)(
    'soak on a %s: thousands of tells with random crashes end handled or reported as dead letters, each exactly once',
    async (placement) => {
      const collector = await system.spawn(Collector);
      const sup = await system.supervise({
        intensity: { maxRestarts: 1_000, withinMs: 60_000 },
        backoff: { initialMs: 1, maxMs: 5 },
        children: [child('x', Faulty, { placement, args: { label: fresh(), sink: collector } })],
      });
      const x = sup.ref('x');
      const dead: number[] = [];
      system.on('dead-letter', (letter) => letter.type === 'note' && dead.push(letter.payload as number));
      let seed = 42;
      const random = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
      const total = 3_000;
      let crashes = 0;
      for (let n = 0; n < total; n++) {
        x.tell('note', n);
        if (random() < 0.006) {
          crashes++;
          if (random() < 0.5) x.tell('boom', `soak crash ${crashes}`);
          else x.tell('exit', 1);
        }
        if (n % 100 === 99) await new Promise((resolve) => setTimeout(resolve, 1)); // let some through, like a real sender
      }
      let handled: number[] = [];
      for (let i = 0; i < 600 && handled.length + dead.length < total; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        handled = await collector.ask('all');
      }
      expect(crashes).toBeGreaterThan(5);
      expect(handled.length + dead.length).toBe(total);
      expect(new Set([...handled, ...dead]).size).toBe(total);
      expect(dead.length).toBeGreaterThan(0);
    },
    120_000,
  );
});
