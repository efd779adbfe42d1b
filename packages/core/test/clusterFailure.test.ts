import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSystem, type ActorSystem, type DeadLetter } from '../src/index.js';
import { killAll, startNode, testCluster, until, within, type NodeProcess } from './clusterNodes.js';
import { Echo } from './fixtures/echo.js';
import { codeOf, nextEvent } from './helpers.js';
import { startNatsServer, type NatsServer } from './natsServer.js';

describe('a cluster when nodes die and the server goes away', () => {
  let server: NatsServer;
  let systems: ActorSystem[] = [];
  const nodes: NodeProcess[] = [];
  let run = 0;
  const join = async (name: string, cluster: ReturnType<typeof testCluster>): Promise<ActorSystem> => {
    const system = createSystem({ node: name, serve: [Echo], cluster, shutdownTimeout: 2_000 });
    systems.push(system);
    await system.ready();
    return system;
  };
  beforeAll(async () => {
    server = await startNatsServer();
  });
  afterEach(async () => {
    await killAll(nodes);
    await Promise.all(systems.map((system) => system.shutdown()));
    systems = [];
  });
  afterAll(async () => {
    await server?.dispose();
  });

  it('settles an ask pending on a node killed with SIGKILL with NODE_DOWN, and the others carry on', async () => {
    // downAfter is long: a node found gone sooner was found by a probe that NATS answered with no responders.
    const cluster = testCluster(server, `kill${++run}`, { downAfter: 10_000 });
    const a = await join('a', cluster);
    const [b, c] = await Promise.all([startNode('b', cluster, nodes), startNode('c', cluster, nodes)]);
    const there = await a.spawn(Echo, { placement: { node: 'b', in: 'thread' } });
    const other = await a.spawn(Echo, { placement: { node: 'c' } });
    const pending = codeOf(there.ask('sleep', 60_000, { timeout: 60_000 })); // mid-ask when b dies
    const down = nextEvent(a, 'node:down', (node) => node === 'b');
    await b.kill('SIGKILL');
    const [, error] = await within(down, 15_000, "b's node:down");
    expect((error as { code?: string }).code).toBe('NODE_DOWN');
    expect(error.message).toContain('nobody listens on its subject');
    expect(await pending).toBe('NODE_DOWN');
    expect(await codeOf(there.ask('echo', 'anyone?'))).toBe('NODE_DOWN'); // and what is asked later
    expect(await other.ask('echo', 'still here')).toBe('still here');
    expect(a.nodes().sort()).toEqual(['a', 'c']);
    await c.event((event) => event.event === 'node:down' && event.node === 'b');
    expect((await c.nodes()).sort()).toEqual(['a', 'c']);
  });

  it('while the server is down, rejects asks at once with NODE_DOWN and makes tells dead letters, then resumes when it is back', async () => {
    // Shorter outages than downAfter: the nodes stay joined through it, and what was there is still there after.
    const cluster = testCluster(server, `outage${++run}`, { downAfter: 15_000 }); // room for a slow restart of the server on a loaded machine
    const a = await join('a', cluster);
    await startNode('b', cluster, nodes);
    const echo = await a.spawn(Echo, { placement: { node: 'b' } });
    // Traffic goes on through the outage: every ask settles, none hangs.
    let stop = false;
    const outcomes: Array<string | undefined> = [];
    const traffic = (async () => {
      for (let i = 0; i < 400 && !stop; i++) {
        outcomes.push(await codeOf(echo.ask('echo', i, { timeout: 3_000 })));
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    await until(() => outcomes.filter((code) => code === undefined).length >= 5, 10_000, 'traffic before the outage');
    const disconnected = nextEvent(a, 'cluster:disconnected');
    await within(server.stop(), 10_000, 'the server to stop');
    await within(disconnected, 10_000, 'cluster:disconnected');
    expect(await within(codeOf(echo.ask('echo', 'now', { timeout: 30_000 })), 5_000, 'the ask to reject')).toBe('NODE_DOWN'); // at once, not after 30 s
    const letters: DeadLetter[] = [];
    a.on('dead-letter', (letter) => letters.push(letter));
    echo.tell('keep', 'lost?');
    await until(() => letters.length > 0, 5_000, 'the dead letter');
    expect(letters[0]).toMatchObject({ type: 'keep' });
    expect((letters[0]?.error as { code?: string }).code).toBe('NODE_DOWN');
    const reconnected = nextEvent(a, 'cluster:reconnected');
    await within(server.start(), 10_000, 'the server to start again');
    await within(reconnected, 10_000, 'cluster:reconnected');
    // Until b is heard again, what goes to b is refused (NODE_DOWN), not published where b may not listen yet.
    await until(async () => (await codeOf(echo.ask('echo', 'ping', { timeout: 3_000 }))) === undefined, 10_000, 'b to answer again');
    expect(a.nodes()).toContain('b');
    const fresh = await within(a.spawn(Echo, { placement: { node: 'b' } }), 10_000, 'a spawn on b after the outage');
    expect(await within(fresh.ask('echo', 'back'), 10_000, 'an ask after the outage')).toBe('back');
    const settledBefore = outcomes.length;
    await until(() => outcomes.length > settledBefore + 3, 15_000, 'traffic after the outage');
    stop = true;
    await within(traffic, 10_000, 'the traffic loop to end');
    expect(outcomes.every((code) => code === undefined || code === 'NODE_DOWN' || code === 'ASK_TIMEOUT')).toBe(true);
  });

  it('declares the others down when an outage outlasts downAfter, and lets them in again once the server is back', async () => {
    const cluster = testCluster(server, `long${++run}`, { heartbeat: 150, downAfter: 600 });
    const a = await join('a', cluster);
    const b = await startNode('b', cluster, nodes);
    const before = await a.spawn(Echo, { placement: { node: 'b', in: 'thread' } });
    const pending = codeOf(before.ask('sleep', 60_000, { timeout: 60_000 }));
    const down = nextEvent(a, 'node:down', (node) => node === 'b');
    await within(server.stop(), 10_000, 'the server to stop');
    await within(down, 10_000, "b's node:down");
    await b.event((event) => event.event === 'node:down' && event.node === 'a', 10_000); // and b declared a down
    expect(await pending).toBe('NODE_DOWN');
    const up = nextEvent(a, 'node:up', (node) => node === 'b');
    await within(server.start(), 10_000, 'the server to start again');
    await within(up, 10_000, "b's node:up");
    const after = await a.spawn(Echo, { placement: { node: 'b', in: 'thread' } }); // b's threads are reachable again
    expect(await after.ask('echo', 'again')).toBe('again');
    expect(await codeOf(before.ask('echo', 'old'))).toBe('ACTOR_STOPPED'); // b stopped what it ran for a when it declared a down
  });
});
