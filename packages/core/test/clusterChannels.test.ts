import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChannel, createSystem, type ActorSystem, type Channel } from '../src/index.js';
import { killAll, startNode, testCluster, within, type NodeProcess } from './clusterNodes.js';
import { Collector } from './fixtures/faulty.js';
import { Relay } from './fixtures/relay.js';
import { codeOf } from './helpers.js';
import { startNatsServer, type NatsServer } from './natsServer.js';

describe('channels between nodes', () => {
  let server: NatsServer;
  let a: ActorSystem;
  const nodes: NodeProcess[] = [];
  const cluster = (): ReturnType<typeof testCluster> => testCluster(server, 'channels', { downAfter: 10_000 });
  beforeAll(async () => {
    server = await startNatsServer();
    a = createSystem({ node: 'a', serve: [Relay], cluster: cluster(), shutdownTimeout: 2_000 });
    await a.ready();
    await startNode('b', cluster(), nodes);
  });
  afterAll(async () => {
    await a?.shutdown();
    await killAll(nodes);
    await server?.dispose();
  });

  it('streams many items from a producer on one node to a consumer on another, each once and in order, capacity held over both', async () => {
    const producer = await a.spawn(Relay, { placement: { node: 'b', in: 'thread' } });
    const ours = createChannel<number>({ capacity: 64 });
    const count = 20_000;
    const filling = producer.ask('fill', { into: ours, from: 0, to: count }, { timeout: 60_000 });
    const got: number[] = [];
    for (let i = 0; i < count; i++) {
      got.push(await ours.receive());
      expect(ours.size).toBeLessThanOrEqual(64);
    }
    expect(await filling).toBe(count);
    expect(got).toEqual(Array.from({ length: count }, (_, i) => i));
  });

  it("settles every pending operation on a channel whose owner's node dies with NODE_DOWN, and refuses later ones", async () => {
    const doomed = await startNode('doomed', cluster(), nodes);
    const full = (await (await a.spawn(Relay, { placement: { node: 'doomed', in: 'thread' } })).ask('channel')) as Channel<number>;
    const empty = (await (await a.spawn(Relay, { placement: { node: 'doomed' } })).ask('channel')) as Channel<number>;
    for (let n = 0; n < 16; n++) await full.send(n); // its capacity
    const sending = codeOf(full.send(16));
    const timedSend = codeOf(full.send(17, { timeout: 60_000 }));
    const receiving = codeOf(empty.receive());
    const looping = (async () => {
      for await (const _ of empty.iterate({ timeout: 60_000 })) return 'got one';
      return 'ended';
    })().catch((error: { code?: string }) => error.code);
    await new Promise((resolve) => setTimeout(resolve, 200)); // parked at the owner
    await doomed.kill('SIGKILL');
    expect(await within(Promise.all([sending, timedSend, receiving, looping]), 15_000, 'the pending operations')).toEqual(['NODE_DOWN', 'NODE_DOWN', 'NODE_DOWN', 'NODE_DOWN']);
    expect(await codeOf(full.send(1))).toBe('NODE_DOWN');
    expect(await codeOf(full.trySend(1))).toBe('NODE_DOWN');
    expect(await codeOf(empty.receive({ timeout: 60_000 }))).toBe('NODE_DOWN');
    expect(await codeOf(empty.tryReceive())).toBe('NODE_DOWN');
  });
});

describe('a channel whose consumer on another node dies', () => {
  let server: NatsServer;
  let a: ActorSystem;
  const nodes: NodeProcess[] = [];
  const cluster = (): ReturnType<typeof testCluster> => testCluster(server, 'giveback', { downAfter: 1_000 });
  beforeAll(async () => {
    server = await startNatsServer();
    a = createSystem({ node: 'a', serve: [Relay], cluster: cluster(), shutdownTimeout: 2_000 });
    await a.ready();
    await startNode('eater', cluster(), nodes);
  });
  afterAll(async () => {
    await a?.shutdown();
    await killAll(nodes);
    await server?.dispose();
  });

  it('gives the others what that node had fetched and not handed out once its death is known', async () => {
    const ours = createChannel<number>();
    for (let n = 0; n < 200; n++) await ours.send(n);
    const sink = await a.spawn(Collector);
    const eater = await a.spawn(Relay, { placement: { node: 'eater' } });
    const down = new Promise((resolve) => a.once('node:down', resolve));
    void eater.ask('takeThenDie', { from: ours, count: 30, sink }, { timeout: 60_000 }).catch(() => undefined);
    await within(down, 15_000, "the consumer's node's death");
    ours.close();
    const rest: number[] = [];
    for await (const n of ours) rest.push(n);
    // As on one machine: what it handled (what it told the sink of) is never received again;
    // what it had not taken comes back, in order; the item it was handling may be missing.
    const handled = await sink.ask('all');
    expect(handled).toEqual(Array.from({ length: handled.length }, (_, n) => n));
    const first = rest[0] as number;
    expect([handled.length, handled.length + 1]).toContain(first);
    expect(rest).toEqual(Array.from({ length: 200 - first }, (_, n) => first + n));
  });
});
