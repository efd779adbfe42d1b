/**
 * The cluster benchmarks: pools and channels across nodes over NATS, against raw NATS
 * clients doing the same traffic, on one `nats-server` (JetStream on) started here on a
 * free loopback port. Without `nats-server` the cases are left out with a note on stderr.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, AckPolicy, RetentionPolicy } from '@nats-io/jetstream';
import { createChannel, createPool, createSystem, type ActorRef, type ActorSystem } from '@multitask/core';
import { ChanProducer, Sink } from './actors.js';
import { benchTasks } from './poolTasks.js';
import { inFlight, latencies, rate, type BenchCase, type Fixture } from './harness.js';

/** `nats-server` from `NATS_SERVER`, on `PATH`, or where Debian puts it. */
function findNatsServer(): string | undefined {
  const folders = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/usr/local/bin', '/usr/bin'];
  const given = process.env.NATS_SERVER;
  if (given !== undefined && given !== '') return existsSync(given) ? given : undefined;
  return folders.map((folder) => join(folder, 'nats-server')).find((path) => existsSync(path));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function listening(port: number): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = tcpConnect({ host: '127.0.0.1', port }, () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (up) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nats-server did not listen on port ${port}`);
}

/** A server, this process as node `a`, node processes, a raw connection; `close` ends all. */
interface BenchCluster {
  readonly url: string;
  readonly system: ActorSystem;
  readonly nc: NatsConnection;
  readonly nodes: ReadonlyMap<string, ChildProcess>;
  /** Asks node `name` to publish `count` raw items and resolves once it has. */
  command(name: string, kind: 'publish' | 'jspublish', subject: string, count: number): Promise<void>;
  close(): Promise<void>;
}

async function startCluster(names: readonly string[]): Promise<BenchCluster> {
  const binary = findNatsServer() as string;
  const port = await freePort();
  const store = mkdtempSync(join(tmpdir(), 'multitask-bench-nats-'));
  const server = spawn(binary, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', store], { stdio: 'ignore' });
  await listening(port);
  const url = `nats://127.0.0.1:${port}`;
  const nodes = new Map<string, ChildProcess>();
  const script = fileURLToPath(new URL('./clusterNode.js', import.meta.url));
  const started = names.map(
    (name) =>
      new Promise<void>((resolve, reject) => {
        const child = fork(script, [name, url], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], execArgv: [] });
        nodes.set(name, child);
        child.once('message', () => resolve());
        child.once('exit', (code) => reject(new Error(`bench node ${name} exited (${code})`)));
      }),
  );
  const system = createSystem({ node: 'a', cluster: { servers: url, name: 'bench', heartbeat: 500 }, shutdownTimeout: 2_000 });
  await Promise.all([system.ready(), ...started]);
  const nc = await connect({ servers: url, name: 'raw a' });
  return {
    url,
    system,
    nc,
    nodes,
    command(name, kind, subject, count) {
      const child = nodes.get(name) as ChildProcess;
      return new Promise((resolve) => {
        child.once('message', () => resolve());
        child.send({ kind, subject, count });
      });
    },
    async close() {
      await system.shutdown();
      await nc.close();
      for (const child of nodes.values()) child.kill('SIGTERM');
      await Promise.all([...nodes.values()].map((child) => (child.exitCode !== null || child.signalCode !== null ? undefined : new Promise((resolve) => child.once('exit', resolve)))));
      server.kill('SIGTERM');
      await new Promise((resolve) => server.once('exit', resolve));
      rmSync(store, { recursive: true, force: true });
    },
  };
}

/** A case that needs a server: without one it runs nothing and says so on stderr. */
function clusterCase(bench: BenchCase): BenchCase {
  return {
    ...bench,
    async setup(options): Promise<Fixture> {
      if (findNatsServer() !== undefined) return bench.setup(options);
      console.error(`  ${bench.metrics.map((m) => m.id).join(', ')}: left out, no nats-server here (sudo apt-get install -y nats-server, or set NATS_SERVER)`);
      return { subject: async () => bench.metrics.map(() => Number.NaN), baseline: undefined, close: async () => undefined };
    },
  };
}

/** Raw requests to `subject`, `width` at a time, each answered by the other node; requests per second. */
function rawRequests(nc: NatsConnection, subject: string, count: number, width: number): Promise<number> {
  return inFlight(count, width, async (i) => {
    const reply = await nc.request(subject, JSON.stringify(i), { timeout: 10_000 });
    if ((JSON.parse(reply.string()) as number) !== i * i) throw new Error('a wrong answer');
  });
}

/** A cluster of this node and node `b`, with a {@link Sink} on `b`. */
async function sinkOnB(): Promise<{ readonly cluster: BenchCluster; readonly sink: ActorRef<typeof Sink> }> {
  const cluster = await startCluster(['b']);
  return { cluster, sink: await cluster.system.spawn(Sink, { placement: { node: 'b' } }) };
}

