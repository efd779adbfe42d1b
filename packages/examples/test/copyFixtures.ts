// What the multitask-copy tests share: scratch folders, trees to copy, a way to compare
// trees, and the command run in this process (its output captured) or as a child process.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, chmodSync, constants, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import { mirrorOf } from '../../../scripts/typescript/mirror.mjs';
import { main } from '../src/copy/cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'multitask-copy-'));
let memory: string | undefined;
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
  if (memory !== undefined) rmSync(memory, { recursive: true, force: true });
});
let dirs = 0;

/** The scratch folder of this test file. */
export const SCRATCH = scratch;

/** A new path in the scratch folder (nothing is created there). */
export const fresh = (name: string): string => join(scratch, `${name}-${++dirs}`);

/**
 * A new path in a scratch folder in memory (tmpfs, where there is one): a large tree is made
 * there in a moment, also while the disk is busy.
 */
export function freshInMemory(name: string): string {
  if (memory === undefined) {
    let base = tmpdir();
    try {
      accessSync('/dev/shm', constants.W_OK);
      base = '/dev/shm';
    } catch {
      // no tmpfs here: the scratch folder's file system it is
    }
    memory = mkdtempSync(join(base, 'multitask-copy-'));
  }
  return join(memory, `${name}-${++dirs}`);
}

/** The names of the tool's temporary files. */
export const TEMPORARY = /\.multitask-copy(\.\d+)?\.tmp$/;

/** The command run from its sources (compiled, as the tests run them: see scripts/typescript/mirror.mjs), as a child process runs it. */
export const PROGRAM = mirrorOf(fileURLToPath(new URL('../src/copy/program.ts', import.meta.url)));

/** A tree with everything the tool must handle. */
export function makeTree(at: string, bigBytes = 3 * 1024 * 1024): void {
  mkdirSync(join(at, 'nested/deeper/deepest'), { recursive: true });
  mkdirSync(join(at, 'empty folder'));
  mkdirSync(join(at, 'ünïcödé ✓'));
  writeFileSync(join(at, 'top.txt'), 'top\n');
  writeFileSync(join(at, 'zero-bytes'), '');
  writeFileSync(join(at, 'nested/deeper/deepest/leaf.md'), '# leaf\n');
  writeFileSync(join(at, "ünïcödé ✓/odd name & 'quotes' (1).txt"), 'odd\n');
  writeFileSync(join(at, 'nested/big.bin'), Buffer.alloc(bigBytes, 7).map((_, i) => (i * 31) & 0xff));
  for (let i = 0; i < 120; i++) writeFileSync(join(at, 'nested', `f${i}.dat`), `file ${i} `.repeat(i + 1));
  chmodSync(join(at, 'top.txt'), 0o751);
  chmodSync(join(at, 'nested/deeper'), 0o750);
  symlinkSync('../top.txt', join(at, 'nested/link-in-tree'));
  symlinkSync('/etc/hostname', join(at, 'link-out-of-tree'));
  symlinkSync('missing-target', join(at, 'dangling'));
  utimesSync(join(at, 'top.txt'), new Date('2001-02-03T04:05:06Z'), new Date('2001-02-03T04:05:06Z'));
  utimesSync(join(at, 'nested/deeper'), new Date('2002-03-04T05:06:07Z'), new Date('2002-03-04T05:06:07Z'));
}

/** The bytes of the regular files below `at`. */
export function fileBytes(at: string): number {
  return readdirSync(at, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .reduce((n, entry) => n + lstatSync(join(entry.parentPath, entry.name)).size, 0);
}

/**
 * A tree that takes a while to walk and to recreate but little to make: `folders` folders
 * (in groups of 100) with `links` symlinks each, and no files.
 */
export function makeWideTree(at: string, folders: number, links: number): void {
  for (let d = 0; d < folders; d++) {
    const dir = join(at, `g${Math.floor(d / 100)}`, `d${d}`);
    mkdirSync(dir, { recursive: true });
    for (let l = 0; l < links; l++) symlinkSync(`target-${l}`, join(dir, `l${l}`));
  }
}

/** Every entry below `at`: its type, mode, mtime (files and folders), content hash or link target. */
export function describeTree(at: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(at, rel)).sort()) {
      const path = join(at, rel, name);
      const key = join(rel, name);
      const st = lstatSync(path);
      if (st.isSymbolicLink()) out[key] = `link -> ${readlinkSync(path)}`;
      else if (st.isDirectory()) {
        walk(key);
        out[key] = `dir ${(st.mode & 0o7777).toString(8)} ${Math.floor(st.mtimeMs)}`;
      } else out[key] = `file ${(st.mode & 0o7777).toString(8)} ${Math.floor(st.mtimeMs)} ${createHash('sha256').update(readFileSync(path)).digest('hex')}`;
    }
  };
  walk('');
  return out;
}

/** Counts of what is below `at` (nothing when it does not exist). */
export function countEntries(at: string): { folders: number; files: number; symlinks: number; temporary: number } {
  const counts = { folders: 0, files: 0, symlinks: 0, temporary: 0 };
  let entries;
  try {
    entries = readdirSync(at, { recursive: true, withFileTypes: true });
  } catch {
    return counts;
  }
  for (const entry of entries) {
    if (TEMPORARY.test(entry.name)) counts.temporary++;
    if (entry.isDirectory()) counts.folders++;
    else if (entry.isSymbolicLink()) counts.symlinks++;
    else counts.files++;
  }
  return counts;
}

/** What a run of the command printed, and its exit code. */
export interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the command in this process with its output captured (progress as in a log: lines);
 * `onOutput` sees the stderr printed so far after each write, and may abort `signal`.
 */
export async function run(argv: string[], options: { readonly signal?: AbortSignal; readonly onOutput?: (stderr: string) => void } = {}): Promise<Run> {
  const out = { stdout: '', stderr: '' };
  const [stdout, stderr] = [process.stdout.write.bind(process.stdout), process.stderr.write.bind(process.stderr)];
  process.stdout.write = ((chunk: string) => ((out.stdout += String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => {
    out.stderr += String(chunk);
    options.onOutput?.(out.stderr);
    return true;
  }) as typeof process.stderr.write;
  try {
    const code = await main(argv, { isTTY: false, ...(options.signal === undefined ? {} : { signal: options.signal }) });
    return { code, ...out };
  } finally {
    process.stdout.write = stdout;
    process.stderr.write = stderr;
  }
}

/**
 * Runs the command from its sources as a child process, and sends it SIGINT once its stderr
 * matches `when` (and, `twice`, again as the next output comes, as an impatient user would);
 * resolves when it exits, with what `dst` held when the signal was sent.
 */
export async function interrupt(args: string[], dst: string, when: RegExp, twice = false): Promise<Run & { readonly sent: boolean; readonly atSignal: ReturnType<typeof countEntries> }> {
  const child = spawn(process.execPath, [...process.execArgv, PROGRAM, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let atSignal = countEntries(dst);
  let sent = false;
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    if (sent && twice) {
      twice = false;
      child.kill('SIGINT');
    }
    if (!sent && when.test(stderr)) {
      sent = true;
      child.kill('SIGINT');
      atSignal = countEntries(dst);
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, stdout, stderr, sent, atSignal };
}
