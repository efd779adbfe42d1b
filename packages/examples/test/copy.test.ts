import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../src/copy/cli.js';
import { copierPlacement, INLINE_BELOW } from '../src/copy/copyTree.js';
import { formatProgress } from '../src/copy/progress.js';
import { describeTree, fresh, makeTree, PROGRAM, SCRATCH, TEMPORARY } from './copyFixtures.js';

/** The user and group id of `nobody`. */
const NOBODY = 65534;

async function quietly(argv: string[]): Promise<number> {
  return main(argv, { isTTY: false });
}

describe('multitask-copy', () => {
  it.each(['inline', 'thread', 'process'] as const)('copies a tree byte for byte with --placement %s, keeping modes, mtimes and symlinks', async (placement) => {
    const src = fresh('src');
    const dst = fresh('dst');
    makeTree(src, placement === 'process' ? 3 * 1024 * 1024 : 24 * 1024 * 1024);
    expect(await quietly([src, dst, '--placement', placement, '--workers', '2', '--verify', '--quiet'])).toBe(0);
    expect(describeTree(dst)).toEqual(describeTree(src));
    expect(readdirSync(join(dst, 'empty folder'))).toEqual([]);
    expect(readdirSync(dst, { recursive: true }).some((name) => TEMPORARY.test(String(name)))).toBe(false);
  });

  it('runs as the shipped command, one bundled module, on the main thread and with thread and process workers', () => {
    // bin/multitask-copy.cjs runs dist/copy/multitask-copy.cjs (npm run build), the tool and
    // the library in one file, through V8's code cache; copier threads and processes import
    // their actors from it too.
    const bin = fileURLToPath(new URL('../bin/multitask-copy.cjs', import.meta.url));
    const src = fresh('src');
    makeTree(src, 1024 * 1024);
    for (const placement of ['auto', 'thread', 'process']) {
      const dst = fresh('dst');
      const run = spawnSync(process.execPath, [bin, src, dst, '--placement', placement, '--verify', '--json'], { encoding: 'utf8' });
      expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
      const summary = JSON.parse(run.stdout) as { placement: string; verified: boolean; mismatches: string[] };
      expect(summary).toMatchObject({ placement: placement === 'auto' ? 'inline' : placement, verified: true, mismatches: [] });
      expect(describeTree(dst)).toEqual(describeTree(src));
    }
  });

  it('gives the copy the mode and times of the folder a symlinked SRC points to', async () => {
    const real = fresh('real');
    makeTree(real, 1024);
    chmodSync(real, 0o750);
    utimesSync(real, new Date('2003-04-05T06:07:08Z'), new Date('2003-04-05T06:07:08Z'));
    const src = fresh('link');
    symlinkSync(real, src);
    const dst = fresh('dst');
    expect(await quietly([src, dst, '--quiet'])).toBe(0);
    expect(describeTree(dst)).toEqual(describeTree(real));
    const [copy, original] = [lstatSync(dst), lstatSync(real)];
    expect({ dir: copy.isDirectory(), mode: copy.mode & 0o7777, mtime: Math.floor(copy.mtimeMs) }).toEqual({ dir: true, mode: 0o750, mtime: Math.floor(original.mtimeMs) });
  });

  it('refuses bad folders with exit 2: missing, not a folder, the same, or inside the source', async () => {
    const src = fresh('src');
    makeTree(src, 1024);
    expect(await quietly([join(SCRATCH, 'no-such-folder'), fresh('dst')])).toBe(2);
    expect(await quietly([join(src, 'top.txt'), fresh('dst')])).toBe(2);
    expect(await quietly([src, src])).toBe(2);
    expect(await quietly([src, join(src, 'nested', 'copy')])).toBe(2);
    expect(readdirSync(join(src, 'nested')).includes('copy')).toBe(false);
    expect(await quietly([src])).toBe(2);
    expect(await quietly([src, fresh('dst'), '--workers', 'many'])).toBe(2);
    expect(await quietly([src, fresh('dst'), '--placement', 'moon'])).toBe(2);
    expect(await quietly([src, fresh('dst'), '--overwrite', '--skip-existing'])).toBe(2);
  });

  it('refuses to overwrite by default, and overwrites or skips when told', async () => {
    const src = fresh('src');
    const dst = fresh('dst');
    makeTree(src, 1024);
    mkdirSync(dst);
    writeFileSync(join(dst, 'top.txt'), 'mine\n');
    expect(await quietly([src, dst, '--quiet'])).toBe(2);
    expect(readdirSync(dst)).toEqual(['top.txt']); // nothing was written
    expect(await quietly([src, dst, '--skip-existing', '--quiet'])).toBe(0);
    expect(readFileSync(join(dst, 'top.txt'), 'utf8')).toBe('mine\n');
    expect(readFileSync(join(dst, 'zero-bytes'), 'utf8')).toBe('');
    expect(await quietly([src, dst, '--overwrite', '--quiet'])).toBe(0);
    expect(describeTree(dst)).toEqual(describeTree(src));
  });

  it('replaces a temporary file left behind by a killed run', async () => {
    const src = fresh('src');
    const dst = fresh('dst');
    makeTree(src, 1024);
    mkdirSync(join(dst, 'nested'), { recursive: true });
    writeFileSync(join(dst, '.top.txt.multitask-copy.tmp'), 'half-written junk that is longer than the file');
    writeFileSync(join(dst, 'nested', '.big.bin.multitask-copy.tmp'), 'junk');
    expect(await quietly([src, dst, '--quiet'])).toBe(0);
    expect(describeTree(dst)).toEqual(describeTree(src));
  });

  it('copies a file named like another file\'s temporary file, and that other file, intact', async () => {
    const src = fresh('src');
    const dst = fresh('dst');
    mkdirSync(src);
    writeFileSync(join(src, 'a'), Buffer.alloc(32 * 1024 * 1024, 1)); // still copying when the other lands
    writeFileSync(join(src, '.a.multitask-copy.tmp'), 'a file of its own');
    writeFileSync(join(src, '.a.multitask-copy.1.tmp'), 'and another');
    expect(await quietly([src, dst, '--workers', '1', '--quiet'])).toBe(0);
    expect(describeTree(dst)).toEqual(describeTree(src));
  });

  it('copies everything it can, then reports what it could not read, with exit 1', async () => {
    const src = fresh('src');
    const dst = fresh('dst');
    makeTree(src, 1024);
    execFileSync('mkfifo', [join(src, 'a-fifo')]);
    writeFileSync(join(src, 'secret'), 'no');
    chmodSync(join(src, 'secret'), 0o000);
    let code: number | null;
    let report: string;
    const asNobody = (args: string[]): ReturnType<typeof spawnSync> => spawnSync(process.execPath, [...process.execArgv, PROGRAM, ...args], { encoding: 'utf8', uid: NOBODY, gid: NOBODY });
    // Root reads any file: where nobody can run the tool (a checkout others may read), run
    // it as nobody, who cannot read the secret.
    const asRoot = process.getuid?.() === 0;
    if (asRoot) chmodSync(SCRATCH, 0o755);
    const useNobody = asRoot && asNobody([]).status === 2; // usage error: it loaded and ran
    if (useNobody) {
      chmodSync(src, 0o755);
      const parent = fresh('writable');
      mkdirSync(parent);
      chmodSync(parent, 0o777);
      const run = asNobody([src, join(parent, 'dst'), '--quiet']);
      [code, report] = [run.status, String(run.stderr)];
      rmSync(dst, { recursive: true, force: true });
      renameSync(join(parent, 'dst'), dst);
    } else {
      const lines: string[] = [];
      const write = process.stderr.write.bind(process.stderr);
      process.stderr.write = ((chunk: string) => (lines.push(String(chunk)), true)) as typeof process.stderr.write;
      try {
        code = await quietly([src, dst, '--quiet']);
      } finally {
        process.stderr.write = write;
      }
      report = lines.join('');
    }
    expect(code).toBe(1);
    expect(report).toContain(`could not copy ${join(src, 'a-fifo')}`);
    if (!asRoot || useNobody) expect(report).toMatch(/could not copy .*secret: EACCES/); // else: root in a checkout only root may read
    expect(readFileSync(join(dst, 'nested/f3.dat'), 'utf8')).toBe(readFileSync(join(src, 'nested/f3.dat'), 'utf8'));
    chmodSync(join(src, 'secret'), 0o600);
  });

  it('prints a JSON summary with --json and nothing else on stdout', () => {
    const src = fresh('src');
    const dst = fresh('dst');
    makeTree(src, 1024);
    const out = execFileSync(process.execPath, [...process.execArgv, PROGRAM, src, dst, '--json'], { encoding: 'utf8' });
    const summary = JSON.parse(out) as { files: number; symlinks: number; failures: unknown[]; interrupted: boolean; placement: string };
    // 125 files: by default the copiers run on the main thread (no worker to start).
    expect(summary).toMatchObject({ files: 125, symlinks: 3, failures: [], interrupted: false, placement: 'inline' });
  });

  it('copies on the main thread by default below 1 000 files and on worker threads from there, unless told', () => {
    expect(copierPlacement('auto', 1)).toBe('inline');
    expect(copierPlacement('auto', INLINE_BELOW - 1)).toBe('inline');
    expect(copierPlacement('auto', INLINE_BELOW)).toBe('thread');
    expect(copierPlacement('process', 1)).toBe('process');
    expect(copierPlacement('inline', 1_000_000)).toBe('inline');
    expect(INLINE_BELOW).toBe(1000); // as documented
  });

  it('stops on Ctrl-C: files in progress finish, no temporary file is left, and it says what was done', async () => {
    const src = fresh('src');
    const dst = fresh('dst');
    mkdirSync(src);
    for (let d = 0; d < 20; d++) {
      mkdirSync(join(src, `d${d}`));
      for (let f = 0; f < 250; f++) writeFileSync(join(src, `d${d}`, `f${f}`), `${d}/${f}`.repeat(200));
    }
    const child = spawn(process.execPath, [...process.execArgv, PROGRAM, src, dst, '--workers', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let interrupted = false;
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (!interrupted && stderr.includes('copying 5000 files')) {
        interrupted = true;
        child.kill('SIGINT');
        setTimeout(() => child.kill('SIGINT'), 20); // an impatient second Ctrl-C changes nothing
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(130);
    expect(stderr).toMatch(/copying 5000 files \(.*\) with 1 thread workers/); // 5 000 files: on a worker thread
    expect(stderr).toMatch(/interrupted after copying \d+ files/);
    const copied = readdirSync(dst, { recursive: true }).map(String);
    expect(copied.some((name) => TEMPORARY.test(name))).toBe(false);
    expect(copied.filter((name) => /f\d+$/.test(name)).length).toBeLessThan(5_000);
  }, 60_000);

  it('formats progress: files and bytes of the totals, rate and time left', () => {
    expect(formatProgress({ files: 10, bytes: 5 * 1024 * 1024, totalFiles: 20, totalBytes: 10 * 1024 * 1024 }, 2)).toBe(
      '[##########----------]  50% 10/20 files, 5.0 MB/10.0 MB, 2.5 MB/s, ETA 2s',
    );
  });
});
