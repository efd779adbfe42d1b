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

const lifecycleChild = fileURLToPath(new URL('./lifecycleChild.js', import.meta.url));

/** What one lifecycleChild run measured: µs per actor to spawn and to shut down, heap in MB. */
interface Lifecycle {
  readonly spawn: number;
  readonly shutdown: number;
  readonly heap: number;
}

/**
 * A shutdown against the spawn of the same actors (lifecycleChild.ts, a fresh process per
 * run): the subject runs the child and reports the shutdown; the baseline reports the spawn
 * time of that same run (the harness calls it right after), so the ratio is spawn /
 * shutdown. `prefix` names the results; the million's run also reports the heap they took.
 */
function lifecycleCase(prefix: string, count: number, heap: boolean): BenchCase {
  const metrics: BenchCase['metrics'] = [{ id: `${prefix}.shutdown`, unit: 'µs/actor', better: 'lower', baseline: { id: `${prefix}.spawn`, unit: 'µs/actor' } }];
  return {
    metrics: heap ? [...metrics, { id: `${prefix}.heap`, unit: 'MB', better: 'lower', baseline: undefined }] : metrics,
    async setup() {
      let last: Lifecycle | undefined;
      return {
        async subject() {
          last = JSON.parse(execFileSync(process.execPath, ['--expose-gc', lifecycleChild, String(count)], { encoding: 'utf8' })) as Lifecycle;
          return heap ? [last.shutdown, last.heap] : [last.shutdown];
        },
        async baseline() {
          if (last === undefined) throw new Error('the baseline reads the run the subject made');
          return heap ? [last.spawn, 0] : [last.spawn];
        },
        async close() {},
      };
    },
  };
}

/** The memory cases: bytes per idle actor; spawning and shutting down 100 000, then a million. */
export const memoryCases: readonly BenchCase[] = [memoryCase, lifecycleCase('actors', ACTORS, false), lifecycleCase('actors.million', 1_000_000, true)];
