import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, createSystem, type ActorRef, type ActorSystem } from '../src/index.js';
import { startThreeNodes, until, within, type NodeProcess, type ThreeNodes } from './clusterNodes.js';
import { failureOf } from './helpers.js';
import { meshOf } from './mesh.js';
import { Supervisor } from '../src/supervisor/Supervisor.js';
import { child } from '../src/supervisor/spec.js';
import { Faulty } from './fixtures/faulty.js';
import { Probe } from './fixtures/probe.js';
import { Relay } from './fixtures/relay.js';
import { tasks } from './fixtures/tasks.js';

/** Where an actor runs: its process, and its thread there. */
type Where = { readonly pid: number; readonly thread: number };
const whereOf = (ref: ActorRef<typeof Faulty>): Promise<Where> => ref.ask('where', undefined, { timeout: 10_000 });

// Node 'a' is this test's system; 'b', 'c' and 'doomed' run in processes of their own and
// serve the fixtures' actors (Faulty, Relay, ...) and task set, but not Probe.
describe('pool.spawn on a pool whose workers live on several nodes', () => {
  let three: ThreeNodes;
  let a: ActorSystem;
  let b: NodeProcess;
  let c: NodeProcess;
  beforeAll(async () => {
    three = await startThreeNodes('poolspawn', [tasks]);
    ({ a, b, c } = three);
  });
  afterAll(async () => {
    await three?.close();
  });

  it("places an actor on another node's worker when only that node has workers, and it answers asks from this node and from an actor on a third", async () => {
    await using pool = createPool({ tasks, system: a, nodes: { b: 1 } });
    const counter = await pool.spawn(Faulty, { args: { start: 5 } });
    const worker = (await pool.broadcast('where'))[0] as Where;
    expect(await whereOf(counter)).toEqual(worker); // in the worker's own thread on b, next to its tasks
    expect(worker.pid).toBe(b.pid);
    counter.tell('add', 2);
    expect(await counter.ask('get')).toBe(7);
    const relay = await a.spawn(Relay, { placement: { node: 'c' } });
    expect(await relay.ask('countOf', counter as never)).toBe(7); // asked from node c
    counter.tell('boom', 'in a pool actor on b'); // supervised: a throw restarts it where it is
    expect(await counter.ask('get')).toBe(5);
    expect(await whereOf(counter)).toEqual(worker);
    await a.stop(relay);
  });

  it('spreads successive spawns to the least loaded workers of every node', async () => {
    await using pool = createPool({ tasks, system: a, nodes: { a: 2, b: 2 } });
    await pool.ready; // the workers of both nodes are up
    const actors = await Promise.all(Array.from({ length: 4 }, () => pool.spawn(Faulty)));
    const places = await Promise.all(actors.map(whereOf));
    expect(new Set(places.map((w) => `${w.pid}/${w.thread}`)).size).toBe(4); // one on each worker
    expect(places.map((w) => w.pid).sort()).toEqual([process.pid, process.pid, b.pid, b.pid].sort());
    const workers = await pool.broadcast('where');
    expect(new Set(workers.map((w) => `${w.pid}/${w.thread}`))).toEqual(new Set(places.map((w) => `${w.pid}/${w.thread}`)));
  });

  it("places a definition another node does not serve on this node's workers only, and refuses it with SPAWN_FAILED naming its key when no worker can run it", async () => {
    await using pool = createPool({ tasks, system: a, nodes: { a: 1, b: 1 } });
    const probes = await Promise.all(Array.from({ length: 3 }, () => pool.spawn(Probe)));
    for (const probe of probes) expect((await probe.ask('where')).pid).toBe(process.pid); // b is less loaded, but does not serve Probe
    await using remote = createPool({ tasks, system: a, nodes: { b: 1 } });
    const failure = await failureOf(remote.spawn(Probe));
    expect(failure.code).toBe('SPAWN_FAILED');
    expect(failure.message).toContain("'probe/Probe'");
    expect(await (await remote.spawn(Faulty)).ask('get')).toBe(0); // what b serves still goes there
  });

  it("restarts the actors of a worker that dies on another node on the workers left, and the same refs answer", async () => {
    await using pool = createPool({ tasks, system: a, nodes: { b: 2 } });
    await pool.ready;
    const [doomed, other] = await Promise.all([pool.spawn(Faulty, { args: { start: 1 } }), pool.spawn(Faulty, { args: { start: 2 } })]);
    const [home, otherHome] = await Promise.all([whereOf(doomed!), whereOf(other!)]);
    expect(home).not.toEqual(otherHome);
    doomed!.tell('exit', 1); // ends its worker's thread on b
    await until(async () => (await whereOf(doomed!).catch(() => undefined))?.thread !== home.thread, 10_000, 'the actor to run on another worker');
    expect((await whereOf(doomed!)).pid).toBe(b.pid);
    expect(await doomed!.ask('get')).toBe(1);
    expect(await whereOf(other!)).toEqual(otherHome); // the other worker's actor was left alone
  });

  it("restarts the actors of a node that dies on the workers left, and the same refs answer", async () => {
    const doomed = await three.more('doomed');
    await using pool = createPool({ tasks, system: a, nodes: { a: 1, doomed: 2 } });
    await pool.ready;
    const actors = await Promise.all(Array.from({ length: 3 }, (_, i) => pool.spawn(Faulty, { args: { start: i } })));
    const before = await Promise.all(actors.map(whereOf));
    const away = actors.filter((_, i) => before[i]?.pid === doomed.pid);
    expect(away).toHaveLength(2);
    await doomed.kill();
    for (const ref of away) {
      await until(async () => (await whereOf(ref).catch(() => undefined))?.pid === process.pid, 10_000, 'the actor to run on this node');
    }
    expect(await Promise.all(actors.map((ref) => within(ref.ask('get'), 10_000, 'an answer')))).toEqual([0, 1, 2]);
  });
});

describe('a spawn on a running host of another node', () => {
  it('is refused with SPAWN_FAILED when that host runs nothing for the node that asks (another node\'s pool worker)', async () => {
    const mesh = meshOf([{ node: 'a' }, { node: 'b', serve: [tasks, Faulty] }, { node: 'x' }]);
    try {
      await using pool = createPool({ tasks, system: mesh.get('x'), nodes: { b: 1 } });
      await pool.ready;
      const host = (await mesh.get('b').inspect()).hosts.find((h) => h.kind === 'thread'); // x's worker there
      // a asks for x's worker by its node's address, as a pool of a's would ask for one of its own.
      const worker = { id: `${host!.node}.1` } as ActorRef;
      const supervisor = new Supervisor('intruder', { children: [] }, mesh.get('a').childOpsOn(async () => worker), undefined);
      await supervisor.start();
      const failure = await failureOf(supervisor.add(child('guest', Faulty, { placement: 'thread' })));
      expect(failure.code).toBe('SPAWN_FAILED');
      expect(failure.message).toContain('only on the threads and processes it runs for it');
      expect((await mesh.get('b').inspect()).hosts.find((h) => h.node === host!.node)?.actors).toBe(1); // nothing joined x's worker
      expect(await pool.apply('square', 4)).toBe(16);
      await supervisor.stop();
    } finally {
      await mesh.shutdown();
    }
  });
});
