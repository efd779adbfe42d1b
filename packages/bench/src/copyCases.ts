import { execFileSync, spawnSync } from 'node:child_process';
import { cp, rm } from 'node:fs/promises';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchCase } from './harness.js';

/** The `multitask-copy` command as it ships: its bin, which loads the tool bundled with the library. */
const cli = fileURLToPath(new URL('../../examples/bin/multitask-copy.cjs', import.meta.url));

/** Runs `multitask-copy --quiet SRC DST` as a command, as a user would (in `env`, or this process's environment); seconds. */
function multitaskCopy(src: string, dst: string, env: NodeJS.ProcessEnv = process.env): number {
  const t0 = performance.now();
  const run = spawnSync(process.execPath, [cli, src, dst, '--quiet'], { encoding: 'utf8', env });
  if (run.status !== 0) throw new Error(`multitask-copy failed (${run.status}): ${run.stderr}`);
  return (performance.now() - t0) / 1000;
}

function cpR(src: string, dst: string): number {
  const t0 = performance.now();
  execFileSync('cp', ['-r', src, dst]);
  return (performance.now() - t0) / 1000;
}

/** A fresh destination per run; the previous one is removed outside the timing. */
function destinations(scratch: string): () => string {
  let n = 0;
  let last: string | undefined;
  return () => {
    if (last !== undefined) rmSync(last, { recursive: true, force: true });
    last = join(scratch, `dst-${++n}`);
    return last;
  };
}

/** 20 000 files of 1-16 KB in 200 folders. */
function smallTree(at: string): void {
  let seed = 7;
  const random = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  for (let d = 0; d < 200; d++) {
    mkdirSync(join(at, `d${d}`), { recursive: true });
    for (let f = 0; f < 100; f++) writeFileSync(join(at, `d${d}`, `f${f}.bin`), Buffer.alloc(1024 + Math.floor(random() * 15 * 1024), d + f));
  }
}

/** Four files of 128 MB. */
function bigTree(at: string): void {
  mkdirSync(at, { recursive: true });
  const block = Buffer.alloc(8 * 1024 * 1024);
  for (let i = 0; i < block.length; i++) block[i] = (i * 131) & 0xff;
  for (let f = 0; f < 4; f++) {
    const parts: Buffer[] = [];
    for (let b = 0; b < 16; b++) parts.push(block);
    writeFileSync(join(at, `big${f}.bin`), Buffer.concat(parts));
  }
}

/**
 * A copy case: subject `multitask-copy`, baseline `cp -r` (or `fs.promises.cp`), both run
 * in the same way on the same tree, each after a warm-up run (the harness's) that leaves the
 * source in the page cache for both.
 */
function copyCase(id: string, baselineId: string, make: (at: string) => void, baseline: (src: string, dst: string) => Promise<number> | number, env?: NodeJS.ProcessEnv): BenchCase {
  return {
    needsFull: true,
    metrics: [{ id, unit: 's', better: 'lower', baseline: { id: baselineId, unit: 's' } }],
    async setup() {
      const scratch = mkdtempSync(join(tmpdir(), `multitask-bench-${id}-`));
      const src = join(scratch, 'src');
      console.error(`${id}: writing the source tree ...`);
      make(src);
      const next = destinations(scratch);
      return {
        subject: async () => [multitaskCopy(src, next(), env)],
        baseline: async () => [await baseline(src, next())],
        async close() {
          await rm(scratch, { recursive: true, force: true });
        },
      };
    },
  };
}

async function fsCp(src: string, dst: string): Promise<number> {
  const t0 = performance.now();
  await cp(src, dst, { recursive: true });
  return (performance.now() - t0) / 1000;
}

/** The folder-copy cases (full runs, or `--filter copy`). */
export const copyCases: readonly BenchCase[] = [
  copyCase('copy.small', 'cp -r', smallTree, cpR),
  copyCase('copy.big', 'cp -r', bigTree, cpR),
  copyCase('copy.small.fscp', 'fs.promises.cp', smallTree, fsCp),
  // Not a goal: where the environment sets NODE_EXTRA_CA_CERTS (this machine does, for its
  // registry proxy), Node 20 reads and parses that whole CA bundle as every process starts,
  // ~30 ms here before any of the tool's code runs. The same case, the command started without it.
  ...(process.env.NODE_EXTRA_CA_CERTS === undefined ? [] : [copyCase('copy.big.noExtraCaCerts', 'cp -r', bigTree, cpR, withoutExtraCaCerts())]),
];

function withoutExtraCaCerts(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  return env;
}
