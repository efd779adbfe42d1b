import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BenchCase } from './harness.js';

/** The budget BENCH.md sets for an idle inline actor, in bytes. */
const BUDGET = 1024;
const ACTORS = 100_000;
const child = fileURLToPath(new URL('./memoryChild.js', import.meta.url));

/**
 * actors.memory: the heap 100 000 idle inline actors add, per actor, each having handled one
 * message, its ref kept (memoryChild.ts, a fresh process per run so that nothing else in
 * the heap moves). The baseline is not measured: it is the contract's budget of 1 024 bytes,
 * so the ratio is budget / bytes.
 */
const memoryCase: BenchCase = {
  metrics: [{ id: 'actors.memory', unit: 'B/actor', better: 'lower', baseline: { id: 'budget', unit: 'B/actor' } }],
  async setup() {
    return {
      async subject() {
        return [Number(execFileSync(process.execPath, ['--expose-gc', child, String(ACTORS)], { encoding: 'utf8' }))];
      },
      async baseline() {
        return [BUDGET];
      },
      async close() {},
    };
  },
};

/** The memory cases. */
export const memoryCases: readonly BenchCase[] = [memoryCase];
