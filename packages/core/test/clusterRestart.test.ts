import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { child, createSystem, type ActorSystem, type DownReason } from '../src/index.js';
import { createMsgpackCodec } from '../src/wire/msgpackCodec.js';
import { FrameWriter } from '../src/wire/frames.js';
import { systemOf } from '../src/wire/ids.js';
import { killAll, startNode, testCluster, until, within, type NodeProcess } from './clusterNodes.js';
import { Counter } from './fixtures/counter.js';
import { Echo } from './fixtures/echo.js';
import { Faulty } from './fixtures/faulty.js';
import { codeOf, nextEvent } from './helpers.js';
import { startNatsServer, type NatsServer } from './natsServer.js';

describe('a cluster whose nodes die or pause, with supervised actors on them', () => {
  let server: NatsServer;
  let systems: ActorSystem[] = [];
  const nodes: NodeProcess[] = [];
  let run = 0;
  const join = async (name: string, cluster: ReturnType<typeof testCluster>): Promise<ActorSystem> => {
    const system = createSystem({ node: name, serve: [Counter], cluster, shutdownTimeout: 2_000 }); // not Faulty: a restart goes to another node
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

  it('restarts a supervised actor of a killed node on a surviving node that serves it, under the same id, answering refs from every node', async () => {
    const cluster = testCluster(server, `restart${++run}`);
    const a = await join('a', cluster);
    const [b, c] = await Promise.all([startNode('b', cluster, nodes), startNode('c', cluster, nodes)]);
    const sup = await a.supervise({ children: [child('worker', Faulty, { placement: { node: 'b' }, name: 'worker', args: { start: 40 } })] });
    const worker = sup.ref('worker');
    expect((await worker.ask('where')).pid).toBe(b.pid);
    await until(async () => (await c.request({ cmd: 'ask', name: 'worker', type: 'get' })).value === 40, 5_000, 'c to reach it by name');
    const down = new Promise<DownReason>((resolve) => a.monitor(worker, resolve));
    const restarted = nextEvent(a, 'actor:restarted');
    await b.kill('SIGKILL');
    expect(await within(down, 15_000, 'its monitor')).toMatchObject({ kind: 'error', error: { code: 'NODE_DOWN' } });
    expect((await within(restarted, 15_000, 'its restart'))[0].id).toBe(worker.id);
    expect((await worker.ask('where')).pid).toBe(c.pid);
    worker.tell('add', 2);
    expect(await worker.ask('get')).toBe(42);
    expect((await c.request({ cmd: 'ask', name: 'worker', type: 'get' })).value).toBe(42); // the same id, by name, from where it runs now
    expect(a.lookup('worker')?.id).toBe(worker.id);
  });

  it('fires monitors and links of actors on a node when it dies', async () => {
    const cluster = testCluster(server, `links${++run}`);
    const a = await join('a', cluster);
    const b = await startNode('b', cluster, nodes);
    const there = await a.spawn(Echo, { placement: { node: 'b', in: 'thread' } });
    const here = await a.spawn(Counter, { args: 1 });
    const monitored = new Promise<DownReason>((resolve) => a.monitor(there, resolve));
    a.link(there, here);
    const stopped = nextEvent(a, 'actor:stopped', (ref) => ref.id === here.id);
    await b.kill('SIGKILL');
    expect(await within(monitored, 15_000, 'the monitor')).toMatchObject({ kind: 'error', error: { code: 'NODE_DOWN' } });
    const [, reason] = await within(stopped, 5_000, 'the linked actor to stop');
    expect(reason.kind).toBe('stopped');
    expect(await codeOf(here.ask('get'))).toBe('ACTOR_STOPPED');
  });

  describe('a node paused past downAfter (SIGSTOP), then resumed (SIGCONT)', () => {
    let observer: NatsConnection | undefined;
    afterEach(async () => {
      await observer?.close();
      observer = undefined;
    });

    it('stops its copy of a supervised actor restarted elsewhere meanwhile, its stale words are refused, and one copy answers', async () => {
      const name = `pause${++run}`;
      const cluster = testCluster(server, name, { downAfter: 1_500 });
      const a = await join('a', cluster);
      const [b, c] = await Promise.all([startNode('b', cluster, nodes), startNode('c', cluster, nodes)]);
      const counter = await a.spawn(Counter, { args: 0 });
      const sup = await a.supervise({ children: [child('worker', Faulty, { placement: { node: 'b' }, name: 'paused-worker' })] });
      const worker = sup.ref('worker');
      expect((await worker.ask('where')).pid).toBe(b.pid);
      const own = await b.request({ cmd: 'spawn', def: 'Counter', name: 'b-own', args: 7 }); // b's own actor, and name
      await until(() => a.lookup('b-own') !== undefined, 5_000, "b's name");
      observer = await connect({ servers: server.url });
      let beat: Uint8Array | undefined;
      observer.subscribe(`multitask.${name}.beat`, { callback: (_error, msg) => void (msg.string().includes(`"node":"b"`) && (beat = msg.data)) });
      const told: string[] = [];
      observer.subscribe(`multitask.${name}.ctl.${b.system}`, { callback: (_error, msg) => void told.push(msg.string()) });
      await observer.flush();
      await until(() => beat !== undefined, 5_000, "one of b's beats");

      const down = nextEvent(a, 'node:down', (node) => node === 'b');
      const restarted = nextEvent(a, 'actor:restarted');
      b.signal('SIGSTOP');
      await within(down, 15_000, "b's node:down");
      await within(restarted, 15_000, 'the restart elsewhere');
      expect((await worker.ask('where')).pid).toBe(c.pid);

      // What b's old incarnation says now is refused: its beat does not let it in (it is told it was declared down), its data is dropped.
      const bad = nextEvent(a, 'bad-frame', (frame) => frame.reason.includes('not joined'));
      observer.publish(`multitask.${name}.beat`, beat!);
      const writer = new FrameWriter();
      writer.write({ kind: 'tell', dst: `${systemOf(counter.id)}:0` as never, to: counter.id, type: 'add', payload: 100, enc: 0, from: `${b.system}:0` as never });
      observer.publish(`multitask.${name}.data.${systemOf(counter.id)}.${b.system}`, createMsgpackCodec().encode(writer.finish()));
      await within(bad, 5_000, 'the stale frame to be refused');
      await until(() => told.some((text) => text.includes('"kind":"down"')), 5_000, 'b to be told it was declared down');
      expect(a.nodes()).not.toContain('b');
      expect(await counter.ask('get')).toBe(0);
      expect(a.lookup('b-own')).toBeUndefined(); // the names of a node declared down are freed

      const up = nextEvent(a, 'node:up', (node) => node === 'b');
      b.signal('SIGCONT');
      await within(b.event((event) => event.event === 'actor:stopped' && event.id === worker.id), 10_000, "b to stop its copy");
      expect(b.events.some((event) => event.event === 'node:down' && event.node === 'a')).toBe(true);
      await within(up, 15_000, 'b to join again, as a new incarnation');
      // From b's side too, only the copy on c answers (until b is back, its asks fail: it cannot reach the supervisor).
      const pids: unknown[] = [];
      const failures = new Set<string | undefined>();
      await until(
        async () => {
          const answer = await b.request({ cmd: 'ask', name: 'paused-worker', type: 'where', timeout: 2_000 });
          if (answer.value !== undefined) pids.push((answer.value as { pid: number }).pid);
          else failures.add(answer.code);
          return pids.length > 0;
        },
        10_000,
        'b to reach the live copy',
      );
      expect(pids).toEqual([c.pid]);
      expect([...failures].filter((code) => code !== 'NODE_DOWN' && code !== 'NOT_FOUND')).toEqual([]); // NOT_FOUND: b had not heard of a's names yet
      // b's own actor went on, and b took its name again as its new incarnation.
      await until(() => a.lookup('b-own')?.id === own.id, 10_000, "b's name to be taken again");
      expect(await (a.lookup('b-own') as never as { ask(type: 'get'): Promise<number> }).ask('get')).toBe(7);
      expect((await c.request({ cmd: 'lookup', name: 'b-own' })).id).toBe(own.id);
      expect((await worker.ask('where')).pid).toBe(c.pid);
      expect((await c.request({ cmd: 'ask', name: 'paused-worker', type: 'where' })).value).toEqual({ pid: c.pid, thread: 0 });
      expect(sup.children()[0]).toMatchObject({ status: 'running', restarts: 1 });
    });
  });
});
