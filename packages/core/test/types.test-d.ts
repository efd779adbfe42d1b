import { describe, expectTypeOf, it } from 'vitest';
import { createChannel, createPool, createSystem, type ActorRef, type Channel, type ChannelReceiver, type DurableChannel, type MessageType, type NodeMetrics, type ReplyOf } from '../src/index.js';
import { tasks } from './fixtures/tasks.js';
import { Producer } from './fixtures/pipeline.js';
import { Counter } from './fixtures/counter.js';
import { Probe } from './fixtures/probe.js';
import { Faulty } from './fixtures/faulty.js';

// Type tests: vitest runs the compiler on this file (`typecheck` in vitest.config.ts) and
// reports any type error in a test as that test's failure: a wrong expectTypeOf, a call that
// compiles where it must not (an unused @ts-expect-error), or one that does not compile.
// The bodies never run.
describe('typed refs', () => {
  it('derive message types, payloads and replies from the definition', async () => {
    const system = createSystem();
    const counter = await system.spawn(Counter, { placement: 'thread', args: 1 });
    expectTypeOf(counter).toEqualTypeOf<ActorRef<typeof Counter>>();
    expectTypeOf<MessageType<typeof Counter>>().toEqualTypeOf<'add' | 'get' | 'slowAdd' | 'record' | 'seen' | 'block' | 'where'>();
    expectTypeOf(counter.ask('get')).resolves.toEqualTypeOf<number>();
    expectTypeOf(counter.ask('slowAdd', 2)).resolves.toEqualTypeOf<number>();
    expectTypeOf(counter.ask('seen')).resolves.toEqualTypeOf<number[]>();
    expectTypeOf<ReplyOf<typeof Counter, 'add'>>().toEqualTypeOf<void>();
    counter.tell('add', 1);
    await counter.send('record', 3, { signal: AbortSignal.timeout(10) });
    await counter.ask('get', undefined, { timeout: 100 });

    // @ts-expect-error -- no handler 'reset'
    counter.tell('reset');
    // @ts-expect-error -- 'add' takes a number
    counter.tell('add', 'one');
    // @ts-expect-error -- 'add' needs its payload
    counter.tell('add');
    // @ts-expect-error -- 'get' takes no payload
    void counter.ask('get', 5);
    // @ts-expect-error -- options go third (JavaScript lets this through: the actor refuses it with INVALID_ARGUMENT)
    void counter.ask('get', { timeout: 5 });
    // @ts-expect-error -- the same for send
    void counter.send('get', { signal: AbortSignal.timeout(10) });
    // @ts-expect-error -- init needs a number: args are required
    void system.spawn(Counter, { placement: 'thread' });
    // @ts-expect-error -- init takes a number, not a string
    void system.spawn(Counter, { args: 'zero' });
    // @ts-expect-error -- not a placement
    void system.spawn(Counter, { args: 0, placement: 'gpu' });

    // A handler whose payload parameter is optional may be sent without one.
    const faulty = await system.spawn(Faulty);
    await faulty.ask('kill');
    await faulty.ask('kill', 'SIGTERM', { timeout: 10 });
    faulty.tell('kill');
    // @ts-expect-error -- not a signal
    faulty.tell('kill', 'SIGNOPE');

    // Channels are typed on both ends, and an end allows only its own operations.
    const channel = createChannel<{ n: number }>({ capacity: 2 });
    await channel.send({ n: 1 });
    expectTypeOf(channel.receive()).resolves.toEqualTypeOf<{ n: number }>();
    // @ts-expect-error -- items are { n: number }
    void channel.send('one');
    // @ts-expect-error -- a sending end cannot receive
    void channel.sender.receive();
    // @ts-expect-error -- a receiving end cannot send
    void channel.receiver.send({ n: 2 });
    // A sender of { n } may take Tagged items (they have an n): that is safe, so it compiles.
    void system.spawn(Producer, { args: { out: channel.sender, producer: 'p' } });
    const words = createChannel<string>();
    // @ts-expect-error -- Producer sends Tagged items, which a channel of strings cannot take
    void system.spawn(Producer, { args: { out: words.sender, producer: 'p' } });
    // @ts-expect-error -- a receiver of strings is no receiver of { n: number }
    const wrong: ChannelReceiver<{ n: number }> = words.receiver;
    void wrong;

    // Probe's init accepts undefined: args may be left out.
    const probe = await system.spawn(Probe);
    expectTypeOf(probe.ask('addVia', { target: counter, by: 1 })).resolves.toEqualTypeOf<number>();
    // @ts-expect-error -- the target must be a Counter ref
    void probe.ask('addVia', { target: probe, by: 1 });
  });
});

describe('clusters', () => {
  it('type a durable channel as one with ack, a plain one without, and pools across nodes as any pool', async () => {
    const system = createSystem({ serve: [Counter, tasks] });
    const durable = createChannel<number>({ durable: 'jobs', system, capacity: 10 });
    expectTypeOf(durable).toEqualTypeOf<DurableChannel<number>>();
    expectTypeOf(durable.ack()).resolves.toEqualTypeOf<void>();
    const plain = createChannel<number>({ capacity: 10 });
    expectTypeOf(plain).toEqualTypeOf<Channel<number>>();
    // @ts-expect-error -- a plain channel has nothing to acknowledge
    void plain.ack();
    // @ts-expect-error -- a durable channel needs its system
    void createChannel<number>({ durable: 'jobs' });
    const pool = createPool({ tasks, system, nodes: { a: 1, b: 2 } });
    expectTypeOf(pool.apply('square', 2)).resolves.toEqualTypeOf<number>();
    expectTypeOf(pool.metrics().nodes).toEqualTypeOf<readonly NodeMetrics[]>();
    // @ts-expect-error -- nodes are named by strings
    void createPool({ tasks, system, nodes: [1, 2] });
  });
});