/** remote.tell: tells to an actor on node b, confirmed by one ask, against raw publish → b's subscriber (confirmed by one request). */
const tellRemote: BenchCase = clusterCase({
  metrics: [{ id: 'remote.tell', unit: 'msg/s', better: 'higher', baseline: { id: 'raw.nats.publish', unit: 'msg/s' } }],
  async setup({ quick }) {
    const count = quick ? 20_000 : 200_000;
    const { cluster, sink } = await sinkOnB();
    const encoder = new TextEncoder();
    let told = 0;
    let published = 0;
    return {
      async subject() {
        const t0 = performance.now();
        for (let i = 0; i < count; i++) sink.tell('hit', { i, tag: 'bench' });
        told += count;
        if ((await sink.ask('count', undefined, { timeout: 600_000 })) !== told) throw new Error('remote.tell lost messages');
        return [rate(count, performance.now() - t0)];
      },
      async baseline() {
        const t0 = performance.now();
        for (let i = 0; i < count; i++) cluster.nc.publish('raw.b.sink', encoder.encode(JSON.stringify({ i, tag: 'bench' })));
        published += count;
        const seen = await cluster.nc.request('raw.b.drained', String(published), { timeout: 600_000 });
        if (Number(seen.string()) < published) throw new Error('the raw subscriber missed messages');
        return [rate(count, performance.now() - t0)];
      },
      close: () => cluster.close(),
    };
  },
});

/** remote.ask.rtt: one ask at a time to an actor on node b, against one raw nc.request at a time to b. */
const askRemote: BenchCase = clusterCase({
  metrics: [
    { id: 'remote.ask.rtt', unit: 'µs', better: 'lower', baseline: { id: 'raw.nats.request', unit: 'µs' } },
    { id: 'remote.ask.rtt.p99', unit: 'µs', better: 'lower', baseline: { id: 'raw.nats.request.p99', unit: 'µs' } },
  ],
  async setup({ quick }) {
    const count = quick ? 500 : 3_000;
    const { cluster, sink } = await sinkOnB();
    return {
      subject: () => latencies(count, (i) => sink.ask('ping', i)),
      baseline: () => latencies(count, (i) => cluster.nc.request('raw.b.square', JSON.stringify(i), { timeout: 10_000 })),
      close: () => cluster.close(),
    };
  },
});

/** remote.ask.pipelined: asks to an actor on node b, 100 in flight, against raw nc.requests, 100 in flight. */
const askRemotePipelined: BenchCase = clusterCase({
  metrics: [{ id: 'remote.ask.pipelined', unit: 'ask/s', better: 'higher', baseline: { id: 'raw.nats.request.pipelined', unit: 'req/s' } }],
  async setup({ quick }) {
    const count = quick ? 5_000 : 30_000;
    const { cluster, sink } = await sinkOnB();
    return {
      subject: async () => [
        await inFlight(count, 100, async (i) => {
          if ((await sink.ask('ping', i)) !== i) throw new Error('a wrong answer');
        }),
      ],
      baseline: async () => [await rawRequests(cluster.nc, 'raw.b.square', count, 100)],
      close: () => cluster.close(),
    };
  },
});

/** pool.map.remote: 100k tiny items on two workers of a second node, against raw nc.request per item (100 in flight). */
const mapRemote: BenchCase = clusterCase({
  metrics: [{ id: 'pool.map.remote', unit: 'item/s', better: 'higher', baseline: { id: 'raw.nats.request', unit: 'req/s' } }],
  async setup({ quick }) {
    const count = quick ? 20_000 : 100_000;
    const items = Array.from({ length: count }, (_, i) => i);
    const cluster = await startCluster(['b']);
    const pool = createPool({ tasks: benchTasks, system: cluster.system, nodes: { b: 2 } });
    await pool.ready;
    return {
      async subject() {
        const t0 = performance.now();
        const out = await pool.map('square', items);
        if (out.length !== count || out[count - 1] !== (count - 1) ** 2) throw new Error('pool.map.remote lost items');
        return [rate(count, performance.now() - t0)];
      },
      baseline: async () => [await rawRequests(cluster.nc, 'raw.b.square', Math.min(count, 20_000), 100)],
      close: async () => (await pool.terminate(), await cluster.close()),
    };
  },
});

