import { afterEach, describe, expect, it } from 'vitest';
import { child, createChannel, createPool, createSystem, type ActorSystem, type SystemSnapshot, type TreeNode } from '../src/index.js';
import { Counter } from './fixtures/counter.js';
import { Faulty } from './fixtures/faulty.js';
import { Parent } from './fixtures/family.js';
import { tasks } from './fixtures/tasks.js';
import { advancingUntil, manualClock, nextEvent } from './helpers.js';
import { openMemoryNetwork } from '../src/transport/memoryNetwork.js';
import { structuredCloneCodec } from '../src/wire/FrameCodec.js';

/** The tree as nested labels: `definition` for actors, `sup:<id>` for supervisors. */
function shape(snapshot: SystemSnapshot, nodes: readonly TreeNode[] = snapshot.tree): unknown[] {
  return nodes.map((n) => {
    const label = n.kind === 'supervisor' ? `sup:${n.id}` : (snapshot.actors.find((a) => a.id === n.id)?.definition ?? '?');
    return n.children.length === 0 ? label : { [label]: shape(snapshot, n.children) };
  });
}

describe('system.inspect()', () => {
  let system: ActorSystem;
  afterEach(async () => {
    await system.shutdown();
  });

  it('shows every actor on every host, in one tree from the root down', async () => {
    system = createSystem({ shutdownTimeout: 3_000 });
    const counter = await system.spawn(Counter, { name: 'tally', args: 0, mailbox: { capacity: 100 } });
    const sup = await system.supervise({ id: 'workers', children: [child('w', Faulty, { placement: 'thread' })] });
    const parent = await system.spawn(Parent, { placement: 'thread', args: { label: 'p', children: [{ label: 'inline' }, { label: 'proc', placement: 'process' }] } });
    for (let i = 0; i < 5; i++) counter.tell('add', 1);
    await counter.ask('get');

    const snapshot = await system.inspect();

    expect(shape(snapshot)).toEqual(expect.arrayContaining([{ 'sup:workers': ['Faulty'] }, 'Counter', { Parent: ['Child', 'Child'] }]));
    const tally = snapshot.actors.find((a) => a.name === 'tally');
    expect(tally).toMatchObject({ definition: 'Counter', key: 'counter/Counter', placement: 'inline', status: 'running', mailbox: { depth: 0, capacity: 100 }, handled: 6 });
    const worker = snapshot.actors.find((a) => a.id === sup.ref('w').id);
    expect(worker).toMatchObject({ placement: 'thread', supervisor: 'workers', label: 'workers/w', restarts: 0, lastCrash: undefined });
    const children = snapshot.actors.filter((a) => a.parent === parent.id);
    expect(children.map((a) => a.placement).sort()).toEqual(['process', 'thread']); // inline on the parent's thread, and a process
    // The root, the worker's and the parent's threads, the child's process (and a spare thread kept for restarts).
    const hosts = snapshot.hosts.map((h) => h.kind);
    expect(hosts).toEqual(expect.arrayContaining(['root', 'thread', 'thread', 'process']));
    for (const host of snapshot.hosts) {
      expect(host.responsive).toBe(true);
      expect(host.memory?.heapUsed).toBeGreaterThan(0);
      expect(host.pid).toBeGreaterThan(0);
    }
    const thread = snapshot.hosts.find((h) => h.node === snapshot.actors.find((a) => a.id === parent.id)?.node);
    expect(thread).toMatchObject({ kind: 'thread', pid: process.pid, actors: 2 });
    expect(thread?.threadId).toBeGreaterThan(0);
  });

  it('counts restarts and keeps the last crash with its stack', async () => {
    system = createSystem({ shutdownTimeout: 3_000 });
    const sup = await system.supervise({ id: 's', children: [child('w', Faulty, {})] });
    const restarted = nextEvent(system, 'actor:restarted');
    sup.ref('w').tell('boom', 'kaput');
    await restarted;

    const worker = (await system.inspect()).actors.find((a) => a.label === 's/w');

    expect(worker?.restarts).toBe(1);
    expect(worker?.lastCrash).toMatchObject({ reason: 'error', message: expect.stringContaining('kaput') });
    expect(worker?.lastCrash?.stack).toContain('kaput');
    expect(worker?.lastCrash?.at).toBeGreaterThan(0);
  });

  it('counts dead letters by reason, and shows shared channels and pools', async () => {
    system = createSystem({ shutdownTimeout: 3_000 });
    const counter = await system.spawn(Counter, { args: 0 });
    await system.stop(counter);
    counter.tell('add', 1);
    counter.tell('add', 1);
    const jobs = createChannel<number>({ capacity: 8 });
    const consumer = await system.spawn(Faulty, { placement: 'thread', args: { out: jobs } });
    await jobs.send(1);
    await jobs.send(2);
    const pool = createPool({ tasks, size: 1, system });
    await pool.apply('square', 3);

    const snapshot = await system.inspect();

    expect(snapshot.deadLetters).toEqual({ ACTOR_STOPPED: 2 });
    expect(snapshot.channels).toEqual([expect.objectContaining({ size: 2, capacity: 8, closed: false, sent: 2, received: 0 })]);
    expect(snapshot.pools).toEqual([expect.objectContaining({ size: 1, placement: 'thread', completed: 1, workers: [expect.objectContaining({ completed: 1 })] })]);
    expect(snapshot.actors.some((a) => a.id === consumer.id)).toBe(true);
    await pool.terminate();
    expect((await system.inspect()).pools).toEqual([]);
  });

  it('shows a host that does not answer as unresponsive instead of waiting for it', async () => {
    // The wait for the host's part, and the stop of the spinning host, run on the injected clock.
    const clock = manualClock();
    system = createSystem({ shutdownTimeout: 1_000, clock });
    const busy = await system.spawn(Faulty, { placement: 'thread' });
    busy.tell('spin', undefined);
    await new Promise((resolve) => setTimeout(resolve, 50));

    const snapshot = await advancingUntil(clock, system.inspect());

    expect(snapshot.hosts.find((h) => h.kind === 'thread')).toMatchObject({ responsive: false, memory: undefined });
    expect(snapshot.actors.some((a) => a.id === busy.id)).toBe(false);
    await advancingUntil(clock, system.shutdown());
  });

  it('covers every node of a cluster: each joined system answers with its own snapshot', async () => {
    system = createSystem({ node: 'a', shutdownTimeout: 3_000 });
    const b = createSystem({ node: 'b', shutdownTimeout: 3_000, serve: [Counter] });
    try {
      const net = openMemoryNetwork(structuredCloneCodec);
      system.attachPeer(b.peerInfo, net.a);
      b.attachPeer(system.peerInfo, net.b);
      const there = await system.spawn(Counter, { placement: { node: 'b', in: 'thread' }, args: 0 });
      there.tell('add', 1);
      await there.ask('get');

      const snapshot = await system.inspect();

      expect(snapshot.peers.map((p) => p.node)).toEqual(['b']);
      const peer = snapshot.peers[0]?.snapshot;
      expect(peer).toMatchObject({ node: 'b', system: b.peerInfo.system });
      expect(peer?.actors.find((a) => a.id === there.id)).toMatchObject({ definition: 'Counter', placement: 'thread', handled: 2 });
      expect(peer?.hosts.map((h) => h.kind).sort()).toEqual(['root', 'thread']);
      expect(snapshot.actors.some((a) => a.id === there.id)).toBe(false); // it is b's, not a's
    } finally {
      await b.shutdown();
    }
  });
});
