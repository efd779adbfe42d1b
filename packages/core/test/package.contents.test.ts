// What `npm pack` puts in the tarball of @multitask/core, as npm lists it.
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { coreDir, run, succeeded } from './consumer.js';

interface Manifest {
  readonly license: string;
  readonly homepage: string;
  readonly keywords: readonly string[];
  readonly bugs: { readonly url: string };
  readonly repository: { readonly type: string; readonly url: string; readonly directory: string };
  readonly exports: Record<string, string | Record<string, string>>;
}

let files: string[] = [];
const manifest = JSON.parse(readFileSync(join(coreDir, 'package.json'), 'utf8')) as Manifest;

beforeAll(async () => {
  const listed = succeeded(await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], coreDir));
  const [pack] = JSON.parse(listed) as [{ files: Array<{ path: string }> }];
  files = pack.files.map((file) => file.path).sort();
}, 60_000);

/** The relative modules a built file imports, statically (`from`) and on first use (`import()`), as paths in the tarball. */
function importsOf(file: string, dynamic: boolean): string[] {
  const code = readFileSync(join(coreDir, file), 'utf8');
  const pattern = dynamic ? /(?:\bfrom\s*|\bimport\s*\(?\s*)["'](\.{1,2}\/[^"']+)["']/g : /(?:\bfrom\s*|^import\s*)["'](\.{1,2}\/[^"']+)["']/gm;
  return [...code.matchAll(pattern)].map((match) => posix.join(posix.dirname(file), match[1] as string));
}

/** Every built module `roots` load, they included, following `importsOf`. */
function closure(roots: readonly string[], dynamic: boolean): Set<string> {
  const seen = new Set<string>();
  const next = [...roots];
  for (let file = next.pop(); file !== undefined; file = next.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    next.push(...importsOf(file, dynamic));
  }
  return seen;
}

/** The source file a built file comes from, `src/...`. */
function sourceOf(built: string): string {
  const stem = built.replace(/^dist\//, 'src/').replace(/\.d\.(m?)ts$/, '.$1js');
  return stem.endsWith('.mjs') ? stem : stem.replace(/\.js$/, '.ts');
}

describe('the tarball of @multitask/core', () => {
  it('ships the README and the LICENSE, the same MIT license as the repository', () => {
    expect(files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json']));
    expect(readFileSync(join(coreDir, 'LICENSE'), 'utf8')).toBe(readFileSync(join(coreDir, '../../LICENSE'), 'utf8'));
    expect(readFileSync(join(coreDir, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} the multitask authors\n/);
    expect(manifest.license).toBe('MIT');
  });

  it('ships every file its exports map names, and the host files threads and processes load', () => {
    const targets = Object.values(manifest.exports).flatMap((target) => (typeof target === 'string' ? [target] : Object.values(target)));
    const hostFiles = ['dist/transport/boot.mjs', 'dist/system/hostMain.js', 'dist/pool/PoolWorker.js'];
    expect(files).toEqual(expect.arrayContaining([...new Set(targets.map((target) => target.replace(/^\.\//, '')))]));
    expect(files).toEqual(expect.arrayContaining(['dist/index.js', 'dist/index.d.ts', ...hostFiles]));
  });

  it('ships nothing but the build, with no source maps, tests, fixtures or build info', () => {
    expect(files.filter((file) => !file.startsWith('dist/'))).toEqual(['LICENSE', 'README.md', 'package.json']);
    expect(files.filter((file) => !/\.(d\.ts|js|mjs|d\.mts)$/.test(file) && file.startsWith('dist/'))).toEqual([]);
    expect(files.filter((file) => /test|fixture|tsbuildinfo|\.map$/.test(file))).toEqual([]);
  });

  it('ships no stale build output: every declaration and entry comes from a source file of today, every chunk is loaded by an entry', () => {
    const built = files.filter((file) => file.startsWith('dist/'));
    const fromSources = built.filter((file) => existsSync(join(coreDir, sourceOf(file))));
    const chunks = built.filter((file) => !fromSources.includes(file));
    expect(chunks.every((file) => /^dist\/[\w]+-[A-Z0-9]{8}\.js$/.test(file))).toBe(true);
    const entries = fromSources.filter((file) => file.endsWith('.js'));
    const loaded = closure(entries, true);
    expect(chunks.filter((chunk) => !loaded.has(chunk))).toEqual([]);
    expect([...loaded].filter((file) => !built.includes(file))).toEqual([]);
  });

  it('bundles the library: a host and the actor module it imports load a few files, and share the code they both run', () => {
    // A fresh worker spends its start in the per-module work of the import: ~120 modules
    // unbundled, a few chunks bundled. One copy of the shared code: one ActorRef, one MultitaskError.
    const host = closure(['dist/transport/boot.mjs', 'dist/system/hostMain.js'], false);
    const library = closure(['dist/index.js'], false);
    expect(host.size + library.size).toBeLessThan(20);
    expect([...host].filter((file) => library.has(file) && /-[A-Z0-9]{8}\.js$/.test(file)).length).toBeGreaterThan(0);
  });

  it('says where the project lives: repository, homepage, bugs and keywords', () => {
    expect(manifest.repository).toEqual({ type: 'git', url: expect.stringMatching(/^git\+https:\/\/.+\.git$/), directory: 'packages/core' });
    expect(manifest.homepage).toMatch(/^https:\/\//);
    expect(manifest.bugs.url).toMatch(/^https:\/\/.+\/issues$/);
    expect(manifest.keywords).toEqual(expect.arrayContaining(['actor', 'worker-threads', 'child-process']));
  });
});
