import { connect } from '@nats-io/transport-node';
import { Kvm, type KV } from '@nats-io/kv';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSystem, type ActorSystem, type ClusterOptions } from '../src/index.js';
import { killAll, startNode, testCluster, until, within, type NodeProcess } from './clusterNodes.js';
import { failureOf, nextEvent } from './helpers.js';
import { freePort, startNatsServer, type NatsServer } from './natsServer.js';

/** The bucket key of a node name, as the Clusters guide says: `nodes.<the name in base64url>`. */
const nodeKey = (node: string): string => `nodes.${Buffer.from(node, 'utf8').toString('base64url')}`;

/** What the server's monitoring page says of one client connection. */
interface Connection {
  readonly name?: string;
  readonly subscriptions_list?: readonly string[];
}

describe('node names in a cluster, claimed in its key-value bucket', () => {
  let server: NatsServer;
  let monitor: number;
  let systems: ActorSystem[] = [];
  const nodes: NodeProcess[] = [];
  let run = 0;
  const system = (node: string, cluster: ClusterOptions): ActorSystem => {
    const made = createSystem({ node, cluster, shutdownTimeout: 2_000 });
    systems.push(made);
    return made;
  };
  /** The server's client connections, with their subscriptions. */
  const connections = async (): Promise<Connection[]> => {
    const page = (await (await fetch(`http://127.0.0.1:${monitor}/connz?subs=1`)).json()) as { connections?: Connection[] };
    return page.connections ?? [];
  };
  /** The systems that hold entries in cluster `name`'s bucket (node names and actor names). */
  const holders = async (name: string): Promise<string[]> => {
    const nc = await connect({ servers: server.url });
    try {
      const bucket = await new Kvm(nc).open(`multitask_${name}_names`);
      const found: string[] = [];
      for await (const key of await bucket.keys()) {
        const entry = await bucket.get(key);
        if (entry?.operation === 'PUT') found.push(entry.json<{ system: string }>().system);
      }
      return found;
    } finally {
      await nc.close();
    }
  };
  /** Runs `work` with cluster `name`'s bucket, as a client of its own that is no node (a rogue writer). */
  const rogue = async (name: string, work: (bucket: KV) => Promise<void>): Promise<void> => {
    const nc = await connect({ servers: server.url });
    try {
      await work(await new Kvm(nc).create(`multitask_${name}_names`, { history: 1 }));
    } finally {
      await nc.close();
    }
  };
  beforeAll(async () => {
    monitor = await freePort();
    server = await startNatsServer(['-m', String(monitor)]);
  });
  afterEach(async () => {
    await killAll(nodes);
    await Promise.all(systems.map((one) => one.shutdown()));
    systems = [];
  });
  afterAll(async () => {
    await server?.dispose();
  });

  it('gives a name to exactly one of two nodes that start with it at once; the other is refused with NAME_TAKEN and leaves nothing behind', async () => {
    for (let round = 0; round < 4; round++) {
      const name = `race${++run}`;
      const cluster = testCluster(server, name, { joinWindow: 100 });
      const [first, second] = [system('b', cluster), system('b', cluster)];
      const outcomes = await Promise.allSettled([first.ready(), second.ready()]);
      const joined = outcomes.filter((outcome) => outcome.status === 'fulfilled');
      expect(joined).toHaveLength(1);
      const [winner, loser] = outcomes[0]?.status === 'fulfilled' ? [first, second] : [second, first];
      const refused = outcomes.find((outcome) => outcome.status === 'rejected')?.reason as Error & { code?: string };
      expect(refused.code).toBe('NAME_TAKEN');
      expect(refused.message).toContain("'b'");
      expect(refused.message).toContain('another node');
      const gone = loser.peerInfo.system;
      await until(async () => !(await connections()).some((connection) => connection.subscriptions_list?.some((subject) => subject.includes(gone))), 5_000, "the refused node's subscriptions to go");
      expect(await holders(name)).toEqual([winner.peerInfo.system]);
      await winner.shutdown();
    }
  });

  it('refuses a node whose name a live node holds, even when the answers to its hello come after joinWindow', async () => {
    const cluster = testCluster(server, `late${++run}`);
    const holder = system('b', cluster);
    await holder.ready();
    const late = system('b', { ...cluster, joinWindow: 1 }); // the window closes before anyone can answer
    const error = await failureOf<Error & { code?: string }>(late.ready());
    expect(error.code).toBe('NAME_TAKEN');
    expect(holder.nodes()).toEqual(['b']);
  });

  it('lets a new node take the name of one that shut down cleanly, at once', async () => {
    const cluster = testCluster(server, `clean${++run}`, { downAfter: 60_000 }); // nothing here waits for silence
    const a = system('a', cluster);
    await a.ready();
    const old = system('b', cluster);
    await old.ready();
    await old.shutdown();
    const again = system('b', cluster);
    await within(again.ready(), 10_000, 'the new b to join');
    await until(() => a.nodes().includes('b'), 5_000, 'a to let the new b in');
    expect(await holders(cluster.name)).toEqual(expect.arrayContaining([a.peerInfo.system, again.peerInfo.system]));
  });

  it('lets a new node take the name of one that was killed, once the cluster learned of its death', async () => {
    const cluster = testCluster(server, `killed${++run}`);
    const a = system('a', cluster);
    await a.ready();
    const old = await startNode('b', cluster, nodes);
    const down = nextEvent(a, 'node:down', (node) => node === 'b');
    await old.kill('SIGKILL');
    await within(down, 15_000, "the old b's node:down");
    const again = system('b', cluster);
    await within(again.ready(), 10_000, 'the new b to join');
    await until(() => a.nodes().includes('b'), 5_000, 'a to let the new b in');
    expect(await holders(cluster.name)).not.toContain(old.system);
  });

  it('lets one of two nodes restarted after a lone node was killed take its name once it has been silent for downAfter; the other is refused', async () => {
    const cluster = testCluster(server, `lone${++run}`, { heartbeat: 100, downAfter: 600 });
    const old = await startNode('b', cluster, nodes);
    await old.kill('SIGKILL'); // nobody is left to declare it down
    const [first, second] = [system('b', cluster), system('b', cluster)];
    const outcomes = await within(Promise.allSettled([first.ready(), second.ready()]), 10_000, 'both to settle');
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    expect(outcomes.map((outcome) => (outcome.status === 'rejected' ? (outcome.reason as { code?: string }).code : 'joined')).sort()).toEqual(['NAME_TAKEN', 'joined']);
    const winner = outcomes[0]?.status === 'fulfilled' ? first : second;
    expect(await holders(cluster.name)).toEqual([winner.peerInfo.system]);
  });

  it('takes over at once a node name whose entry nobody can read', async () => {
    const cluster = testCluster(server, `garbled${++run}`, { downAfter: 60_000 }); // nothing here waits for silence
    await rogue(cluster.name, async (bucket) => void (await bucket.put(nodeKey('b'), 'not an entry')));
    const b = system('b', cluster);
    await within(b.ready(), 10_000, 'b to join');
    expect(await holders(cluster.name)).toEqual([b.peerInfo.system]);
  });

  it('refuses a node name whose entry is written again and again by a system that never answers, after a bounded wait', async () => {
    const cluster = testCluster(server, `rewritten${++run}`, { heartbeat: 100, downAfter: 300 });
    const entry = JSON.stringify({ v: 1, id: null, key: null, system: 'ghost0000', inc: 1, node: 'b' });
    await rogue(cluster.name, async (bucket) => {
      await bucket.put(nodeKey('b'), entry);
      const writing = setInterval(() => void bucket.put(nodeKey('b'), entry).catch(() => undefined), 50);
      try {
        const b = system('b', cluster);
        const error = await within(failureOf<Error & { code?: string }>(b.ready()), 10_000, 'b to give up');
        expect(error.code).toBe('NAME_TAKEN');
        expect(error.message).toContain('ghost0000');
      } finally {
        clearInterval(writing);
      }
    });
  });

  it('stops waiting for a name held by a silent node when its system shuts down, and ready() rejects with NODE_DOWN', async () => {
    const cluster = testCluster(server, `quit${++run}`, { downAfter: 60_000 }); // the wait would be a minute long
    const old = await startNode('b', cluster, nodes);
    await old.kill('SIGKILL');
    const waiting = system('b', cluster);
    const ready = failureOf<Error & { code?: string }>(waiting.ready());
    const asksJetStream = (connection: Connection): boolean => connection.name === `multitask ${cluster.name}/b` && connection.subscriptions_list?.some((subject) => subject.startsWith('_INBOX.')) === true;
    await until(async () => (await connections()).some(asksJetStream), 5_000, 'the new b to open the bucket'); // it is past connecting, then
    await within(waiting.shutdown(), 10_000, 'the shutdown');
    expect((await ready).code).toBe('NODE_DOWN');
  });
});

describe('node names on a server without JetStream', () => {
  let server: NatsServer;
  const systems: ActorSystem[] = [];
  beforeAll(async () => {
    server = await startNatsServer(['-js=false']);
  });
  afterAll(async () => {
    await Promise.all(systems.map((one) => one.shutdown()));
    await server?.dispose();
  });

  it('still joins, and refuses a node whose name a node that answers its hello has, with NAME_TAKEN', async () => {
    const cluster = testCluster(server, 'nojs');
    const first = createSystem({ node: 'b', cluster });
    systems.push(first);
    await first.ready();
    // Without the bucket, the name goes to the node that answers within the window: a
    // window of its own, long beside a round trip through the server even on a loaded machine.
    const second = createSystem({ node: 'b', cluster: { ...cluster, joinWindow: 2_000 } });
    systems.push(second);
    expect((await failureOf<Error & { code?: string }>(second.ready())).code).toBe('NAME_TAKEN');
    expect(first.nodes()).toEqual(['b']);
  });
});
