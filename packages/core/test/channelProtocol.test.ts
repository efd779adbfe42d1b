import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import type { Runtime } from '../src/node/Runtime.js';
import { createChannel, systemClock, type Channel, type ChannelSender, type Clock } from '../src/index.js';
import type { NodeId } from '../src/wire/ids.js';
import type { Endpoint } from '../src/transport/Endpoint.js';
import { openInlinePair } from '../src/transport/inlineTransport.js';
import { openPortPair, portEndpoint } from '../src/transport/threadTransport.js';
import { serializeError } from '../src/wire/errorWire.js';
import type { Frame } from '../src/wire/frames.js';
import { ReceivedReport } from '../src/channel/ReceivedReport.js';
import { codeOf, failureOf, manualClock } from './helpers.js';
import { node, runtimeAt } from './nodes.js';

/** An endpoint that can keep what is posted on it in transit: `hold()` does, until the function it returns is called. */
function holding(endpoint: Endpoint): { readonly endpoint: Endpoint; hold(): () => void } {
  let held: Frame[] | undefined;
  return {
    endpoint: {
      post: (frame, transfer) => (held === undefined ? endpoint.post(frame, transfer) : held.push(frame)),
      onReceive: (receiver) => endpoint.onReceive(receiver),
      close: () => endpoint.close(),
    },
    hold() {
      held = [];
      return () => {
        const frames = held ?? [];
        held = undefined;
        for (const frame of frames) endpoint.post(frame);
      };
    },
  };
}

/**
 * An owner runtime and a participant runtime in this thread, joined by an inline endpoint
 * pair. `hold()` keeps what the owner sends in transit, `holdUp()` what the participant
 * sends; `cut()` ends the link, dropping what is still in transit (the participant died).
 */
function twoNodes(remoteClock: Clock = systemClock): { owner: Runtime; remote: Runtime; cut: () => void; hold: () => () => void; holdUp: () => () => void } {
  const { a, b } = openInlinePair();
  const towardRemote = holding(a);
  const towardOwner = holding(b);
  const owner = runtimeAt(node(0));
  const remote = runtimeAt(node(1), { parent: { node: node(0), endpoint: towardOwner.endpoint }, clock: remoteClock });
  owner.attach(node(1), towardRemote.endpoint);
  return { owner, remote, cut: () => a.close(), hold: () => towardRemote.hold(), holdUp: () => towardOwner.hold() };
}

/** Lets queued microtasks run (inline endpoints deliver on microtasks) without a turn of the event loop. */
async function microtasks(): Promise<void> {
  for (let i = 0; i < 50; i++) await Promise.resolve();
}

/** Lets `n` turns of the event loop pass (messages sent late in a busy turn go at its end). */
async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** The channel as a handle on the participant node, as if it had arrived in a message. */
function handOver<T>(channel: Channel<T>, owner: Runtime, remote: Runtime): ChannelSender<T> {
  return remote.makeChannel(owner.channelWire(channel as never)) as ChannelSender<T>;
}

async function drain<T>(channel: Channel<T>): Promise<T[]> {
  const got: T[] = [];
  for await (const item of channel) got.push(item);
  return got;
}

