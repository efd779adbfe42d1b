import { connect } from '@nats-io/transport-node';
import { Kvm } from '@nats-io/kv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSystem, type ActorSystem } from '../src/index.js';
import { killAll, startNode, testCluster, until, within, type NodeProcess } from './clusterNodes.js';
import { Counter } from './fixtures/counter.js';
import { Child, Parent } from './fixtures/family.js';
import { codeOf, failureOf, nextEvent } from './helpers.js';
import { startNatsServer, type NatsServer } from './natsServer.js';

describe('names across a cluster of three nodes, each its own process', () => {
  let server: NatsServer;
  let a: ActorSystem;
  let b: NodeProcess;
  let c: NodeProcess;
  const nodes: NodeProcess[] = [];
  beforeAll(async () => {
    server = await startNatsServer();
    const cluster = testCluster(server, 'names');
    a = createSystem({ node: 'a', serve: [Counter, Child], cluster, shutdownTimeout: 2_000 });
    await a.ready();
    [b, c] = await Promise.all([startNode('b', cluster, nodes), startNode('c', cluster, nodes)]);
  });
  afterAll(async () => {
    await a?.shutdown();
    await killAll(nodes);
    await server?.dispose();
  });

  it('finds an actor named on another node from every node, and refuses its name anywhere else with NAME_TAKEN', async () => {
    const spawned = await b.request({ cmd: 'spawn', def: 'Counter', name: 'tally', args: 3 });
    expect(spawned.code).toBeUndefined();
    await until(() => a.lookup('tally') !== undefined, 5_000, "a to learn b's name");
    const tally = a.lookup('tally')!;
    expect(tally.id).toBe(spawned.id);
    expect(await (tally as never as { ask(type: 'get'): Promise<number> }).ask('get')).toBe(3);
    expect((await c.request({ cmd: 'lookup', name: 'tally' })).id).toBe(spawned.id);
    expect(await codeOf(a.spawn(Counter, { name: 'tally', args: 0 }))).toBe('NAME_TAKEN');
    expect((await c.request({ cmd: 'spawn', def: 'Counter', name: 'tally', args: 0 })).code).toBe('NAME_TAKEN');
    expect((await b.request({ cmd: 'spawn', def: 'Counter', name: 'tally', args: 0 })).code).toBe('NAME_TAKEN'); // its own node too
  });

  it('gives one of two nodes that take a name at the same time the name, and the other NAME_TAKEN', async () => {
    const [onB, onC] = await Promise.all([b.request({ cmd: 'spawn', def: 'Counter', name: 'race', args: 0 }), c.request({ cmd: 'spawn', def: 'Counter', name: 'race', args: 0 })]);
    expect([onB.code, onC.code].sort()).toEqual(['NAME_TAKEN', undefined]);
    const winner = onB.code === undefined ? onB : onC;
    await until(() => a.lookup('race')?.id === winner.id, 5_000, 'the winner to be known on a');
  });

  it('lets ctx.lookup on a thread find a name taken on another node at once, and check its definition', async () => {
    const parent = await a.spawn(Parent, { placement: 'thread', args: { label: 'looker' } });
    const spawned = await c.request({ cmd: 'spawn', def: 'Child', name: 'kid', args: { label: 'from c' } });
    expect(spawned.code).toBeUndefined();
    expect(await parent.ask('lookup', 'kid')).toBe('from c'); // asked of the bucket if a's mirror has not caught up
    expect(await parent.ask('lookupAsParent', 'kid')).toBe('DEFINITION_MISMATCH');
    await until(() => a.lookup('kid') !== undefined, 5_000, "a's mirror to catch up");
    expect(await (a.lookup('kid') as never as { ask(type: 'label'): Promise<string> }).ask('label')).toBe('from c');
  });

  it('frees a name when its actor stops, for any node to take', async () => {
    const spawned = await b.request({ cmd: 'spawn', def: 'Counter', name: 'brief', args: 1 });
    await until(() => a.lookup('brief') !== undefined, 5_000, 'the name');
    await b.request({ cmd: 'stop', name: 'brief' });
    await until(() => a.lookup('brief') === undefined, 5_000, 'the name to be freed');
    const mine = await a.spawn(Counter, { name: 'brief', args: 9 });
    expect(mine.id).not.toBe(spawned.id);
    await until(async () => (await c.request({ cmd: 'lookup', name: 'brief' })).id === mine.id, 5_000, 'c to see the new holder');
  });

  it("frees the names of a node that dies, and the others may take them", async () => {
    const spawned = await c.request({ cmd: 'spawn', def: 'Counter', name: 'orphan', args: 1 });
    expect(spawned.code).toBeUndefined();
    await until(() => a.lookup('orphan') !== undefined, 5_000, "c's name");
    const down = nextEvent(a, 'node:down', (node) => node === 'c');
    await c.kill('SIGKILL');
    await within(down, 15_000, "c's node:down");
    expect(a.lookup('orphan')).toBeUndefined(); // at once on the node that saw it die
    await until(async () => (await b.request({ cmd: 'lookup', name: 'orphan' })).id === undefined, 10_000, 'b to free it too');
    const taken = await within(a.spawn(Counter, { name: 'orphan', args: 2 }), 10_000, 'the name taken again');
    expect(await taken.ask('get')).toBe(2);
    await until(async () => (await b.request({ cmd: 'lookup', name: 'orphan' })).id === taken.id, 5_000, 'b to see the new holder');
  });

  it('frees a name whose holder has not been a member for twice downAfter (a cluster restarted over the same bucket)', async () => {
    const nc = await connect({ servers: server.url });
    try {
      const bucket = await new Kvm(nc).open('multitask_names_names');
      const key = Buffer.from('ghost', 'utf8').toString('base64url');
      await bucket.create(key, JSON.stringify({ v: 1, id: 'gone0000:0.7', key: 'counter/Counter', system: 'gone0000', inc: 1, node: 'old' }));
      await until(async () => (await a.spawn(Counter, { name: 'ghost', args: 0 }).then(() => true, () => false)), 15_000, 'the orphan name to be freed');
      expect(a.lookup('ghost')).toBeDefined();
      const entry = await bucket.get(key);
      expect(entry?.json<{ system: string }>().system).toBe(a.peerInfo.system);
    } finally {
      await nc.close();
    }
  });

  it('refuses a name too long for the cluster', async () => {
    const error = await failureOf(a.spawn(Counter, { name: 'n'.repeat(300), args: 0 }));
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
