import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChannel, createSystem, type ActorSystem, type Clock } from '../src/index.js';
import { killAll, startNode, testCluster, within, type NodeProcess } from './clusterNodes.js';
import { Relay } from './fixtures/relay.js';
import { codeOf, failureOf, manualClock, nextEvent, turn } from './helpers.js';
import { startNatsServer, type NatsServer } from './natsServer.js';

/** A clock whose timers never fire: what a handle on it does, it does on events alone. */
const frozen: Clock = { now: () => 0, setTimeout: () => ({}), clearTimeout: () => undefined };
/**
 * Sooner than any poll could: a pull waits 30 s at the server, and before the close was
 * told, receives saw it only when their 2 s pull ended. What is told takes a few round trips.
 */
const TOLD_MS = 1_500;

describe('durable channels (JetStream)', () => {
  let server: NatsServer;
  let a: ActorSystem;
  /** Another node, in this process: its own connection to the server. */
  let peer: ActorSystem;
  const nodes: NodeProcess[] = [];
  const cluster = (): ReturnType<typeof testCluster> => testCluster(server, 'durable');
  beforeAll(async () => {
    server = await startNatsServer();
    a = createSystem({ node: 'a', serve: [Relay], cluster: cluster(), shutdownTimeout: 2_000 });
    peer = createSystem({ node: 'peer', cluster: cluster(), shutdownTimeout: 2_000 });
    await Promise.all([a.ready(), peer.ready()]);
  });
  afterAll(async () => {
    await peer?.shutdown();
    await a?.shutdown();
    await killAll(nodes);
    await server?.dispose();
  });

  it('carries items sent on another node to this one, each once and in order, and ends the loop once closed and drained', async () => {
    await startNode('b', cluster(), nodes);
    const relay = await a.spawn(Relay, { placement: { node: 'b' } });
    const channel = createChannel<number>({ durable: 'carry', system: a });
    // b's main thread opens the handle it is sent, also when it gets there before this node made the stream
    expect(await relay.ask('fill', { into: channel, from: 0, to: 300 })).toBe(300);
    channel.close();
    const got: number[] = [];
    for await (const n of channel) got.push(n);
    expect(got).toEqual(Array.from({ length: 300 }, (_, i) => i));
    expect(await codeOf(channel.send(1))).toBe('CHANNEL_CLOSED');
    expect(await codeOf(channel.receive())).toBe('CHANNEL_CLOSED');
  });

  it('keeps its items when the node that created it and sent them is killed', async () => {
    const maker = await startNode('maker', cluster(), nodes);
    await maker.durable({ name: 'survives', ackWait: 30_000, send: 50 });
    await maker.kill('SIGKILL');
    const channel = createChannel<number>({ durable: 'survives', system: a, ackWait: 30_000 });
    const got: number[] = [];
    for (let i = 0; i < 50; i++) got.push(await within(channel.receive(), 15_000, `item ${i}`));
    expect(got).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('delivers an item again when the consumer that took it dies before asking for the next; one acknowledged is not', async () => {
    const ackWait = 500;
    const channel = createChannel<string>({ durable: 'again', system: a, ackWait });
    await channel.send('job-1');
    const taker = await startNode('taker', cluster(), nodes);
    expect(await taker.durable({ name: 'again', ackWait, take: 1 })).toEqual(['job-1']); // taken there, never acknowledged
    await taker.kill('SIGKILL');
    expect(await within(channel.receive(), 15_000, 'the redelivery')).toBe('job-1');
    await channel.send('job-2');
    expect(await channel.receive()).toBe('job-2'); // asking for the next acknowledged job-1
    await channel.ack(); // and this acknowledges job-2
    await new Promise((resolve) => setTimeout(resolve, 3 * ackWait)); // past ackWait: nothing comes back
    expect(await codeOf(channel.tryReceive())).toBe('CHANNEL_EMPTY');
  });

  it('holds at most capacity items: trySend is refused with CHANNEL_FULL, send waits for room or times out', async () => {
    const channel = createChannel<number>({ durable: 'bounded', system: a, capacity: 2 });
    await channel.send(1);
    await channel.send(2);
    expect(await codeOf(channel.trySend(3))).toBe('CHANNEL_FULL');
    expect(await codeOf(channel.send(3, { timeout: 300 }))).toBe('CHANNEL_TIMEOUT');
    const controller = new AbortController();
    const aborted = codeOf(channel.send(3, { signal: controller.signal }));
    controller.abort();
    expect(await aborted).toBe('ABORTED');
    const waiting = channel.send(3);
    expect(await channel.receive()).toBe(1);
    await channel.ack(); // room: the waiting send goes in
    await within(waiting, 10_000, 'the send that waited for room');
    expect([await channel.receive(), await channel.receive()]).toEqual([2, 3]);
    expect(await codeOf(channel.receive({ timeout: 200 }))).toBe('CHANNEL_TIMEOUT');
  });

  it('refuses a durable channel without a clustered system and with a bad name with INVALID_ARGUMENT, and an item that cannot travel with NOT_SERIALIZABLE', async () => {
    await using local = createSystem();
    expect(() => createChannel({ durable: 'x', system: local })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => createChannel({ durable: 'x' } as never)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => createChannel({ durable: 'no spaces', system: a })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    const channel = createChannel<number>({ durable: 'refusals', system: a });
    expect(await codeOf(channel.send((() => 1) as never))).toBe('NOT_SERIALIZABLE'); // refused at the call, nothing stored
    expect(await codeOf(channel.tryReceive())).toBe('CHANNEL_EMPTY');
  });

  it("refuses an item larger than the server's max_payload with NOT_SERIALIZABLE, and keeps what was sent before and after it", async () => {
    const channel = createChannel<Uint8Array>({ durable: 'payload', system: a });
    await channel.send(new Uint8Array([1]));
    const refused = await failureOf<Error & { code: string }>(channel.send(new Uint8Array(2 * 1024 * 1024)));
    expect(refused).toMatchObject({ code: 'NOT_SERIALIZABLE', message: expect.stringContaining('max_payload') });
    await channel.send(new Uint8Array([2]));
    expect([...(await channel.receive())]).toEqual([1]);
    expect([...(await channel.receive())]).toEqual([2]);
    await channel.ack();
  });

  it("works from threads and processes through their system's connection, and gives back at once what a killed process had taken", async () => {
    const channel = createChannel<number>({ durable: 'hosted', system: a, ackWait: 60_000 });
    const producer = await a.spawn(Relay, { placement: 'thread' });
    const consumer = await a.spawn(Relay, { placement: 'process' });
    expect(await producer.ask('fill', { into: channel, from: 0, to: 20 })).toBe(20);
    expect(await consumer.ask('take', { from: channel, count: 10 })).toEqual(Array.from({ length: 10 }, (_, i) => i));
    // The process took 10 and acknowledged the first 9 (each by asking for the next); the 10th is its own until it is gone.
    // What its node pulled and did not hand out goes back within 100 ms: the next taker gets one of 10..19.
    const crashing = await a.spawn(Relay, { placement: 'process' });
    const [took] = (await crashing.ask('take', { from: channel, count: 1 })) as number[];
    expect(took).toBeGreaterThanOrEqual(10);
    expect(took).toBeLessThan(20);
    await a.kill(crashing, { kind: 'stopped' }); // its process is ended at once: what it held is delivered again now, not after ackWait
    const rest: number[] = [];
    for (let i = 0; i < 10; i++) rest.push(await within(channel.receive(), 15_000, `item ${i}`));
    expect(rest.sort((x, y) => x - y)).toEqual(Array.from({ length: 10 }, (_, i) => 10 + i)); // 9 is still the live consumer's
  });

  it('ends a receive waiting on an empty channel with CHANNEL_CLOSED when the channel is closed here or on another node, told by the close itself', async () => {
    // On the frozen clock no timer of the handle fires: no poll could notice the close.
    const here = createChannel<number>({ durable: 'closedHere', system: a, clock: frozen });
    expect(await codeOf(here.tryReceive())).toBe('CHANNEL_EMPTY'); // open, and found empty
    const waitingHere = codeOf(here.receive());
    await turn(); // its pull is on its way to the server
    here.close();
    expect(await within(waitingHere, TOLD_MS, 'the receive on the channel closed here')).toBe('CHANNEL_CLOSED');

    const there = createChannel<number>({ durable: 'closedThere', system: a, clock: frozen });
    expect(await codeOf(there.tryReceive())).toBe('CHANNEL_EMPTY'); // this node has looked, and found it open
    const closer = createChannel<number>({ durable: 'closedThere', system: peer });
    expect(await codeOf(closer.tryReceive())).toBe('CHANNEL_EMPTY');
    const waitingThere = codeOf(there.receive());
    await turn();
    closer.close();
    expect(await within(waitingThere, TOLD_MS, 'the receive on the channel closed on another node')).toBe('CHANNEL_CLOSED');
    // Heard here: later sends are refused at once, by every handle of this node.
    expect(await codeOf(there.send(1))).toBe('CHANNEL_CLOSED');
    expect(await codeOf(createChannel<number>({ durable: 'closedThere', system: a, clock: frozen }).trySend(1))).toBe('CHANNEL_CLOSED');
  });

  it('keeps a receive of a closed channel waiting while another node holds an item it took, and ends it once that item is acknowledged', async () => {
    const waiter = createChannel<string>({ durable: 'heldElsewhere', system: a, clock: frozen });
    const holder = createChannel<string>({ durable: 'heldElsewhere', system: peer });
    await waiter.send('job');
    expect(await holder.receive()).toBe('job'); // taken on the other node, not acknowledged: it may come back
    waiter.close();
    expect(await codeOf(waiter.tryReceive())).toBe('CHANNEL_EMPTY'); // closed, not drained yet
    let ended = false;
    const waiting = codeOf(waiter.receive()).finally(() => (ended = true));
    await turn();
    expect(ended).toBe(false);
    await holder.ack();
    expect(await within(waiting, TOLD_MS, 'the receive after the last acknowledgement')).toBe('CHANNEL_CLOSED');
    expect(await codeOf(holder.receive())).toBe('CHANNEL_CLOSED');
  });

  it('times a durable receive out on the clock it was given', async () => {
    const clock = manualClock();
    const channel = createChannel<number>({ durable: 'clocked', system: a, clock });
    const receiving = codeOf(channel.receive({ timeout: 60_000 }));
    clock.advance(60_000);
    expect(await within(receiving, 10_000, 'the receive')).toBe('CHANNEL_TIMEOUT');
  });

  it('refuses a handle that asks for another capacity or ackWait than the channel was made with, with INVALID_ARGUMENT naming the setting, and leaves the channel as it was', async () => {
    const made = createChannel<number>({ durable: 'settings', system: a, capacity: 2, ackWait: 10_000 });
    await made.send(1);
    // Another node checks against the server; this one against the channel it opened already.
    const biggerThere = await failureOf<Error & { code: string }>(createChannel<number>({ durable: 'settings', system: peer, capacity: 10, ackWait: 10_000 }).send(2));
    expect(biggerThere).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('capacity 2, not 10') });
    const slowerThere = await failureOf<Error & { code: string }>(createChannel<number>({ durable: 'settings', system: peer, capacity: 2, ackWait: 20_000 }).receive());
    expect(slowerThere).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('ackWait 10000 ms, not 20000 ms') });
    const biggerHere = await failureOf<Error & { code: string }>(createChannel<number>({ durable: 'settings', system: a, capacity: 10, ackWait: 10_000 }).trySend(2));
    expect(biggerHere).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('capacity 2, not 10') });
    const slowerHere = await failureOf<Error & { code: string }>(createChannel<number>({ durable: 'settings', system: a, capacity: 2 }).tryReceive());
    expect(slowerHere).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('ackWait 10000 ms, not 30000 ms') });
    // The channel kept its settings: a node that opens it as it was made works, and it holds two items at most.
    const same = createChannel<number>({ durable: 'settings', system: peer, capacity: 2, ackWait: 10_000 });
    await same.send(2);
    expect(await codeOf(made.trySend(3))).toBe('CHANNEL_FULL');
    expect([await same.receive(), await same.receive()]).toEqual([1, 2]);
    await same.ack();
  });
});

