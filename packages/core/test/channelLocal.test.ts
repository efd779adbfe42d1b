import { describe, expect, it } from 'vitest';
import { createChannel } from '../src/index.js';
import { ChannelCore, type CreditRequest, type Waiter } from '../src/channel/ChannelCore.js';
import { codeOf, failureOf, manualClock } from './helpers.js';

describe('a channel in one thread', () => {
  it('holds at most capacity items: trySend rejects CHANNEL_FULL, tryReceive CHANNEL_EMPTY', async () => {
    const channel = createChannel<number>({ capacity: 2 });
    expect(channel.isEmpty()).toBe(true);
    expect((await failureOf(channel.tryReceive())).code).toBe('CHANNEL_EMPTY');
    await channel.trySend(1);
    await channel.send(2);
    expect([channel.size, channel.isFull()]).toEqual([2, true]);
    const full = await failureOf(channel.trySend(3));
    expect([full.name, full.code]).toEqual(['ChannelFullError', 'CHANNEL_FULL']);
    await expect(channel.tryReceive()).resolves.toBe(1);
    await expect(channel.receive()).resolves.toBe(2);
  });

  it('makes send wait while full and receive wait while empty', async () => {
    const channel = createChannel<number>({ capacity: 1 });
    await channel.send(1);
    let sent = false;
    const second = channel.send(2).then(() => (sent = true));
    await Promise.resolve();
    expect(sent).toBe(false);
    expect(await channel.receive()).toBe(1);
    await second;
    expect(await channel.receive()).toBe(2);
    const waiting = channel.receive();
    await channel.send(3);
    expect(await waiting).toBe(3);
  });

  it('lets receivers drain what was sent before close, then ends; send after close rejects CHANNEL_CLOSED', async () => {
    const channel = createChannel<number>();
    for (const n of [11, 22, 33, 44]) await channel.send(n);
    channel.close();
    expect(channel.closed).toBe(true);
    expect(await codeOf(channel.send(55))).toBe('CHANNEL_CLOSED');
    const got: number[] = [];
    for await (const n of channel) got.push(n);
    expect(got).toEqual([11, 22, 33, 44]);
    expect(await codeOf(channel.receive())).toBe('CHANNEL_CLOSED');
  });

  it('rejects a waiting receive with CHANNEL_TIMEOUT or ABORTED, and the item sent later is not lost', async () => {
    const channel = createChannel<number>();
    expect(await codeOf(channel.receive({ timeout: 10 }))).toBe('CHANNEL_TIMEOUT');
    const controller = new AbortController();
    const aborted = codeOf(channel.receive({ signal: controller.signal }));
    controller.abort();
    expect(await aborted).toBe('ABORTED');
    await channel.send(7);
    expect(await channel.receive()).toBe(7);
  });

  it('times a waiting send and receive out with CHANNEL_TIMEOUT, saying which wait it was', async () => {
    const clock = manualClock();
    const channel = createChannel<number>({ capacity: 1, clock });
    const receiving = channel.receive({ timeout: 50 });
    clock.advance(49);
    await channel.send(1);
    expect(await receiving).toBe(1); // in time
    await channel.send(2); // full now
    const sending = failureOf(channel.send(3, { timeout: 50 }));
    clock.advance(50);
    expect(await sending).toMatchObject({ code: 'CHANNEL_TIMEOUT', message: 'channel send timed out after 50 ms' });
    const waiting = failureOf(createChannel<number>({ clock }).receive({ timeout: 20 }));
    clock.advance(20);
    expect(await waiting).toMatchObject({ code: 'CHANNEL_TIMEOUT', message: 'channel receive timed out after 20 ms' });
  });

  it('refuses bad wait options at the call with INVALID_ARGUMENT naming the option, and takes nothing', async () => {
    const channel = createChannel<number>({ capacity: 1 });
    await channel.send(1); // full: a send would wait, and a receive takes at once
    const bad: Array<[unknown, string]> = [
      [{ timeout: -1 }, 'options.timeout must be a positive number of milliseconds'],
      [{ timeout: Number.NaN }, 'options.timeout must be a positive number of milliseconds'],
      [{ timeout: 0 }, 'options.timeout must be a positive number of milliseconds'],
      [{ timeout: '5' }, 'options.timeout must be a positive number of milliseconds'],
      [{ signal: 'stop' }, 'options.signal must be an AbortSignal'],
      [null, 'options must be an object'],
    ];
    for (const [options, message] of bad) {
      for (const [what, call] of [
        ['receive', () => channel.receive(options as never)],
        ['send', () => channel.send(2, options as never)],
      ] as const) {
        const error = await failureOf(call());
        expect({ what, code: error.code, message: error.message }).toEqual({ what, code: 'INVALID_ARGUMENT', message });
      }
      expect(() => channel.iterate(options as never)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message }));
    }
    expect(channel.size).toBe(1);
    expect(await channel.receive({ timeout: Infinity })).toBe(1); // no limit
  });

  it('admits a parked sender when room promised to a remote producer goes straight to a receiver', () => {
    const core = new ChannelCore(1);
    const events: string[] = [];
    const waiter = (name: string): Waiter => ({ node: undefined, resolve: (value) => events.push(`${name}:${String(value)}`), reject: (error) => events.push(`${name}!${error.message}`) });
    expect(core.grant()).toBe(1); // the one slot is promised to a producer elsewhere
    core.send('local', waiter('send')); // no room left that is not promised: parks
    core.receive(waiter('receive'));
    core.push(['remote']); // the promised item arrives and goes to the waiting receiver
    expect(events).toEqual(['receive:remote', 'send:undefined']);
    expect(core.size).toBe(1);
    expect(core.tryReceive()).toBe('local');
  });

  it('answers a waiting credit request with a useful amount of room, or any room once its producer ran out', () => {
    const core = new ChannelCore(8); // useful: a quarter of the capacity, 2 slots
    for (let n = 0; n < 8; n++) core.trySend(n);
    const grants: string[] = [];
    const wanting = (name: string, node: string): CreditRequest => ({ node, hurried: false, resolve: (granted) => grants.push(`${name}:${granted}`) });
    core.want(wanting('a', 'n5')); // full: it waits
    core.tryReceive(); // one slot frees: not worth a message yet
    expect(grants).toEqual([]);
    core.hurry('n5'); // producer 5 ran out: one slot will do
    expect(grants).toEqual(['a:1']);
    core.want(wanting('b', 'n5'));
    core.tryReceive();
    core.tryReceive(); // two slots: a useful amount
    expect(grants).toEqual(['a:1', 'b:2']);
    core.want(wanting('c', 'n6'));
    core.close(); // no more credit after close
    expect(grants).toEqual(['a:1', 'b:2', 'c:0']);
  });

  it('puts items given back at the head in their order, waiting receives first, and ends only once no items are lent', () => {
    const core = new ChannelCore(8);
    const events: string[] = [];
    const waiter = (name: string): Waiter => ({ node: undefined, resolve: (value) => events.push(`${name}:${String(value)}`), reject: (error) => events.push(`${name}!${error.message}`) });
    core.trySend('later');
    const lent = core.tryReceive(); // stands for a batch lent to another node
    core.lend(3);
    core.trySend('newer');
    core.close();
    expect([lent, core.tryReceive()]).toEqual(['later', 'newer']);
    core.receive(waiter('first'));
    core.receive(waiter('second'));
    expect(events).toEqual([]); // not ended: three items are out on loan
    core.requeue(['a', 'b', 'c']); // the node that had them stopped receiving
    core.repay(3);
    expect(events).toEqual(['first:a', 'second:b']);
    expect(core.tryReceive()).toBe('c');
    core.receive(waiter('third'));
    expect(events).toEqual(['first:a', 'second:b', 'third!the channel is closed: closed and drained']);
  });

  it('refuses a bad capacity with INVALID_ARGUMENT', () => {
    expect(() => createChannel({ capacity: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
