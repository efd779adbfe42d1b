import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createChannel, createSystem } from '@multitask/core';
import { ChanConsumer, ChanProducer } from './actors.js';
import { rate, type BenchCase } from './harness.js';
import { rawProcess, rawTellRun, rawThread, type Raw } from './cases.js';

/** A producer and a consumer actor on `placement`, streaming `count` items through a fresh channel per run. */
function channelCase(placement: 'thread' | 'process', baselineId: string, makeRaw: () => Raw): BenchCase {
  return {
    metrics: [{ id: `channel.${placement}`, unit: 'item/s', better: 'higher', baseline: { id: baselineId, unit: 'msg/s' } }],
    async setup({ quick }) {
      const count = quick ? 20_000 : 100_000;
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

function python(): string | undefined {
  const probe = spawnSync('python3', ['--version'], { encoding: 'utf8' });
  return probe.status === 0 ? 'python3' : undefined;
}

/** channel.python: the process channel against multiprocessing.Queue moving the same items. */
const pythonCase: BenchCase = {
  metrics: [{ id: 'channel.python', unit: 'item/s', better: 'higher', baseline: { id: 'python.mpQueue', unit: 'item/s' } }],
  async setup(options) {
    const inner = await channelCase('process', 'raw.processSend.oneway', rawProcess).setup(options);
    const interpreter = python();
    if (interpreter === undefined) console.error('channel.python: no python3 on PATH, the python.mpQueue baseline is left out');
    const script = fileURLToPath(new URL('../python/mp_queue.py', import.meta.url));
    const count = options.quick ? 20_000 : 100_000;
    return {
      subject: inner.subject,
      baseline:
        interpreter === undefined
          ? undefined
          : async () => {
              const run = spawnSync(interpreter, [script, String(count)], { encoding: 'utf8' });
              if (run.status !== 0) throw new Error(`python baseline failed: ${run.stderr}`);
              const { rates } = JSON.parse(run.stdout) as { rates: number[] };
              return [rates[0] as number];
            },
      close: inner.close,
    };
  },
};

/** The channel cases. */
export const channelCases: readonly BenchCase[] = [
  channelCase('thread', 'raw.postMessage.oneway', rawThread),
  channelCase('process', 'raw.processSend.oneway', rawProcess),
  pythonCase,
];
