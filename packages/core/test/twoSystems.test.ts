import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ActorRef, createChannel, createSystem, type ActorSystem, type Channel } from '../src/index.js';
import { openMemoryNetwork, type MemoryNetwork } from '../src/transport/memoryNetwork.js';
import { structuredCloneCodec } from '../src/wire/FrameCodec.js';
import { FrameWriter } from '../src/wire/frames.js';
import { nodeOf } from '../src/wire/ids.js';
import { Counter } from './fixtures/counter.js';
import { Gate, resetGate } from './fixtures/gate.js';
import { Relay } from './fixtures/relay.js';
import { Child, Parent } from './fixtures/family.js';
import { codeOf, failureOf, nextEvent } from './helpers.js';

/**
 * Two systems in this process, joined the way two machines are: frames cross as the bytes
 * a codec made of them, over an in-memory wire. Nothing but the adapter differs from a
 * network (the NATS adapter plugs into the same seam).
 */
function twoSystems(): { a: ActorSystem; b: ActorSystem; net: MemoryNetwork } {
  const a = createSystem({ node: 'a', shutdownTimeout: 2_000 });
  const b = createSystem({ node: 'b', shutdownTimeout: 2_000, serve: [Counter, Relay, Child] });
  const net = openMemoryNetwork(structuredCloneCodec);
  a.attachPeer(b.peerInfo, net.a);
  b.attachPeer(a.peerInfo, net.b);
  return { a, b, net };
}