describe('the channel protocol between two nodes', () => {
  it('revokes credit a producer still holds when the owner closes, then ends for receivers', async () => {
    const { owner, remote } = twoNodes();
    const channel = createChannel<number>({ capacity: 100 });
    const producer = handOver(channel, owner, remote);
    await producer.send(1); // accepted with credit for more
    await producer.send(2); // within credit: a push
    channel.close(); // the producer still holds credit: its idle check runs only on the next turn
    await microtasks(); // the revoke reaches the producer; no turn of the event loop has passed
    expect(await codeOf(producer.send(3))).toBe('CHANNEL_CLOSED');
    expect(await drain(channel)).toEqual([1, 2]);
  });

  it('releases the credit of a node that died, so close still ends the channel', async () => {
    const { owner, remote, cut } = twoNodes();
    const channel = createChannel<number>({ capacity: 100 });
    const producer = handOver(channel, owner, remote);
    await producer.send(1);
    cut(); // the producer's node goes silent: it will never give its credit back
    owner.nodeDown(node(1), new Error('gone'));
    channel.close();
    expect(await drain(channel)).toEqual([1]);
  });

  it("gives a dead producer's parked send no credit when room frees, so the room stays the living's", async () => {
    const { owner, remote } = twoNodes(manualClock()); // node 1: a consumer that stays (and, time standing still there, takes all it may)
    const { a, b } = openInlinePair(); // node 2: a producer that dies
    const producerNode = runtimeAt(node(2), { parent: { node: node(0), endpoint: b } });
    owner.attach(node(2), a);
    const channel = createChannel<number>({ capacity: 4 });
    for (let i = 0; i < 4; i++) await channel.trySend(i);
    const consumer = remote.makeChannel(owner.channelWire(channel as never)) as Channel<number>;
    const log = handOver(createChannel<string>(), owner, remote);
    expect(await consumer.receive()).toBe(0); // the first fetch takes one
    // Its report goes with what the node sends the owner next, and frees the slot (no turn
    // passes: the consumer's node keeps its measured appetite).
    await log.send('took 0');
    await channel.trySend(4); // full again
    const parked = handOver(channel, owner, producerNode).send(9); // parks at the owner
    parked.catch(() => undefined);
    await microtasks();
    a.close(); // the producer's node dies with its send parked
    owner.nodeDown(node(2), new Error('gone'));
    // Two receives in one burst take a batch of two, reported at once: two slots free together,
    // one for the parked 9 and one more.
    expect(await Promise.all([consumer.receive(), consumer.receive()])).toEqual([1, 2]);
    await turns(2);
    // However the room freed, none of it is held for the dead producer: the channel fills to its capacity.
    for (let n = 10; (await codeOf(channel.trySend(n))) === undefined; n++);
    expect(channel.size).toBe(4);
    channel.close();
    expect(await drain(channel)).toEqual([3, 4, 9, 10]); // and the parked item went in, in order
  });

  it('keeps room taken by credit from other senders until it is used or given back', async () => {
    const { owner, remote } = twoNodes();
    const channel = createChannel<number>({ capacity: 4 });
    const producer = handOver(channel, owner, remote);
    await producer.send(1); // 1 item in, credit for the other 3 slots
    expect(await codeOf(channel.trySend(99))).toBe('CHANNEL_FULL');
    await producer.send(2);
    // Once the producer is idle it gives back what it did not use, and the room is free again
    // (bounded wait, no fixed sleep: a loaded machine may take longer).
    let sent = false;
    for (let i = 0; i < 500 && !sent; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      sent = (await codeOf(channel.trySend(3))) === undefined;
    }
    expect(sent).toBe(true);
    expect(await drain((channel.close(), channel))).toEqual([1, 2, 3]);
  });

  it('forgets a channel once it is closed and drained; later requests from elsewhere get CHANNEL_CLOSED', async () => {
    const { owner, remote } = twoNodes();
    const kept = createChannel<number>();
    handOver(kept, owner, remote); // open: kept, however long it lives
    const channel = createChannel<number>({ capacity: 10 });
    const producer = handOver(channel, owner, remote);
    await producer.send(1);
    await producer.send(2);
    expect(owner.channels.kept).toBe(2);
    channel.close();
    await microtasks();
    expect(owner.channels.kept).toBe(2); // closed, but two items are still in it
    expect(await drain(channel)).toEqual([1, 2]);
    expect(owner.channels.kept).toBe(1);
    expect(await codeOf(producer.send(3))).toBe('CHANNEL_CLOSED');
    const receiver = remote.makeChannel(owner.channelWire(channel as never)) as Channel<number>;
    expect(await codeOf(receiver.receive())).toBe('CHANNEL_CLOSED');
  });

  it('checks the wait options of a handle on another node at the call, with INVALID_ARGUMENT', async () => {
    const clock = manualClock();
    const { owner, remote } = twoNodes(clock);
    const channel = createChannel<number>({ capacity: 1 });
    const handle = remote.makeChannel(owner.channelWire(channel as never)) as Channel<number>;
    await handle.send(1); // full now; the reply carried no credit
    for (const options of [{ timeout: -1 }, { timeout: Number.NaN }, { timeout: 0 }, { signal: {} }]) {
      expect(await failureOf(handle.send(2, options as never))).toMatchObject({ code: 'INVALID_ARGUMENT' });
      expect(await failureOf(handle.receive(options as never))).toMatchObject({ code: 'INVALID_ARGUMENT' });
      expect(() => handle.iterate(options as never)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
    expect((await failureOf(handle.receive({ timeout: -1 }))).message).toBe('options.timeout must be a positive number of milliseconds');
    expect(channel.size).toBe(1);
    expect(await channel.receive()).toBe(1);
    await channel.send(3);
    expect(await handle.receive({ timeout: Infinity })).toBe(3); // no limit
  });

  it('times the waits of a handle on another node out with CHANNEL_TIMEOUT, and loses nothing', async () => {
    const clock = manualClock();
    const { owner, remote } = twoNodes(clock);
    const channel = createChannel<number>({ capacity: 1 });
    const handle = remote.makeChannel(owner.channelWire(channel as never)) as Channel<number>;
    await handle.send(1); // full now; the reply carried no credit
    const sending = failureOf(handle.send(2, { timeout: 30 }));
    await microtasks(); // the send is parked at the owner
    clock.advance(30);
    expect(await sending).toMatchObject({ code: 'CHANNEL_TIMEOUT', message: 'channel send timed out after 30 ms' });
    await turns(2); // the owner learns that the send gave up
    expect(await channel.receive()).toBe(1);
    expect(channel.size).toBe(0); // the send that gave up did not go in
    const receiving = failureOf(handle.receive({ timeout: 30 }));
    await microtasks();
    clock.advance(30);
    expect(await receiving).toMatchObject({ code: 'CHANNEL_TIMEOUT', message: 'channel receive timed out after 30 ms' });
    await channel.send(3);
    expect(await handle.receive()).toBe(3);
  });

  it('lends a fast consumer node at most half of a bounded channel, so other consumers still find items', async () => {
    // On the consumer's node time stands still: it looks infinitely fast, and asks for all it may take.
    const { owner, remote } = twoNodes(manualClock());
    const channel = createChannel<number>({ capacity: 8 });
    for (let i = 1; i <= 8; i++) await channel.send(i);
    const consumer = remote.makeChannel(owner.channelWire(channel as never)) as Channel<number>;
    expect(await consumer.receive()).toBe(1); // the first fetch takes one: no rate measured yet
    expect(await consumer.receive()).toBe(2); // this fetch asks for its fill
    // Half of the channel went in that batch (2 to 5); the rest is still here for others.
    expect(await channel.tryReceive()).toBe(6);
    const rest = [await consumer.receive(), await consumer.receive(), await consumer.receive()];
    expect(rest).toEqual([3, 4, 5]);
    expect(await channel.tryReceive()).toBe(7);
  });

  it('gives back a batch fetched ahead that lands after its consumer stopped receiving', async () => {
    const clock = manualClock();
    const { owner, remote, hold } = twoNodes(clock);
    const channel = createChannel<number>({ capacity: 64 });
    for (let i = 1; i <= 40; i++) await channel.send(i);
    const consumer = remote.makeChannel(owner.channelWire(channel as never)) as Channel<number>;
    expect(await consumer.receive()).toBe(1); // the first fetch takes one
    expect(await consumer.receive()).toBe(2); // the next takes half of the channel: 2 to 33
    const release = hold(); // from now on the owner's answers are slow to arrive
    // The rest of that batch, taken at once; on the way, a fetch ahead leaves for 34 to 40.
    const rest = Array.from({ length: 31 }, () => consumer.receive());
    expect(await Promise.all(rest)).toEqual(Array.from({ length: 31 }, (_, i) => i + 3));
    await turns(3); // the consumer reports what it received; nothing is left on its node
    clock.advance(100); // the batch's idle check finds nothing here, and stops watching
    release(); // the fetch ahead lands: 34 to 40, and nobody here receives any more
    await turns(3);
    expect(await codeOf(channel.tryReceive())).toBe('CHANNEL_EMPTY'); // all 40 are out, lent or received
    clock.advance(100); // idle for 100 ms: what landed goes back to the head of the channel, in order
    await turns(3);
    const back: number[] = [];
    for (let i = 0; i < 7; i++) back.push(await channel.tryReceive());
    expect(back).toEqual([34, 35, 36, 37, 38, 39, 40]);
  });
});

describe("a consumer node's report of what it received", () => {
  it('counts until it is copied to go out, and is sealed then', () => {
    let sealed = 0;
    const report = new ReceivedReport(() => (sealed += 1));
    report.add();
    const { port1, port2 } = new MessageChannel();
    port1.postMessage({ item: report }); // copied as it goes: sealed (the receiving side starts another for later items)
    expect(sealed).toBe(1);
    expect((receiveMessageOnPort(port2)?.message as { item: { n: number } }).item).toEqual({ n: 2 });
    report.seal();
    expect([report.n, sealed]).toEqual([2, 1]); // sealed once
    port1.close();
    expect({ ...new ReceivedReport(() => undefined) }).toEqual({ n: 1 }); // what a spread or a codec's walk reads
  });
});

describe('a consumer node that dies', () => {
  /** A channel of `count` numbers from 1, owned by `owner`, and its handle on `remote`. */
  async function filled(owner: Runtime, remote: Runtime, count: number, capacity?: number): Promise<{ channel: Channel<number>; consumer: Channel<number> }> {
    const channel = createChannel<number>(capacity === undefined ? {} : { capacity });
    for (let i = 1; i <= count; i++) await channel.send(i);
    return { channel, consumer: remote.makeChannel(owner.channelWire(channel as never)) as Channel<number> };
  }

  it('puts what it had fetched and not handed out back at the head of the channel, in order', async () => {
    const { owner, remote, cut } = twoNodes(manualClock()); // time stands still there: it takes all it may
    const { channel, consumer } = await filled(owner, remote, 10);
    expect(await consumer.receive()).toBe(1); // the first fetch takes one
    expect(await consumer.receive()).toBe(2); // the next takes the rest: 2 to 10
    expect(await consumer.receive()).toBe(3);
    await turns(2); // its report of 1 to 3 reaches the owner
    await channel.send(11); // sent after the batch went out
    expect(channel.size).toBe(1);
    cut();
    owner.nodeDown(node(1), new Error('gone'));
    expect(channel.size).toBe(8);
    channel.close();
    expect(await drain(channel)).toEqual([4, 5, 6, 7, 8, 9, 10, 11]); // 1 to 3 were handed out there: never again
  });

  it('gives back what it took in a turn that never ended, since nothing it sent in that turn got out either', async () => {
    const { owner, remote, cut } = twoNodes(manualClock());
    const { channel, consumer } = await filled(owner, remote, 10);
    const log = createChannel<string>();
    const logThere = handOver(log, owner, remote);
    expect([await consumer.receive(), await consumer.receive()]).toEqual([1, 2]); // 3 to 10 wait there
    await turns(2);
    // One turn on the consumer's node: two receives take 3 and 4, its handler says so, and
    // the node is killed before anything it sent in that turn leaves.
    void consumer.receive();
    void consumer.receive();
    logThere.send('took 3 and 4').catch(() => undefined);
    cut();
    owner.nodeDown(node(1), new Error('gone'));
    channel.close();
    expect(await drain(channel)).toEqual([3, 4, 5, 6, 7, 8, 9, 10]);
    expect(log.size).toBe(0);
  });

  it('never gives back an item once a message its node sent after taking it has arrived', async () => {
    const { owner, remote, cut } = twoNodes(manualClock());
    const { channel, consumer } = await filled(owner, remote, 10);
    const log = createChannel<string>();
    const logThere = handOver(log, owner, remote);
    expect([await consumer.receive(), await consumer.receive()]).toEqual([1, 2]);
    await turns(2);
    void consumer.receive();
    void consumer.receive();
    void logThere.send('took 3 and 4');
    await microtasks(); // what it sent arrives: the report of 3 and 4 went ahead of it
    expect(await log.tryReceive()).toBe('took 3 and 4');
    cut();
    owner.nodeDown(node(1), new Error('gone'));
    channel.close();
    expect(await drain(channel)).toEqual([5, 6, 7, 8, 9, 10]);
  });

  it('gives back the items on their way to it, for a receive and a tryReceive', async () => {
    const { owner, remote, cut, hold } = twoNodes();
    const { channel, consumer } = await filled(owner, remote, 3);
    hold(); // the owner's answers never arrive
    consumer.receive().catch(() => undefined); // the owner lends it 1
    consumer.tryReceive().catch(() => undefined); // and 2
    await microtasks();
    expect(channel.size).toBe(1);
    cut();
    owner.nodeDown(node(1), new Error('gone'));
    channel.close();
    expect(await drain(channel)).toEqual([1, 2, 3]);
  });

  it('gives back everything lent to it as its node ends, a batch still on its way too, in order', async () => {
    const { owner, remote, hold } = twoNodes(manualClock());
    const { channel, consumer } = await filled(owner, remote, 40, 64);
    expect(await consumer.receive()).toBe(1);
    expect(await consumer.receive()).toBe(2); // the next batch takes half of the channel: 2 to 33
    hold(); // the owner's answers are slow to arrive from now on
    // 3 to 26 are handed out; on the way, with 7 left there, a fetch ahead leaves for 34 to 40.
    expect(await Promise.all(Array.from({ length: 24 }, () => consumer.receive()))).toEqual(Array.from({ length: 24 }, (_, i) => i + 3));
    remote.flushAll(); // its node ends (it was stopped, or called process.exit())
    await turns(2);
    expect(channel.size).toBe(14);
    channel.close();
    expect(await drain(channel)).toEqual(Array.from({ length: 14 }, (_, i) => i + 27));
  });

  it('frees the room of what it gave back once: a report that arrives after its death changes nothing', async () => {
    const { owner, remote, holdUp } = twoNodes(manualClock());
    const { channel, consumer } = await filled(owner, remote, 4, 4);
    expect(await consumer.receive()).toBe(1);
    expect(await consumer.receive()).toBe(2); // the report of 1 goes ahead of this fetch, which takes two (half of the channel): 2 and 3
    await channel.trySend(5); // full again
    await turns(2); // 2 reported, at the end of the turn
    const late = holdUp(); // from now on what its node sends is late
    expect(await consumer.receive()).toBe(3); // handed out there; its report is held
    owner.nodeDown(node(1), new Error('gone')); // 3 comes back: 3, 4, 5
    late(); // the report of 3 arrives after the death
    await turns(2);
    await channel.trySend(6);
    expect(await codeOf(channel.trySend(7))).toBe('CHANNEL_FULL');
    channel.close();
    expect(await drain(channel)).toEqual([3, 4, 5, 6]);
  });
});

describe('a producer node that dies right after sending', () => {
  it('has what it sent on its direct port read before its death is dealt with, so the channel stays within its capacity', async () => {
    // Owner on node 2; the producer (node 1) reaches it over a real port pair, the root (node 0) over an inline pair,
    // which delivers sooner: the word of the producer's death overtakes its last frames.
    const { a: toOwnerPort, b: fromProducerPort } = openPortPair();
    const { a: rootSide, b: ownerSide } = openInlinePair();
    const root = runtimeAt(node(0));
    const owner = runtimeAt(node(2), { parent: { node: node(0), endpoint: ownerSide } });
    const producerNode = runtimeAt(node(1));
    root.attach(node(2), rootSide);
    producerNode.attach(node(2), portEndpoint(toOwnerPort));
    owner.attach(node(1), portEndpoint(fromProducerPort));
    const channel = createChannel<number>({ capacity: 4 });
    const producer = producerNode.makeChannel(owner.channelWire(channel as never)) as ChannelSender<number>;
    await producer.send(1); // accepted, with credit for three more
    for (const n of [2, 3, 4]) void producer.send(n);
    producerNode.flushAll(); // its last frames leave as it ends
    root.route({ kind: 'down', dst: node(2), node: node(1), error: serializeError(new Error('thread 1 exited')), reason: { kind: 'exit', code: 0, signal: undefined, error: serializeError(new Error('thread 1 exited')) }, actors: [], moved: [] });
    await microtasks(); // the owner has the news of the death, not yet (by itself) the frames
    expect(await codeOf(channel.trySend(5))).toBe('CHANNEL_FULL');
    await turns(3);
    expect(channel.size).toBe(4);
    channel.close();
    expect(await drain(channel)).toEqual([1, 2, 3, 4]);
    toOwnerPort.close();
  });
});
