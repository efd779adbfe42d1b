import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSystem, type ActorSystem } from '../src/index.js';
import { killAll, startNode, testCluster, type NodeProcess } from './clusterNodes.js';
import { Counter } from './fixtures/counter.js';
import { Echo } from './fixtures/echo.js';
import { Relay } from './fixtures/relay.js';
import { startNatsServer, type NatsServer } from './natsServer.js';

describe('a cluster of three nodes over NATS, each its own process', () => {
  let server: NatsServer;
  let a: ActorSystem;
  const nodes: NodeProcess[] = [];
  beforeAll(async () => {
    server = await startNatsServer();
    const cluster = testCluster(server, 'three');
    a = createSystem({ node: 'a', serve: [Counter, Relay, Echo], cluster, shutdownTimeout: 2_000 });
    await a.ready();
    await Promise.all([startNode('b', cluster, nodes), startNode('c', cluster, nodes)]);
  });
  afterAll(async () => {
    await a?.shutdown();
    await killAll(nodes);
    await server?.dispose();
  });

  it('lists the live nodes on every node, its own first', async () => {
    expect(a.nodes().sort()).toEqual(['a', 'b', 'c']);
    expect(a.nodes()[0]).toBe('a');
    const [b] = nodes;
    expect((await b!.nodes()).sort()).toEqual(['a', 'b', 'c']);
  });

  it('spawns on another node and tell, send and ask reach the actor there', async () => {
    const counter = await a.spawn(Counter, { placement: { node: 'b' }, args: 1 });
    counter.tell('add', 2);
    await counter.send('add', 3);
    expect(await counter.ask('get')).toBe(6);
  });
});