describe('durable channels across a restart of the NATS server', () => {
  let server: NatsServer;
  let a: ActorSystem;
  beforeAll(async () => {
    server = await startNatsServer();
    a = createSystem({ node: 'a', cluster: testCluster(server, 'restart'), shutdownTimeout: 2_000 });
    await a.ready();
  });
  afterAll(async () => {
    await a?.shutdown();
    await server?.dispose();
  });

  it('keeps every item whose send resolved; sends and receives that wait meanwhile complete once it is back, those that cannot wait fail with NODE_DOWN, and the same handles go on', async () => {
    const jobs = createChannel<number>({ durable: 'jobs', system: a, ackWait: 60_000 });
    const idle = createChannel<string>({ durable: 'idle', system: a, ackWait: 60_000 });
    for (const n of [1, 2, 3]) await jobs.send(n);
    expect(await jobs.receive()).toBe(1);
    await jobs.ack();
    expect(await codeOf(idle.tryReceive())).toBe('CHANNEL_EMPTY');
    const waitingThrough = idle.receive(); // waits at the server for an item when it stops
    // A thread reaches the stream through this node's connection: its handles wait the same way.
    const thread = await a.spawn(Relay, { placement: 'thread' });
    const fromThread = createChannel<number>({ durable: 'fromThread', system: a });
    const toThread = createChannel<number>({ durable: 'toThread', system: a });
    expect(await thread.ask('fill', { into: fromThread, from: 0, to: 1 })).toBe(1);

    const down = nextEvent(a, 'cluster:disconnected');
    await server.stop();
    await within(down, 10_000, 'cluster:disconnected');
    expect(await codeOf(jobs.trySend(9))).toBe('NODE_DOWN');
    expect(await codeOf(jobs.tryReceive())).toBe('NODE_DOWN');
    const late = await failureOf<Error & { code: string }>(jobs.receive({ timeout: 100 }));
    expect(late).toMatchObject({ code: 'CHANNEL_TIMEOUT', cause: expect.objectContaining({ code: 'NODE_DOWN' }) }); // it says why it took so long
    const sending = jobs.send(4);
    const receiving = jobs.receive();
    const threadSends = thread.ask('fill', { into: fromThread, from: 1, to: 3 }, { timeout: 20_000 });
    const threadTakes = thread.ask('take', { from: toThread, count: 1 }, { timeout: 20_000 });

    const back = nextEvent(a, 'cluster:reconnected');
    await server.start();
    await within(back, 10_000, 'cluster:reconnected');
    await within(sending, 10_000, 'the send made while the server was down');
    expect(await within(receiving, 10_000, 'the receive made while the server was down')).toBe(2);
    expect([await jobs.receive(), await jobs.receive()]).toEqual([3, 4]);
    await jobs.ack();
    expect(await codeOf(jobs.tryReceive())).toBe('CHANNEL_EMPTY'); // each item once: the one acknowledged before the stop did not come back
    await idle.send('after');
    expect(await within(waitingThrough, 10_000, 'the receive that waited through the restart')).toBe('after');
    expect(await within(threadSends, 10_000, "the thread's sends")).toBe(2);
    expect([await fromThread.receive(), await fromThread.receive(), await fromThread.receive()]).toEqual([0, 1, 2]);
    await toThread.send(7);
    expect(await within(threadTakes, 10_000, "the thread's receive")).toEqual([7]);
  });

  it('settles a send that waits for the server with NODE_DOWN when its system shuts down meanwhile', async () => {
    const other = createSystem({ node: 'leaving', cluster: testCluster(server, 'restart'), shutdownTimeout: 2_000 });
    await other.ready();
    const channel = createChannel<number>({ durable: 'leaving', system: other });
    await channel.send(1);
    const down = nextEvent(other, 'cluster:disconnected');
    await server.stop();
    await within(down, 10_000, 'cluster:disconnected');
    const stuck = codeOf(channel.send(2));
    const receiving = codeOf(channel.receive({ timeout: 60_000 }));
    await other.shutdown();
    expect(await within(stuck, 10_000, 'the send')).toBe('NODE_DOWN');
    expect(await within(receiving, 10_000, 'the receive')).toBe('NODE_DOWN');
    await server.start();
  });
});
