import { createPool, createSystem } from '@multitask/core';
import { benchTasks } from './poolTasks.js';
import { asyncTree, SkyNode } from './skynet.js';
import type { BenchCase } from './harness.js';

/** Leaves of the tree: the classic million (a hundred thousand in quick runs). */
const leaves = (quick: boolean): number => (quick ? 100_000 : 1_000_000);
const ASK = { timeout: 600_000 } as const;

/**
 * skynet.inline: the classic actor benchmark. A tree of actors, ten children each, down to
 * a million leaves (1 111 111 actors): each leaf answers its number, each parent sums its
 * children's answers, and every actor stops once it has answered. All inline, on the main
 * thread. The baseline is the same tree as plain async functions and `Promise.all`.
 */
const inlineCase: BenchCase = {
  metrics: [{ id: 'skynet.inline', unit: 's', better: 'lower', baseline: { id: 'raw.asyncTree', unit: 's' } }],
  async setup({ quick }) {
    const size = leaves(quick);
    const system = createSystem();
    const timed = async (work: () => Promise<number>): Promise<number[]> => {
      const t0 = performance.now();
      const sum = await work();
      if (sum !== (size * (size - 1)) / 2) throw new Error(`skynet summed ${sum}`);
      return [(performance.now() - t0) / 1000];
    };
    return {
      subject: () => timed(async () => (await system.spawn(SkyNode, { args: { num: 0, size, div: 10 } })).ask('run', undefined, ASK)),
      baseline: () => timed(() => asyncTree(0, size, 10)),
      close: () => system.shutdown(),
    };
  },
};

/**
 * skynet.threads: the same tree, its ten top subtrees spread over the two threads of a pool
 * (`pool.spawn`); the root sums them on the main thread. No goal yet: reported beside the
 * inline tree, against the same baseline.
 */
const threadsCase: BenchCase = {
  metrics: [{ id: 'skynet.threads', unit: 's', better: 'lower', baseline: { id: 'raw.asyncTree', unit: 's' } }],
  async setup({ quick }) {
    const size = leaves(quick);
    const pool = createPool({ tasks: benchTasks, size: 2 });
    await pool.ready;
    const timed = async (work: () => Promise<number>): Promise<number[]> => {
      const t0 = performance.now();
      const sum = await work();
      if (sum !== (size * (size - 1)) / 2) throw new Error(`skynet summed ${sum}`);
      return [(performance.now() - t0) / 1000];
    };
    const spread = async (): Promise<number> => {
      const step = size / 10;
      const tops = await Promise.all(Array.from({ length: 10 }, (_, i) => pool.spawn(SkyNode, { args: { num: i * step, size: step, div: 10 }, restart: 'temporary' })));
      const sums = await Promise.all(tops.map((top) => top.ask('run', undefined, ASK)));
      return sums.reduce((a, b) => a + b, 0);
    };
    return {
      subject: () => timed(spread),
      baseline: () => timed(() => asyncTree(0, size, 10)),
      close: () => pool.terminate(),
    };
  },
};

/** The skynet cases. */
export const skynetCases: readonly BenchCase[] = [inlineCase, threadsCase];
