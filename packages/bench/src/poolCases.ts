import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { createPool, type Pool } from '@multitask/core';
import { benchTasks } from './poolTasks.js';
import { rate, type BenchCase } from './harness.js';
import { pythonBaseline } from './python.js';

/** A pool of 2 threads and a piscina of 2 threads, both started; `close` ends both. */
async function poolAndPiscina(): Promise<{ pool: Pool<typeof benchTasks>; piscina: Piscina; close(): Promise<void> }> {
  const pool = createPool({ tasks: benchTasks, size: 2 });
  await pool.ready;
  const piscina = new Piscina({ filename: fileURLToPath(new URL('./piscinaWorker.js', import.meta.url)), minThreads: 2, maxThreads: 2 });
  return { pool, piscina, close: async () => (await pool.terminate(), await piscina.destroy()) };
}

/** pool.apply: many tiny tasks submitted at once, one call each, size 2; against piscina.run, size 2. */
const applyCase: BenchCase = {
  metrics: [{ id: 'pool.apply', unit: 'task/s', better: 'higher', baseline: { id: 'piscina.run', unit: 'task/s' } }],
  async setup({ quick }) {
    const count = quick ? 20_000 : 100_000;
    const { pool, piscina, close } = await poolAndPiscina();
    const burst = async (run: (i: number) => Promise<number>): Promise<number> => {
      const t0 = performance.now();
      const all: Array<Promise<number>> = new Array(count);
      for (let i = 0; i < count; i++) all[i] = run(i);
      await Promise.all(all);
      return rate(count, performance.now() - t0);
    };
    return {
      subject: async () => [await burst((i) => pool.apply('square', i))],
      baseline: async () => [await burst((i) => piscina.run(i) as Promise<number>)],
      close,
    };
  },
};

/** pool.map: one map over 100k tiny items (chunked like Python), size 2; against piscina.run per item. */
const mapCase: BenchCase = {
  metrics: [{ id: 'pool.map', unit: 'item/s', better: 'higher', baseline: { id: 'piscina.run', unit: 'item/s' } }],
  async setup({ quick }) {
    const count = quick ? 20_000 : 100_000;
    const items = Array.from({ length: count }, (_, i) => i);
    const { pool, piscina, close } = await poolAndPiscina();
    return {
      async subject() {
        const t0 = performance.now();
        const out = await pool.map('square', items);
        if (out.length !== count) throw new Error('pool.map lost items');
        return [rate(count, performance.now() - t0)];
      },
      async baseline() {
        const t0 = performance.now();
        await Promise.all(items.map((i) => piscina.run(i) as Promise<number>));
        return [rate(count, performance.now() - t0)];
      },
      close,
    };
  },
};

/** pool.map.python: the same map, on processes, against Python's Pool(2).map with its default chunksize. */
const pythonCase: BenchCase = {
  metrics: [{ id: 'pool.map.python', unit: 'item/s', better: 'higher', baseline: { id: 'python.pool.map', unit: 'item/s' } }],
  async setup({ quick }) {
    const count = quick ? 100_000 : 1_000_000;
    const items = Array.from({ length: count }, (_, i) => i);
    const pool = createPool({ tasks: benchTasks, size: 2, placement: 'process' });
    await pool.ready;
    return {
      async subject() {
        const t0 = performance.now();
        await pool.map('square', items);
        return [rate(count, performance.now() - t0)];
      },
      baseline: pythonBaseline('pool.map.python', 'python.pool.map', 'pool_map.py', count),
      close: () => pool.terminate(),
    };
  },
};

/** The pool cases. */
export const poolCases: readonly BenchCase[] = [applyCase, mapCase, pythonCase];
