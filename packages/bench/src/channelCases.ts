import { createChannel, createSystem } from '@multitask/core';
import { ChanConsumer, ChanProducer } from './actors.js';
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

/**
 * A producer and a consumer actor on `placement`, streaming `count` items through a fresh
 * channel per run: unbounded for the contract results, as their baselines are (raw
 * `postMessage` and `process.send` have no flow control, and Python's `Queue()` has no
 * `maxsize`), or with a `capacity` for the bounded variants, which report what the limit costs.
 */
function channelCase(id: string, placement: 'thread' | 'process', capacity: number | undefined, baselineId: string, makeRaw: () => Raw): BenchCase {
  return {
    metrics: [{ id, unit: 'item/s', better: 'higher', baseline: { id: baselineId, unit: 'msg/s' } }],
    async setup({ quick }) {
      const count = itemsPerRun(quick);
      const system = createSystem();
      const producer = await system.spawn(ChanProducer, { placement });
      const consumer = await system.spawn(ChanConsumer, { placement });
      const raw = makeRaw();
      return {
        async subject() {
          const channel = createChannel<{ i: number; tag: string }>(capacity === undefined ? {} : { capacity });
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
    const inner = await channelCase('channel.python', 'process', undefined, 'raw.processSend.oneway', rawProcess).setup(options);
    const count = itemsPerRun(options.quick);
    return {
      subject: inner.subject,
      baseline: pythonBaseline('channel.python', 'python.mpQueue', 'mp_queue.py', count),
      close: inner.close,
    };
  },
};

/** The channel cases. */
export const channelCases: readonly BenchCase[] = [
  channelCase('channel.thread', 'thread', undefined, 'raw.postMessage.oneway', rawThread),
  channelCase('channel.process', 'process', undefined, 'raw.processSend.oneway', rawProcess),
  pythonCase,
  // Not contract results: the same traffic through a channel of capacity 1 024, where every
  // item's room must travel back from the consumer before a producer may reuse it.
  channelCase('channel.thread.bounded', 'thread', 1024, 'raw.postMessage.oneway', rawThread),
  channelCase('channel.process.bounded', 'process', 1024, 'raw.processSend.oneway', rawProcess),
];
