import { afterEach, describe, expect, it } from 'vitest';
import { child, type ActorRef, type ActorSystem } from '../src/index.js';
import { Counter } from './fixtures/counter.js';
import { Faulty } from './fixtures/faulty.js';
import { Parent } from './fixtures/family.js';
import { Relay } from './fixtures/relay.js';
import { codeOf, nextEvent } from './helpers.js';
import { meshOf, type Mesh } from './mesh.js';

/** Resolves with the name of the first of `systems` that starts an actor with `id`. */
function startedOn(systems: ReadonlyArray<readonly [string, ActorSystem]>, id: string): Promise<string> {
  return Promise.race(systems.map(([name, system]) => nextEvent(system, 'actor:started', (ref) => ref.id === id).then(() => name)));
}

describe('a supervisor whose child runs on another node', () => {
  let mesh: Mesh | undefined;
  afterEach(async () => {
    await mesh?.shutdown();
    mesh = undefined;
  });

  it('restarts the child on another node that serves it when its node dies, under the same id, and refs anywhere reach it again', async () => {
    mesh = meshOf([{ node: 'a' }, { node: 'b', serve: [Faulty] }, { node: 'c', serve: [Faulty, Relay] }]);
    const [a, b, c] = [mesh.get('a'), mesh.get('b'), mesh.get('c')];
    const sup = await a.supervise({ children: [child('worker', Faulty, { placement: { node: 'b' }, args: { start: 5 } })] });
    const worker = sup.ref('worker');
    expect(await worker.ask('get')).toBe(5);
    const relay = await a.spawn(Relay, { placement: { node: 'c' }, args: { peer: worker as never } }); // a ref to it, held on c
    expect(await relay.ask('countOf', worker as never)).toBe(5);
    const restarted = startedOn([['a', a], ['c', c]], worker.id);
    const down = new Promise((resolve) => a.monitor(worker, resolve));
    await mesh.kill('b');
    expect(await down).toMatchObject({ kind: 'error', error: { code: 'NODE_DOWN' } });
    expect(await restarted).toBe('c'); // a does not serve it: c does
    expect(sup.ref('worker').id).toBe(worker.id);
    expect(await worker.ask('get')).toBe(5); // started afresh from its spawn arguments
    expect(await relay.ask('countOf', worker as never)).toBe(5); // from c, where it runs now
    worker.tell('add', 1);
    expect(await relay.ask('countOf', worker as never)).toBe(6);
    expect(sup.children()).toEqual([{ id: 'worker', kind: 'actor', status: 'running', restarts: 1 }]);
    void b;
  });

  it('holds what is sent while the child restarts, and delivers it to the restarted child', async () => {
    mesh = meshOf([{ node: 'a' }, { node: 'b', serve: [Faulty] }, { node: 'c', serve: [Faulty] }]);
    const a = mesh.get('a');
    const sup = await a.supervise({ backoff: { initialMs: 200, maxMs: 200 }, children: [child('worker', Faulty, { placement: { node: 'b' } })] });
    const worker: ActorRef<typeof Faulty> = sup.ref('worker');
    await worker.ask('get');
    const down = nextEvent(a, 'actor:crashed');
    await mesh.kill('b');
    await down;
    worker.tell('add', 3); // during the backoff: held by a
    const total = worker.ask('get');
    expect(await total).toBe(3);
  });

  it('restarts a child that crashed there in place, with what was queued behind the crash', async () => {
    mesh = meshOf([{ node: 'a' }, { node: 'b', serve: [Faulty] }]);
    const a = mesh.get('a');
    const sup = await a.supervise({ children: [child('worker', Faulty, { placement: { node: 'b' }, args: { label: 'in place' } })] });
    const worker = sup.ref('worker');
    const restarted = nextEvent(a, 'actor:restarted');
    worker.tell('add', 4);
    worker.tell('boom', 'crash');
    expect(await worker.ask('recovered')).toBe(4); // onRestart had the crashed incarnation's state: it restarted where it ran
    expect((await restarted)[0].id).toBe(worker.id);
    expect(await worker.ask('starts')).toBe(2);
    expect(sup.children()[0]).toMatchObject({ status: 'running', restarts: 1 });
  });

  it('restarts a child that ran in a thread of a node that died in a thread of another node', async () => {
    mesh = meshOf([{ node: 'a' }, { node: 'b', serve: [Faulty] }, { node: 'c', serve: [Faulty] }]);
    const a = mesh.get('a');
    const sup = await a.supervise({ children: [child('worker', Faulty, { placement: { node: 'b', in: 'thread' }, args: { start: 2 } })] });
    const worker = sup.ref('worker');
    const first = await worker.ask('where');
    const restarted = nextEvent(a, 'actor:restarted');
    await mesh.kill('b');
    await restarted;
    const now = await worker.ask('where');
    expect(now.thread).not.toBe(first.thread); // a thread of c's
    expect(now.thread).not.toBe(0);
    expect(await worker.ask('get')).toBe(2);
  });

  it("restarts it on the supervisor's own node when no other node serves it and that one does", async () => {
    mesh = meshOf([{ node: 'a', serve: [Faulty] }, { node: 'b', serve: [Faulty] }, { node: 'c' }]);
    const a = mesh.get('a');
    const sup = await a.supervise({ children: [child('worker', Faulty, { placement: { node: 'b' } })] });
    const worker = sup.ref('worker');
    const restarted = startedOn([['a', a], ['c', mesh.get('c')]], worker.id);
    await mesh.kill('b');
    expect(await restarted).toBe('a');
    worker.tell('add', 7);
    expect(await worker.ask('get')).toBe(7);
  });

  it('gives up as its intensity says when no node that serves it is left', async () => {
    mesh = meshOf([{ node: 'a' }, { node: 'b', serve: [Faulty] }]);
    const a = mesh.get('a');
    const sup = await a.supervise({ intensity: { maxRestarts: 2, withinMs: 60_000 }, children: [child('worker', Faulty, { placement: { node: 'b' } })] });
    const worker = sup.ref('worker');
    const escalated = nextEvent(a, 'supervisor:escalated');
    await mesh.kill('b');
    const [, reason] = await escalated;
    expect(reason).toMatchObject({ kind: 'error', error: { code: 'SUPERVISOR_ESCALATED' } });
    expect(await codeOf(worker.ask('get'))).toBe('SUPERVISOR_ESCALATED');
  });

  it('tells watchers and monitors on other nodes that the child went down when its node dies, and they can watch it again where it runs now', async () => {
    mesh = meshOf([{ node: 'a' }, { node: 'b', serve: [Faulty] }, { node: 'c', serve: [Faulty, Parent] }]);
    const [a, c] = [mesh.get('a'), mesh.get('c')];
    const sup = await a.supervise({ children: [child('worker', Faulty, { placement: { node: 'b' } })] });
    const worker = sup.ref('worker');
    const watcher = await a.spawn(Parent, { placement: { node: 'c' }, args: { label: 'watcher' } });
    await watcher.ask('watchIt', worker as never);
    const monitored = new Promise((resolve) => c.monitor(worker, resolve));
    const restarted = nextEvent(a, 'actor:restarted');
    await mesh.kill('b');
    expect(await monitored).toMatchObject({ kind: 'error', error: { code: 'NODE_DOWN' } }); // c's system, which neither started nor supervises it
    await restarted;
    for (let i = 0; i < 200 && (await watcher.ask('downs')).length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await watcher.ask('downs')).toEqual([{ id: worker.id, kind: 'error', via: 'onDown' }]);
    await watcher.ask('watchIt', worker as never);
    await sup.stop();
    for (let i = 0; i < 200 && (await watcher.ask('downs')).length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect((await watcher.ask('downs'))[1]).toEqual({ id: worker.id, kind: 'stopped', via: 'onDown' });
  });

  it('stops the child where it runs when its supervisor stops, and when the supervising node dies', async () => {
    mesh = meshOf([{ node: 'a' }, { node: 'b', serve: [Faulty] }, { node: 'c' }]);
    const [a, b] = [mesh.get('a'), mesh.get('b')];
    const sup = await a.supervise({ children: [child('worker', Faulty, { placement: { node: 'b' } })] });
    const worker = sup.ref('worker');
    const stopped = nextEvent(b, 'actor:stopped', (ref) => ref.id === worker.id);
    await sup.stop();
    await stopped;
    expect(await codeOf(worker.ask('get'))).toBe('ACTOR_STOPPED');
    const again = await a.supervise({ children: [child('worker', Faulty, { placement: { node: 'b' } })] });
    const second = again.ref('worker');
    const stoppedThere = nextEvent(b, 'actor:stopped', (ref) => ref.id === second.id);
    await mesh.kill('a');
    await stoppedThere; // b stopped what it ran for a
  });

  it('refuses a handlerTimeout for a child placed on another node, whose threads are not this node to end', () => {
    expect(() => child('worker', Faulty, { placement: { node: 'b', in: 'thread' }, handlerTimeout: 1_000 })).toThrowError(expect.objectContaining({ code: 'INVALID_ARGUMENT' }) as Error);
  });

  it('keeps FIFO from a third node to a child running on another node: tells and asks take the same way', async () => {
    mesh = meshOf([{ node: 'a' }, { node: 'b', serve: [Counter] }, { node: 'c', serve: [Relay] }]);
    const a = mesh.get('a');
    const sup = await a.supervise({ children: [child('tally', Counter, { placement: { node: 'b' }, args: 0 })] });
    const tally = sup.ref('tally');
    const relay = await a.spawn(Relay, { placement: { node: 'c' }, args: { peer: tally } });
    await relay.ask('recordThenRead', 1); // the way is known on c by now
    const forwarded = a.forwardedCount;
    expect(await relay.ask('recordThenRead', 200)).toEqual(Array.from({ length: 201 }, (_, i) => (i === 0 ? 0 : i - 1)));
    expect(a.forwardedCount - forwarded).toBeLessThan(10); // straight to b, not through the supervising node
  });

  it('carries refs in what the supervising node sends its child on another node, also what waited while it restarted', async () => {
    mesh = meshOf([{ node: 'a' }, { node: 'b', serve: [Relay] }, { node: 'c', serve: [Relay] }]);
    const a = mesh.get('a');
    const counter = await a.spawn(Counter, { args: 5 });
    const sup = await a.supervise({ backoff: { initialMs: 100, maxMs: 100 }, children: [child('relay', Relay, { placement: { node: 'b' } })] });
    const relay = sup.ref('relay');
    expect(await relay.ask('countOf', counter)).toBe(5); // a ref inside an ask from the supervising node
    const down = nextEvent(a, 'actor:crashed');
    await mesh.kill('b');
    await down;
    expect(await relay.ask('countOf', counter)).toBe(5); // held by a while it restarts on c, then passed on
  });

  it("restarts the child when the node it runs on stops it on its own account, and when that node shuts down", async () => {
    mesh = meshOf([{ node: 'a' }, { node: 'b', serve: [Faulty] }, { node: 'c', serve: [Faulty] }]);
    const [a, b, c] = [mesh.get('a'), mesh.get('b'), mesh.get('c')];
    const sup = await a.supervise({ children: [child('worker', Faulty, { placement: { node: 'b' }, args: { start: 3 } })] });
    const worker = sup.ref('worker');
    const restarted = nextEvent(a, 'actor:restarted');
    await b.stop(worker); // b's own doing: its supervisor on a decides, and starts it again (on b, still there)
    await restarted;
    expect(await worker.ask('get')).toBe(3);
    const again = startedOn([['c', c]], worker.id);
    await b.shutdown();
    expect(await again).toBe('c');
    expect(await worker.ask('get')).toBe(3);
  });
});
