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
 * channel of capacity 1 024 per run, created on the main thread (`owner: 'main'`) or by the
 * consumer actor, so that its node owns it.
 */
function channelCase(id: string, placement: 'thread' | 'process', owner: 'main' | 'consumer', baselineId: string, makeRaw: () => Raw): BenchCase {
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
          const shared = owner === 'main' ? createChannel<{ i: number; tag: string }>({ capacity: 1024 }) : undefined;
          const out = shared?.sender ?? (await consumer.ask('open', 1024));
          const t0 = performance.now();
          const drained = consumer.ask('drain', shared?.receiver ?? null, { timeout: 600_000 });
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
}

/** channel.python: the process channel against multiprocessing.Queue moving the same items. */
const pythonCase: BenchCase = {
  metrics: [{ id: 'channel.python', unit: 'item/s', better: 'higher', baseline: { id: 'python.mpQueue', unit: 'item/s' } }],
  async setup(options) {
    const inner = await channelCase('channel.python', 'process', 'main', 'raw.processSend.oneway', rawProcess).setup(options);
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
  channelCase('channel.thread', 'thread', 'main', 'raw.postMessage.oneway', rawThread),
  // Not a contract result: the channel owned by the consumer's node, so items go producer →
  // consumer over the threads' direct port; it measures what skipping the owner gains.
  channelCase('channel.thread.consumerOwned', 'thread', 'consumer', 'raw.postMessage.oneway', rawThread),
  channelCase('channel.process', 'process', 'main', 'raw.processSend.oneway', rawProcess),
  pythonCase,
];