/** pool.map.cluster: the same map on two workers on each of two nodes, against two workers on one node (the scaling figure). */
const mapCluster: BenchCase = clusterCase({
  metrics: [{ id: 'pool.map.cluster', unit: 'item/s', better: 'higher', baseline: { id: 'pool.map.remote.oneNode', unit: 'item/s' } }],
  async setup({ quick }) {
    const count = quick ? 100_000 : 1_000_000;
    const items = Array.from({ length: count }, (_, i) => i);
    const cluster = await startCluster(['b', 'c']);
    console.error(`  pool.map.cluster: two nodes against one, all on this machine's ${(await import('node:os')).availableParallelism()} cores`);
    const two = createPool({ tasks: benchTasks, system: cluster.system, nodes: { b: 2, c: 2 } });
    const one = createPool({ tasks: benchTasks, system: cluster.system, nodes: { b: 2 } });
    await Promise.all([two.ready, one.ready]);
    const run = async (pool: typeof two): Promise<number[]> => {
      const t0 = performance.now();
      await pool.map('square', items);
      return [rate(count, performance.now() - t0)];
    };
    return { subject: () => run(two), baseline: () => run(one), close: async () => (await Promise.all([two.terminate(), one.terminate()]), await cluster.close()) };
  },
});

/** Counts raw items arriving on `subject` until `count` came. */
function countArrivals(nc: NatsConnection, subject: string, count: number): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    const sub = nc.subscribe(subject, {
      callback: () => {
        if (++seen === count) {
          sub.unsubscribe();
          resolve();
        }
      },
    });
  });
}

/** channel.remote: a producer on node b streams into a channel a consumer on node a drains, against raw publish → subscriber. */
const channelRemote: BenchCase = clusterCase({
  metrics: [{ id: 'channel.remote', unit: 'item/s', better: 'higher', baseline: { id: 'raw.nats.publish', unit: 'msg/s' } }],
  async setup({ quick }) {
    const count = quick ? 20_000 : 200_000;
    const cluster = await startCluster(['b']);
    const producer = await cluster.system.spawn(ChanProducer, { placement: { node: 'b' } });
    let run = 0;
    return {
      async subject() {
        const channel = createChannel<{ i: number; tag: string }>();
        const t0 = performance.now();
        const streaming = producer.ask('stream', { out: channel.sender, count }, { timeout: 600_000 });
        let got = 0;
        for await (const item of channel) if (item.tag === 'bench') got += 1;
        await streaming;
        if (got !== count) throw new Error('channel.remote lost items');
        return [rate(count, performance.now() - t0)];
      },
      async baseline() {
        const subject = `raw.items.${++run}`;
        const arrived = countArrivals(cluster.nc, subject, count);
        await cluster.nc.flush(); // the subscription is in place before b publishes
        const t0 = performance.now();
        await cluster.command('b', 'publish', subject, count);
        await arrived;
        return [rate(count, performance.now() - t0)];
      },
      close: () => cluster.close(),
    };
  },
});

/** channel.durable: a producer on node b sends into a durable channel a consumer here drains, against raw JetStream publish + pull-consume-ack. */
const channelDurable: BenchCase = clusterCase({
  metrics: [{ id: 'channel.durable', unit: 'item/s', better: 'higher', baseline: { id: 'raw.jetstream', unit: 'msg/s' } }],
  async setup({ quick }) {
    const count = quick ? 2_000 : 20_000;
    const cluster = await startCluster(['b']);
    const producer = await cluster.system.spawn(ChanProducer, { placement: { node: 'b' } });
    const jsm = await jetstreamManager(cluster.nc);
    const js = jetstream(cluster.nc);
    // One channel for every run, its stream opened on both nodes before the first (as the baseline's is made before it runs).
    const channel = createChannel<{ i: number; tag: string }>({ durable: 'bench', system: cluster.system });
    await producer.ask('fill', { out: channel.sender, count: 1 });
    await channel.receive();
    await channel.ack();
    let run = 0;
    return {
      async subject() {
        const t0 = performance.now();
        const streaming = producer.ask('fill', { out: channel.sender, count }, { timeout: 600_000 });
        streaming.catch(() => undefined); // awaited below; a failure must not end the run before
        let got = 0;
        while (got < count) if ((await channel.receive()).tag === 'bench') got += 1;
        await channel.ack();
        await streaming;
        return [rate(count, performance.now() - t0)];
      },
      async baseline() {
        const stream = `RAW${++run}`;
        await jsm.streams.add({ name: stream, subjects: [`rawjs.${run}`], retention: RetentionPolicy.Workqueue });
        await jsm.consumers.add(stream, { durable_name: 'c', ack_policy: AckPolicy.Explicit });
        const consumer = await js.consumers.get(stream, 'c');
        const t0 = performance.now();
        const published = cluster.command('b', 'jspublish', `rawjs.${run}`, count);
        let got = 0;
        const messages = await consumer.consume({ max_messages: 256 });
        for await (const message of messages) {
          if ((JSON.parse(message.string()) as { tag: string }).tag === 'bench') got += 1;
          message.ack();
          if (got === count) break;
        }
        await published;
        return [rate(count, performance.now() - t0)];
      },
      close: () => cluster.close(),
    };
  },
});

/** The cluster cases (each starts its own server and node processes). */
export const clusterCases: readonly BenchCase[] = [tellRemote, askRemote, askRemotePipelined, mapRemote, channelRemote, channelDurable, mapCluster];
