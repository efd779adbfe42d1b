// multitask-copy's command line: help, version, and the conventions of util.parseArgs.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeTree, fresh, makeTree, run } from './copyFixtures.js';

const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
const OPTIONS = ['--workers', '--placement', '--overwrite', '--skip-existing', '--verify', '--inspect', '--quiet', '--json', '--help', '--version'];

describe('the multitask-copy command line', () => {
  it.each([['--help'], ['-h'], ['src', 'dst', '-h']])('prints the usage and every option on stdout and exits 0 for %s', async (...argv) => {
    const { code, stdout, stderr } = await run(argv);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(/^usage: multitask-copy SRC DST /);
    for (const option of OPTIONS) expect(stdout).toContain(option);
    expect(stdout).toContain('-h, --help');
  });

  it('prints the version of the package with --version and exits 0', async () => {
    expect(await run(['--version'])).toEqual({ code: 0, stdout: `${manifest.version}\n`, stderr: '' });
  });

  it('takes --option=value as well as --option value', async () => {
    const src = fresh('src');
    makeTree(src, 1024);
    for (const argv of [['--placement=thread', '--workers=1'], ['--placement', 'thread', '--workers', '1']]) {
      const { code, stdout } = await run([src, fresh('dst'), ...argv, '--json']);
      expect(code).toBe(0);
      expect(JSON.parse(stdout)).toMatchObject({ placement: 'thread', files: 125 });
    }
  });

  it('takes what follows -- as SRC and DST, also when it starts with -', async () => {
    const at = fresh('dashes');
    mkdirSync(at);
    makeTree(join(at, '-h'), 1024);
    const cwd = process.cwd();
    process.chdir(at);
    try {
      expect((await run(['--quiet', '--', '-h', '--version'])).code).toBe(0);
    } finally {
      process.chdir(cwd);
    }
    expect(describeTree(join(at, '--version'))).toEqual(describeTree(join(at, '-h')));
  });

  it.each([
    [['--bogus'], 'unknown option --bogus'],
    [['-x'], 'unknown option -x'],
    [['-hx'], 'unknown option -x'],
    [['--workers'], '--workers needs a value'],
    [['--workers', '--verify'], '--workers needs a value'],
    [['--verify=yes'], '--verify takes no value'],
    [['--placement=moon'], '--placement must be auto, inline, thread or process'],
    [['--workers=0'], '--workers needs a positive integer'],
    [['--overwrite', '--skip-existing'], 'pass --overwrite or --skip-existing, not both'],
    [['one-more'], 'expected SRC and DST, got 3 paths'],
  ])('refuses %j with a usage error and exit 2, writing nothing', async (extra, message) => {
    const src = fresh('src');
    const dst = fresh('dst');
    makeTree(src, 1024);
    const { code, stdout, stderr } = await run([src, dst, ...extra]);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toContain(`multitask-copy: ${message}`);
    expect(stderr).toContain('usage: multitask-copy SRC DST');
    expect(() => readFileSync(join(dst, 'top.txt'))).toThrow(/ENOENT/);
  });

  it('is documented in docs/examples.md: every option of --help is in its table of options', async () => {
    const docs = readFileSync(new URL('../../../docs/examples.md', import.meta.url), 'utf8');
    const section = docs.slice(docs.indexOf('## `multitask-copy SRC DST`'));
    const table = section.split('\n').filter((line) => line.startsWith('| `-'));
    const { stdout } = await run(['--help']);
    const options = [...new Set(stdout.match(/--[a-z][a-z-]+/g))];
    expect(options.sort()).toEqual([...OPTIONS].sort());
    for (const option of options) expect(table.some((line) => line.includes(`\`${option}`))).toBe(true);
    expect(section).toContain('{@includeCode ../packages/examples/src/copy/commandLine.ts#usage}');
  });
});
