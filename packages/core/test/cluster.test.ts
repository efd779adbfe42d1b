import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActorRef, createChannel, createSystem, type ActorSystem, type Channel, type DeadLetter } from '../src/index.js';
import { MSGPACK_CODEC_VERSION, createMsgpackCodec } from '../src/wire/msgpackCodec.js';
import { FrameWriter } from '../src/wire/frames.js';
import { systemOf } from '../src/wire/ids.js';
import { killAll, startNode, testCluster, until, type NodeProcess } from './clusterNodes.js';
import { Counter } from './fixtures/counter.js';
import { Echo } from './fixtures/echo.js';
import { Gate } from './fixtures/gate.js';
import { Relay } from './fixtures/relay.js';
import { codeOf, failureOf } from './helpers.js';
import { startNatsServer, type NatsServer } from './natsServer.js';

describe('a cluster of three nodes over NATS, each its own process', () => {
  let server: NatsServer;
  let a: ActorSystem;
  let b: NodeProcess;
  const nodes: NodeProcess[] = [];
  const cluster = (): ReturnType<typeof testCluster> => testCluster(server, 'three', { limits: { maxFrameBytes: 256 * 1024 } });
  beforeAll(async () => {
    server = await startNatsServer();
    a = createSystem({ node: 'a', serve: [Counter, Relay, Echo], cluster: cluster(), shutdownTimeout: 2_000 });
    await a.ready();
    [b] = await Promise.all([startNode('b', cluster(), nodes), startNode('c', cluster(), nodes)]);
  });
  afterAll(async () => {
    await a?.shutdown();
    await killAll(nodes);
    await server?.dispose();
  });

  it('lists the live nodes on every node, its own first, a node that joined later included', async () => {
    expect(a.nodes()[0]).toBe('a');
    expect(a.nodes().sort()).toEqual(['a', 'b', 'c']);
    expect((await b.nodes()).sort()).toEqual(['a', 'b', 'c']); // b joined before c: it learned c from c's hello
  });

  it('spawns on another node inline, in a thread and in a process, and tell, send and ask reach each', async () => {
    for (const where of ['inline', 'thread', 'process'] as const) {
      const counter = await a.spawn(Counter, { placement: { node: 'b', in: where }, args: 1 });
      counter.tell('add', 2);
      await counter.send('add', 3);
      expect(await counter.ask('slowAdd', 4)).toBe(10);
      const { pid } = await counter.ask('where');
      expect(pid === b.pid).toBe(where !== 'process'); // a process of b's own for 'process'
      await a.stop(counter); // and stopped there
      expect(await codeOf(counter.ask('get'))).toBe('ACTOR_STOPPED');
    }
  });

  it('hands a ref to an actor on c to an actor on b, and it reaches c directly, not through a', async () => {
    const onC = await a.spawn(Counter, { placement: { node: 'c', in: 'thread' }, args: 100 });
    const relay = await a.spawn(Relay, { placement: { node: 'b', in: 'process' }, args: { peer: onC } });
    const forwarded = a.forwardedCount;
    expect(await relay.ask('addToPeer', 1)).toBe(101);
    expect(await relay.ask('countOf', onC)).toBe(101); // and inside a message
    expect(a.forwardedCount).toBe(forwarded);
    const self = await relay.ask('self'); // b's ref, back on a, still works here
    expect(self).toBeInstanceOf(ActorRef);
    expect(await (self as typeof relay).ask('countOf', onC)).toBe(101);
  });

  it("lets actors on any placement of one node reach actors on another node's placements, both ways", async () => {
    const here = await a.spawn(Counter, { placement: 'thread', args: 7 });
    const there = await a.spawn(Counter, { placement: { node: 'c', in: 'process' }, args: 40 });
    const askerHere = await a.spawn(Relay, { placement: 'process', args: { peer: there } }); // a's process → c's process
    expect(await askerHere.ask('addToPeer', 2)).toBe(42);
    const askerThere = await a.spawn(Relay, { placement: { node: 'b', in: 'thread' }, args: { peer: here } }); // b's thread → a's thread
    expect(await askerThere.ask('addToPeer', 3)).toBe(10);
  });

  it('keeps one message at a time and FIFO per sender across machines', async () => {
    const echo = await a.spawn(Echo, { placement: { node: 'b' } });
    for (let i = 0; i < 300; i++) echo.tell('keep', i);
    const counter = await a.spawn(Counter, { placement: { node: 'c' }, args: 0 });
    const adds = Array.from({ length: 20 }, () => counter.ask('slowAdd', 1)); // each reads, waits, writes
    expect(await Promise.all(adds)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(await echo.ask('told')).toEqual(Array.from({ length: 300 }, (_, i) => i));
  });

  it('sends what goes to one node in the same tick as one NATS message, and a burst past max_payload still arrives in order', async () => {
    const echo = await a.spawn(Echo, { placement: { node: 'b' } });
    const observer = await connect({ servers: server.url });
    try {
      const seen: number[] = [];
      const subject = `multitask.three.data.${systemOf(echo.id)}.${systemOf((await a.spawn(Counter, { args: 0 })).id)}`;
      observer.subscribe(subject, { callback: (_error, msg) => void seen.push(msg.data.length) });
      await observer.flush();
      for (let i = 0; i < 100; i++) echo.tell('keep', i);
      const told = echo.ask('told'); // the same tick: the same frame
      expect(await told).toEqual(Array.from({ length: 100 }, (_, i) => i));
      await until(() => seen.length >= 1, 5_000, 'the observed message');
      expect(seen).toHaveLength(1);
      const big = 'y'.repeat(5_000);
      const fresh = await a.spawn(Echo, { placement: { node: 'b' } });
      seen.length = 0;
      for (let i = 0; i < 300; i++) fresh.tell('keep', `${i}:${big}`); // 1.5 MB in one tick: past max_payload and this test's maxFrameBytes (256 kB)
      expect(await fresh.ask('heads')).toEqual(Array.from({ length: 300 }, (_, i) => String(i)));
      expect(seen.length).toBeGreaterThan(1);
      expect(seen.length).toBeLessThan(20); // split into frames that fit, not one message per tell
      expect(Math.max(...seen)).toBeLessThanOrEqual(256 * 1024);
    } finally {
      await observer.close();
    }
  });

  it('carries every kind of payload there and back exactly', async () => {
    const echo = await a.spawn(Echo, { placement: { node: 'c', in: 'thread' } });
    const payload = {
      map: new Map<unknown, unknown>([[1, 'one'], ['k', new Set([1n, undefined])]]),
      date: new Date(1_700_000_000_000),
      big: -(2n ** 100n),
      bytes: new Uint8Array([1, 2, 3]),
      floats: new Float64Array([-0, NaN]),
      buffer: new Uint16Array([9, 8]).buffer,
      holes: [1, , 3], // eslint-disable-line no-sparse-arrays
      regexp: /x+/gi,
      nothing: undefined,
      error: new TypeError('inside'),
    };
    expect(await echo.ask('echo', payload)).toStrictEqual(payload);
  });

  it('revives errors thrown there with their name, message, code, stack, cause and properties', async () => {
    const echo = await a.spawn(Echo, { placement: { node: 'b', in: 'process' } });
    const error = await failureOf<Error & { code: string; account: number }>(echo.ask('fail', 7));
    expect(error.name).toBe('LedgerError');
    expect(error.message).toBe('account 7 is overdrawn');
    expect(error.code).toBe('E_OVERDRAWN');
    expect(error.account).toBe(7);
    expect(error.stack).toContain('LedgerError');
    expect(error.cause).toBeInstanceOf(RangeError);
  });

  it('times out and aborts asks to another node with ASK_TIMEOUT and ABORTED', async () => {
    const echo = await a.spawn(Echo, { placement: { node: 'c' } });
    expect(await codeOf(echo.ask('sleep', 2_000, { timeout: 50 }))).toBe('ASK_TIMEOUT');
    const controller = new AbortController();
    const asked = codeOf(echo.ask('sleep', 2_000, { signal: controller.signal }));
    controller.abort();
    expect(await asked).toBe('ABORTED');
  });

  it('shares a channel across machines: every item once, in order', async () => {
    const relay = await a.spawn(Relay, { placement: { node: 'b', in: 'thread' } });
    const ours = createChannel<number>({ capacity: 8 });
    const filling = relay.ask('fill', { into: ours, from: 0, to: 100 });
    const got: number[] = [];
    for (let i = 0; i < 100; i++) got.push(await ours.receive());
    expect(await filling).toBe(100);
    expect(got).toEqual(Array.from({ length: 100 }, (_, i) => i));
    const theirs = (await relay.ask('channel')) as Channel<number>;
    for (let n = 0; n < 10; n++) await theirs.send(n);
    expect(await relay.ask('take', { from: theirs, count: 10 })).toEqual(Array.from({ length: 10 }, (_, i) => i));
  });

  it('refuses at the call what cannot cross, and settles an ask whose reply cannot travel', async () => {
    const echo = await a.spawn(Echo, { placement: { node: 'b' } });
    expect(await codeOf(echo.ask('echo', new SharedArrayBuffer(4)))).toBe('NOT_SERIALIZABLE');
    expect(() => echo.tell('keep', new SharedArrayBuffer(4))).toThrowError(expect.objectContaining({ code: 'NOT_SERIALIZABLE' }) as Error); // at the call
    expect(() => echo.tell('keep', { at: Object(1) })).toThrowError(/boxed primitive/);
    expect(await codeOf(echo.ask('shared'))).toBe('NOT_SERIALIZABLE'); // the reply
    expect(await codeOf(echo.ask('big', 2 * 1024 * 1024))).toBe('NOT_SERIALIZABLE'); // past max_payload
    const letters: DeadLetter[] = [];
    a.on('dead-letter', (letter) => letters.push(letter));
    echo.tell('keep', 'x'.repeat(2 * 1024 * 1024));
    await until(() => letters.length > 0, 5_000, 'the dead letter');
    expect((letters[0]?.error as { code?: string }).code).toBe('NOT_SERIALIZABLE');
    expect(await echo.ask('echo', 'still here')).toBe('still here');
  });

  it('refuses to start what a node does not serve, naming its key', async () => {
    const error = await failureOf(a.spawn(Gate, { placement: { node: 'b' } }));
    expect(error).toMatchObject({ code: 'SPAWN_FAILED' });
    expect(error.message).toContain("'gate/Gate'");
  });

  it('refuses a node whose name is taken in the cluster', async () => {
    const error = await failureOf<Error & { code: string }>(startNode('b', cluster(), nodes));
    expect(error.code).toBe('NAME_TAKEN');
    expect((await b.nodes()).sort()).toEqual(['a', 'b', 'c']);
  });

  describe('a rogue client on the cluster subjects', () => {
    let rogue: NatsConnection;
    beforeAll(async () => {
      rogue = await connect({ servers: server.url });
    });
    afterAll(async () => {
      await rogue?.close();
    });

    it('has garbage and oversized frames dropped and counted, what they carried settled, and the cluster carries on', async () => {
      const echo = await a.spawn(Echo, { placement: { node: 'b' } });
      const counter = await a.spawn(Counter, { args: 0 });
      const mine = systemOf(counter.id);
      const theirs = systemOf(echo.id);
      const bad: string[] = [];
      const letters: DeadLetter[] = [];
      a.on('bad-frame', ({ reason }) => bad.push(reason));
      a.on('dead-letter', (letter) => letters.push(letter));
      const data = (from: string): string => `multitask.three.data.${mine}.${from}`;
      rogue.publish(data(theirs), new Uint8Array([0xff, 0x00, 0x13])); // not a frame
      rogue.publish(data(theirs), new Uint8Array(300 * 1024).fill(0x91)); // past maxFrameBytes
      const deep = new Uint8Array(64 * 1024).fill(0x91);
      deep.set([MSGPACK_CODEC_VERSION, 0]);
      rogue.publish(data(theirs), deep); // nested far past maxDepth
      rogue.publish(data('nobody'), new Uint8Array([MSGPACK_CODEC_VERSION, 0, 0x90])); // from a node that is not joined
      rogue.publish('multitask.three.beat', 'not json');
      rogue.publish('multitask.three.hello', JSON.stringify({ v: 1, kind: 'hello', info: { system: 'x', node: 42 } }));
      // A well-formed tell, forged as b's, whose payload is of a type the codec never writes: a dead letter here.
      const writer = new FrameWriter();
      writer.write({ kind: 'tell', dst: `${mine}:0` as never, to: counter.id, type: 'add', payload: 'PAYLOAD!', enc: 0, from: `${theirs}:0` as never });
      const spliced = createMsgpackCodec().encode(writer.finish());
      const at = Buffer.from(spliced).indexOf(Buffer.from('PAYLOAD!')) - 1; // its fixstr head
      spliced.set([0xc4, 7], at); // bin 8 of 7 bytes, the same length
      rogue.publish(data(theirs), spliced);
      await rogue.flush();
      await until(() => bad.length >= 7, 10_000, 'seven bad frames');
      expect(bad.some((reason) => reason.includes('maxFrameBytes'))).toBe(true);
      expect(bad.some((reason) => reason.includes('maxDepth'))).toBe(true);
      expect(bad.some((reason) => reason.includes('not joined'))).toBe(true);
      await until(() => letters.length > 0, 5_000, 'the dead letter');
      expect(letters[0]).toMatchObject({ type: 'add' });
      expect((letters[0]?.error as { code?: string }).code).toBe('BAD_FRAME');
      expect(await counter.ask('get')).toBe(0);
      expect(await echo.ask('echo', 'fine')).toBe('fine');
      expect(a.nodes().sort()).toEqual(['a', 'b', 'c']);
    });
  });

  it('snapshots every node: each node answers with its own actors and hosts', async () => {
    const onB = await a.spawn(Counter, { placement: { node: 'b', in: 'thread' }, args: 0 });
    const onC = await a.spawn(Counter, { placement: { node: 'c' }, args: 0 });
    onB.tell('add', 1);
    await onB.ask('get');

    const snapshot = await a.inspect();

    const byNode = new Map(snapshot.peers.map((p) => [p.node, p.snapshot]));
    expect([...byNode.keys()].sort()).toEqual(['b', 'c']);
    expect(byNode.get('b')?.actors.find((x) => x.id === onB.id)).toMatchObject({ definition: 'Counter', placement: 'thread', handled: 2 });
    expect(byNode.get('c')?.actors.find((x) => x.id === onC.id)).toMatchObject({ placement: 'inline', status: 'running' });
    expect(byNode.get('b')?.hosts.find((h) => h.kind === 'root')?.pid).toBe(b.pid);
    await a.stop(onB);
    await a.stop(onC);
  });
});
