import { createChannel, createSystem } from '@multitask/core';
import { ChanConsumer, ChanProducer, OwningConsumer } from './actors.js';
import { rate, type BenchCase } from './harness.js';
import { pythonBaseline } from './python.js';
import { rawProcess, rawTellRun, rawThread, type Raw } from './cases.js';

/**
 * Items per run. Full runs move 300 000: on two cores, the three threads of a channel case
 * (producer, owner, consumer) take about a million items to reach their steady speed (the
 * optimizing compiler competes for the same cores), so shorter runs mostly measure the
 * warm-up. The baseline moves the same number.
 */
const itemsPerRun = (quick: boolean): number => (quick ? 20_000 : 300_000);

/** A producer and a consumer actor on `placement`, streaming `count` items through a fresh channel per run. */
function channelCase(placement: 'thread' | 'process', baselineId: string, makeRaw: () => Raw): BenchCase {
  return {
    metrics: [{ id: `channel.${placement}`, unit: 'item/s', better: 'higher', baseline: { id: baselineId, unit: 'msg/s' } }],
    async setup({ quick }) {
      const count = itemsPerRun(quick);
      const system = createSystem();
      const producer = await system.spawn(ChanProducer, { placement });
      const consumer = await system.spawn(ChanConsumer, { placement });
      const raw = makeRaw();
      return {
        async subject() {
          const channel = createChannel<{ i: number; tag: string }>({ capacity: 1024 });
          const t0 = performance.now();
          const drained = consumer.ask('drain', channel.receiver, { timeout: 600_000 });
          await producer.ask('stream', { out: channel.sender, count }, { timeout: 600_000 });
          if ((await drained) !== count) throw new Error('channel lost items');
          return [rate(count, performance.now() - t0)];
        },
        baseline: async () => [await rawTellRun(raw, count)],
        async close() {
          await system.shutdown();
          await raw.close();
        },
      };
    },
  };
}

/** channel.python: the process channel against multiprocessing.Queue moving the same items. */
const pythonCase: BenchCase = {
  metrics: [{ id: 'channel.python', unit: 'item/s', better: 'higher', baseline: { id: 'python.mpQueue', unit: 'item/s' } }],
  async setup(options) {
    const inner = await channelCase('process', 'raw.processSend.oneway', rawProcess).setup(options);
    const count = itemsPerRun(options.quick);
    return {
      subject: inner.subject,
      baseline: pythonBaseline('channel.python', 'python.mpQueue', 'mp_queue.py', count),
      close: inner.close,
    };
  },
};

/**
 * Not a contract result: `channel.thread` with the channel created by the consumer actor
 * (its node owns it), so items go producer → consumer over the threads' direct port and
 * the main thread is not on the path. Shows what a data path that skips the owner gains.
 */
const consumerOwnedCase: BenchCase = {
  metrics: [{ id: 'channel.thread.consumerOwned', unit: 'item/s', better: 'higher', baseline: { id: 'raw.postMessage.oneway', unit: 'msg/s' } }],
  async setup({ quick }) {
    const count = itemsPerRun(quick);
    const system = createSystem();
    const producer = await system.spawn(ChanProducer, { placement: 'thread' });
    const consumer = await system.spawn(OwningConsumer, { placement: 'thread' });
    const raw = rawThread();
    return {
      async subject() {
        const out = await consumer.ask('open', 1024);
        const t0 = performance.now();
        const drained = consumer.ask('drain', undefined, { timeout: 600_000 });
        await producer.ask('stream', { out, count }, { timeout: 600_000 });
        if ((await drained) !== count) throw new Error('channel lost items');
        return [rate(count, performance.now() - t0)];
      },
      baseline: async () => [await rawTellRun(raw, count)],
      async close() {
        await system.shutdown();
        await raw.close();
      },
    };
  },
};

/** The channel cases. */
export const channelCases: readonly BenchCase[] = [
  channelCase('thread', 'raw.postMessage.oneway', rawThread),
  consumerOwnedCase,
  channelCase('process', 'raw.processSend.oneway', rawProcess),
  pythonCase,
];
