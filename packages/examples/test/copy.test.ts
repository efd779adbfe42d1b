import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { copierPlacement, INLINE_BELOW } from '../src/copy/copyTree.js';
import { describeTree, fresh, makeTree, PROGRAM, run, SCRATCH, TEMPORARY } from './copyFixtures.js';

/** The user and group id of `nobody`. */
const NOBODY = 65534;

/** Runs the command in this process, its output captured (and dropped); its exit code. */
async function quietly(argv: string[]): Promise<number> {
  return (await run(argv)).code as number;
}

/** Runs the command and says how it refused: its exit code, and the first line of its stderr. */
async function refusal(argv: string[]): Promise<{ code: number | null; error: string | undefined }> {
  const { code, stderr } = await run(argv);
  return { code, error: stderr.split('\n').find((line) => line.startsWith('multitask-copy: ')) };
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

  it('loads none of the heavier built-ins for a quiet copy on the main thread', () => {
    // Each costs a fraction of a millisecond to a few, in a command that copies a few large
    // files in ~150 ms: fs/promises brings readline and the file watchers, the performance
    // global brings perf_hooks, and worker_threads and v8 bring all of Node's streams.
    const bin = fileURLToPath(new URL('../bin/multitask-copy.cjs', import.meta.url));
    const src = fresh('src');
    makeTree(src, 1024 * 1024);
    const marker = 'built-ins loaded: ';
    const probe = [
      'const before = new Set(process.moduleLoadList);',
      // Read before process.stderr, which loads net and the streams on a pipe.
      `process.once('exit', () => { const loaded = JSON.stringify(process.moduleLoadList.filter((m) => !before.has(m))); process.stderr.write('\\n${marker}' + loaded + '\\n'); });`,
      `process.argv.splice(1, 0, ${JSON.stringify(bin)});`,
      `require(${JSON.stringify(bin)});`,
    ].join('\n');
    const run = spawnSync(process.execPath, ['-e', probe, '--', src, fresh('dst'), '--quiet'], { encoding: 'utf8' });
    const line = run.stderr.split('\n').find((l) => l.startsWith(marker));
    expect({ status: run.status, found: line !== undefined }, run.stderr).toEqual({ status: 0, found: true });
    const loaded = (JSON.parse((line as string).slice(marker.length)) as string[]).filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice('NativeModule '.length));
    expect(loaded).toContain('vm'); // the probe sees what the command loads
    expect(loaded.filter((name) => ['fs/promises', 'perf_hooks', 'readline', 'worker_threads', 'v8', 'stream', 'net', 'child_process'].includes(name))).toEqual([]);
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
    const missing = join(SCRATCH, 'no-such-folder');
    expect(await refusal([missing, fresh('dst')])).toEqual({ code: 2, error: `multitask-copy: source ${missing} does not exist` });
    expect(await refusal([join(src, 'top.txt'), fresh('dst')])).toEqual({ code: 2, error: `multitask-copy: source ${join(src, 'top.txt')} is not a folder` });
    expect(await refusal([src, src])).toEqual({ code: 2, error: 'multitask-copy: source and destination are the same folder' });
    expect(await refusal([src, join(src, 'nested', 'copy')])).toEqual({ code: 2, error: 'multitask-copy: the destination is inside the source: the copy would copy itself' });
    expect(readdirSync(join(src, 'nested')).includes('copy')).toBe(false);
    expect(await refusal([src])).toEqual({ code: 2, error: 'multitask-copy: expected SRC and DST' });
    expect(await refusal([src, fresh('dst'), '--workers', 'many'])).toEqual({ code: 2, error: 'multitask-copy: --workers needs a positive integer' });
    expect(await refusal([src, fresh('dst'), '--placement', 'moon'])).toEqual({ code: 2, error: 'multitask-copy: --placement must be auto, inline, thread or process' });
    expect(await refusal([src, fresh('dst'), '--overwrite', '--skip-existing'])).toEqual({ code: 2, error: 'multitask-copy: pass --overwrite or --skip-existing, not both' });
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

  it('keeps what DST has in the place of a symlink or file with --skip-existing, also a dangling symlink', async () => {
    const src = fresh('src');
    const dst = fresh('dst');
    makeTree(src, 1024);
    mkdirSync(dst);
    writeFileSync(join(dst, 'dangling'), 'my notes, where SRC has a symlink'); // SRC: dangling -> missing-target
    symlinkSync('my-missing-file', join(dst, 'top.txt')); // SRC: a file
    const { code, stderr } = await run([src, dst, '--skip-existing']);
    expect(code).toBe(0);
    expect(readFileSync(join(dst, 'dangling'), 'utf8')).toBe('my notes, where SRC has a symlink');
    expect(readlinkSync(join(dst, 'top.txt'))).toBe('my-missing-file');
    expect(stderr).toMatch(/\(1 file \(4 B\) and 1 symlink skipped as existing\)/);
  });

  it('reports a file of DST where SRC has a folder, with exit 1, and copies everything else', async () => {
    const src = fresh('src');
    const dst = fresh('dst');
    makeTree(src, 1024);
    mkdirSync(dst);
    writeFileSync(join(dst, 'empty folder'), 'a file in the way');
    const { code, stderr } = await run([src, dst, '--overwrite', '--quiet']);
    expect(code).toBe(1);
    expect(stderr).toContain(`could not copy ${join(dst, 'empty folder')}: EEXIST`);
    expect(readFileSync(join(dst, 'empty folder'), 'utf8')).toBe('a file in the way');
    const { ['empty folder']: _, ...rest } = describeTree(src);
    const { ['empty folder']: __, ...copied } = describeTree(dst);
    expect(copied).toEqual(rest);
  });

  it('makes each folder no more open to others than the original while it copies into it', async () => {
    const src = fresh('src');
    const dst = fresh('dst');
    makeTree(src, 1024);
    chmodSync(join(src, 'nested'), 0o700);
    chmodSync(src, 0o750);
    let during: Record<string, number> = {};
    const mode = (rel: string): number => lstatSync(join(dst, rel)).mode & 0o777;
    const { code } = await run([src, dst], {
      // The folders are made, no file is copied yet, and their modes are set at the end.
      onOutput: (stderr) => {
        if (stderr.includes('copying 125 files') && Object.keys(during).length === 0) during = { '': mode(''), nested: mode('nested'), 'nested/deeper': mode('nested/deeper') };
      },
    });
    expect(code).toBe(0);
    expect(during).toEqual({ '': expect.any(Number), nested: expect.any(Number), 'nested/deeper': expect.any(Number) });
    expect((during[''] as number) & 0o027).toBe(0); // group: no write; others: nothing
    expect((during.nested as number) & 0o077).toBe(0);
    expect((during['nested/deeper'] as number) & 0o027).toBe(0);
    expect({ '': mode(''), nested: mode('nested'), 'nested/deeper': mode('nested/deeper') }).toEqual({ '': 0o750, nested: 0o700, 'nested/deeper': 0o750 });
  });

  it('removes the temporary file of a batch whose copier process was killed, and reports its file', async () => {
    const src = fresh('src');
    const dst = fresh('dst');
    mkdirSync(src);
    writeFileSync(join(src, 'big'), Buffer.alloc(128 * 1024 * 1024, 1));
    const children = (): number[] => childrenOf(process.pid);
    const before = new Set(children());
    let killed = 0;
    // Kills the copier's process once the copy has begun writing the temporary file.
    const poll = setInterval(() => {
      if (killed !== 0 || !existsSync(join(dst, '.big.multitask-copy.tmp'))) return;
      for (const pid of children().filter((p) => !before.has(p))) process.kill((killed = pid), 'SIGKILL');
    }, 1);
    const { code, stderr } = await run([src, dst, '--placement', 'process', '--workers', '1', '--quiet']).finally(() => clearInterval(poll));
    expect(killed).not.toBe(0);
    expect(code).toBe(1);
    expect(stderr).toMatch(new RegExp(`could not copy ${join(src, 'big')}: .*killed by SIGKILL`));
    expect(readdirSync(dst)).toEqual([]);
  });
});

/** The pids of the child processes of `pid`. */
function childrenOf(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
    readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8')
      .split(' ')
      .filter((p) => p !== '')
      .map(Number),
  );
}