describe('two systems joined by a byte link', () => {
  // The gate is one per test worker, and the shared project does not isolate files: one that
  // ran before in this worker may have left it open (the actor conformance tests open it).
  beforeEach(resetGate);
  let systems: ActorSystem[] = [];
  afterEach(async () => {
    await Promise.all(systems.map((system) => system.shutdown()));
    systems = [];
  });
  const join = (): ReturnType<typeof twoSystems> => {
    const joined = twoSystems();
    systems = [joined.a, joined.b];
    return joined;
  };

  it('spawns on the other system, and tell, send and ask reach the actor there', async () => {
    const { a, b } = join();
    const counter = await a.spawn(Counter, { placement: { node: 'b' }, args: 1 });
    expect(counter.id.startsWith(`${b.peerInfo.system}:`)).toBe(true); // named by the system that runs it
    counter.tell('add', 2);
    await counter.send('add', 3);
    expect(await counter.ask('get')).toBe(6);
    const onThread = await a.spawn(Counter, { placement: { node: 'b', in: 'thread' }, args: 10 });
    expect(await onThread.ask('slowAdd', 5)).toBe(15);
  });

  it('passes refs both ways, in spawn arguments, messages and replies', async () => {
    const { a, b } = join();
    const here = await a.spawn(Counter, { args: 100 });
    const relay = await a.spawn(Relay, { placement: { node: 'b' }, args: { peer: here } }); // A's ref, used on B
    expect(await relay.ask('addToPeer', 1)).toBe(101);
    const fromThere = await relay.ask('self'); // B's ref, back on A
    expect(fromThere).toBeInstanceOf(ActorRef);
    expect(fromThere.id).toBe(relay.id);
    expect(await (fromThere as typeof relay).ask('countOf', here)).toBe(101); // A's ref inside a message to B
    const onB = await b.spawn(Counter, { args: 7 }); // B's own actor, handed to an actor on A
    const relayOnA = await a.spawn(Relay, { placement: 'thread' });
    expect(await relayOnA.ask('countOf', onB as never)).toBe(7);
  });

  it("lets a thread actor of one system ask an actor on the other system's thread", async () => {
    const { a } = join();
    const there = await a.spawn(Counter, { placement: { node: 'b', in: 'thread' }, args: 40 });
    const asker = await a.spawn(Relay, { placement: 'thread', args: { peer: there } });
    expect(await asker.ask('addToPeer', 2)).toBe(42);
  });

  it("lets an actor on a thread of one system spawn its child on the other system, and watch it there", async () => {
    const { a } = join();
    const parent = await a.spawn(Parent, { placement: 'thread', args: { label: 'parent' } });
    const child = await parent.ask('spawnChild', { label: 'far away', placement: { node: 'b', in: 'process' } });
    expect(child.id.startsWith(a.peerInfo.system)).toBe(false);
    expect(await child.ask('label')).toBe('far away');
    await parent.ask('watchIt', child);
    await child.ask('quit');
    const downs = await (async () => {
      for (let i = 0; i < 400; i++) {
        const seen = await parent.ask('downs');
        if (seen.length > 0) return seen;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      return parent.ask('downs');
    })();
    expect(downs).toEqual([{ id: child.id, kind: 'stopped', via: 'onDown' }]);
    expect((await parent.ask('children')).length).toBe(0); // its parent learned it ended
  });

  it('shares a channel across the two, both ways: every item once, in order', async () => {
    const { a } = join();
    const relay = await a.spawn(Relay, { placement: { node: 'b', in: 'thread' } });
    const ours = createChannel<number>({ capacity: 8 });
    const filling = relay.ask('fill', { into: ours, from: 0, to: 50 });
    const got: number[] = [];
    for (let i = 0; i < 50; i++) got.push(await ours.receive());
    expect(await filling).toBe(50);
    expect(got).toEqual(Array.from({ length: 50 }, (_, i) => i));
    const theirs = (await relay.ask('channel')) as Channel<number>; // owned on B's thread
    for (let n = 0; n < 10; n++) await theirs.send(n);
    expect(await relay.ask('take', { from: theirs, count: 10 })).toEqual(Array.from({ length: 10 }, (_, i) => i));
  });

  it("settles everything pending on the other system with NODE_DOWN when it dies, here and on this system's threads", async () => {
    const { a, net } = join();
    const gate = await a.spawn(Gate);
    const there = await a.spawn(Counter, { placement: { node: 'b' }, args: 0 });
    const blocked = failureOf(there.ask('block', gate as never, { timeout: 60_000 })); // held mid-handler on B
    const relay = await a.spawn(Relay, { placement: 'thread' });
    const fromThread = failureOf(relay.ask('block', { peer: there, gate }, { timeout: 60_000 })); // queued behind it, asked from A's thread
    const relayThere = await a.spawn(Relay, { placement: { node: 'b', in: 'thread' } });
    const theirs = (await relayThere.ask('channel')) as Channel<number>;
    const receiving = codeOf(theirs.receive()); // waits on B's channel
    const down = nextEvent(a, 'node:down');
    net.cut(); // B vanishes without a word
    expect((await down)[0]).toBe('b');
    expect(await blocked).toMatchObject({ code: 'NODE_DOWN' });
    expect(await fromThread).toMatchObject({ code: 'NODE_DOWN' });
    expect(await receiving).toBe('NODE_DOWN');
    expect(await codeOf(there.ask('get'))).toBe('NODE_DOWN'); // and what is sent later
    expect(await codeOf(a.spawn(Counter, { placement: { node: 'b' }, args: 0 }))).toBe('NODE_DOWN');
  });

  it('lets the other system send only what a peer may: no control of hosts, no forged senders; garbage is dropped', async () => {
    const { a, b, net } = join();
    const counter = await a.spawn(Counter, { placement: 'thread', args: 1 });
    const host = nodeOf(counter.id);
    const rogue = new FrameWriter();
    rogue.write({ kind: 'stop', dst: host, from: b.peerInfo.root, cid: 1 as never, to: undefined }); // stop a host of A
    rogue.write({ kind: 'preload', dst: host, url: 'file:///tmp/not-a-module.js' }); // make a host import a path
    rogue.write({ kind: 'tell', dst: host, to: counter.id, type: 'add', payload: 100, enc: 0, from: 'elsewhere:0' as never }); // a forged sender
    net.b.sendRaw(structuredCloneCodec.encode(rogue.finish()));
    net.b.sendRaw(new Uint8Array([0xff, 0x00, 0x13])); // not a frame at all
    const honest = await a.spawn(Counter, { placement: { node: 'b' }, args: 5 }); // the link still works
    expect(await honest.ask('get')).toBe(5);
    expect(await counter.ask('get')).toBe(1); // not stopped, not added to
    expect(net.a.badFrames).toBe(1);
  });

  it('refuses a frame that is not well formed with BAD_FRAME, after letting in what came before it', async () => {
    const { a, b, net } = join();
    const counter = await a.spawn(Counter, { args: 0 });
    const reports: string[] = [];
    a.on('bad-frame', ({ reason }) => reports.push(reason));
    const from = b.peerInfo.root;
    const tell = (n: number): unknown[] => [0, a.peerInfo.root, counter.id, 'add', n, 0, from];
    net.b.sendRaw(structuredCloneCodec.encode([...tell(1), 99, 'what is this'])); // an opcode no writer makes
    net.b.sendRaw(structuredCloneCodec.encode([...tell(2), 4, 7])); // an envelope that is a number
    net.b.sendRaw(structuredCloneCodec.encode([5, 100, 0])); // "like the tell before", with none before
    net.b.sendRaw(structuredCloneCodec.encode([...tell(4), 9, 3, ['x'], 'not columns'])); // a run of tells that is no run
    net.b.sendRaw(structuredCloneCodec.encode([...tell(8), 0, a.peerInfo.root])); // cut short
    const honest = await a.spawn(Counter, { placement: { node: 'b' }, args: 5 }); // the link still works
    expect(await honest.ask('get')).toBe(5);
    expect(await counter.ask('get')).toBe(15); // each tell before the fault, none after
    expect(reports).toHaveLength(5);
    expect(reports.every((reason) => reason.includes('not well formed'))).toBe(true);
  });

  it('refuses to start what the other system does not serve, naming its key', async () => {
    const { a } = join();
    const error = await failureOf(a.spawn(Gate, { placement: { node: 'b' } }));
    expect(error).toMatchObject({ code: 'SPAWN_FAILED' });
    expect(error.message).toContain("'gate/Gate'");
  });
});
