import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * A baseline run by a script of `python/` under `python3` (its first rate, in items/s), or
 * `undefined` with a note on stderr when there is no `python3` on PATH (BENCH.md: the
 * subject is still reported, without a ratio).
 */
export function pythonBaseline(caseId: string, baselineId: string, script: string, count: number): (() => Promise<number[]>) | undefined {
  if (spawnSync('python3', ['--version']).status !== 0) {
    console.error(`${caseId}: no python3 on PATH, the ${baselineId} baseline is left out`);
    return undefined;
  }
  const path = fileURLToPath(new URL(`../python/${script}`, import.meta.url));
  return async () => {
    const run = spawnSync('python3', [path, String(count)], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`${baselineId} failed: ${run.stderr}`);
    const { rates } = JSON.parse(run.stdout) as { rates: number[] };
    return [rates[0] as number];
  };
}
