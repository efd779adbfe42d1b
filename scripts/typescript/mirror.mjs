// The JavaScript the tests run: each TypeScript module of the packages' sources and of the
// test fixtures, compiled by esbuild (as tsx compiles) into a copy of the tree under
// node_modules/.cache/multitask/js, beside the files they load (.mjs, package.json). The
// vite plugin below makes the tests import the compiled copy, and the threads and processes
// they start import it by URL, so no host needs a loader: on Node 20 a loader's hooks run
// on a thread of their own in every thread and process, and took ~60 ms of the ~140 ms of
// CPU a host costs (the suite starts hundreds). TypeScript run under a loader, as users run
// it, stays covered: tsxHosts.test.ts runs hosts under tsx.
//
// The copy is brought up to date when vitest starts (~0.6 s the first time, ~20 ms when
// nothing changed) and when a source changes while vitest watches (which then runs every
// test again: vitest.config.ts, forceRerunTriggers). Stack traces show the compiled files:
// with MULTITASK_TEST_SOURCE_MAPS=1 the copy carries source maps and Node reads them.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The root of the compiled copy. */
export const MIRROR = join(ROOT, 'node_modules', '.cache', 'multitask', 'js');
export const SOURCE_MAPS = process.env.MULTITASK_TEST_SOURCE_MAPS === '1';
/** Bump when the compile options change. */
const VERSION = `1:${SOURCE_MAPS}`;
const OPTIONS = {
  loader: 'ts',
  format: 'esm',
  target: 'node20',
  sourcemap: SOURCE_MAPS ? 'inline' : false,
  // What tsconfig.base.json says that changes the emitted code.
  tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true, useDefineForClassFields: true } },
};
/** The folders copied, relative to the repository: each package's sources and test fixtures. */
const FOLDERS = /^packages\/[^/]+\/(src|test\/fixtures)\//;
/** Inside those, what is not: projects of their own, which tests build with their own tools. */
const LEFT_OUT = /\/fixtures\/consumer\/|\.d\.m?ts$|\.test(-d)?\.ts$/;

const posix = (path) => path.split(sep).join('/');

/** Whether the copy holds (the compiled form of) `file`, an absolute path. */
export function inMirror(file) {
  const path = posix(relative(ROOT, file));
  return FOLDERS.test(path) && !LEFT_OUT.test(path);
}

/** Where the copy holds `file` (an absolute path the copy holds): `.ts` becomes `.js`. */
export function mirrorOf(file) {
  return join(MIRROR, relative(ROOT, file)).replace(/\.ts$/, '.js');
}

function* filesUnder(dir) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') yield* filesUnder(path);
    } else yield path;
  }
}

/** Writes `text` to `path` unless it holds it already: aside, then renamed, so that a reader never sees half a file. */
function writeIfChanged(path, text) {
  try {
    if (readFileSync(path, 'utf8') === text) return;
  } catch {
    mkdirSync(dirname(path), { recursive: true });
  }
  const aside = `${path}.${process.pid}.tmp`;
  writeFileSync(aside, text);
  renameSync(aside, path);
}

const digest = (text) => createHash('sha1').update(VERSION).update('\0').update(text).digest('hex');

/** Compiles (or copies) one file the copy holds; `known` maps sources to the digest last compiled. */
function mirrorFile(file, known) {
  const out = mirrorOf(file);
  if (!file.endsWith('.ts')) return writeIfChanged(out, readFileSync(file, 'utf8'));
  const source = readFileSync(file, 'utf8');
  const hash = digest(source);
  if (known[file] === hash && existsSync(out)) return;
  // esbuild loads only here: the test helpers import this module for mirrorOf alone.
  const { transformSync } = createRequire(import.meta.url)('esbuild');
  writeIfChanged(out, transformSync(source, { ...OPTIONS, sourcefile: file }).code);
  known[file] = hash;
}

/** Brings the whole copy up to date, and removes what no source is left for. */
export function writeMirror() {
  const manifest = join(MIRROR, '.manifest.json');
  let known = {};
  try {
    known = JSON.parse(readFileSync(manifest, 'utf8'));
  } catch {
    // no copy yet, or one from elsewhere: everything is compiled
  }
  const written = new Set();
  for (const pkg of readdirSync(join(ROOT, 'packages'))) {
    const base = join(ROOT, 'packages', pkg);
    // Its package.json too: it makes the copy's .js files ES modules, and some read it.
    const manifestOfPackage = join(base, 'package.json');
    if (!existsSync(manifestOfPackage)) continue;
    writeIfChanged(mirrorOf(manifestOfPackage), readFileSync(manifestOfPackage, 'utf8'));
    written.add(mirrorOf(manifestOfPackage));
    for (const file of [...filesUnder(join(base, 'src')), ...filesUnder(join(base, 'test', 'fixtures'))]) {
      if (!inMirror(file)) continue;
      mirrorFile(file, known);
      written.add(mirrorOf(file));
    }
  }
  for (const file of filesUnder(join(MIRROR, 'packages'))) if (!written.has(file)) rmSync(file);
  writeFileSync(manifest, JSON.stringify(Object.fromEntries(Object.entries(known).filter(([file]) => written.has(mirrorOf(file))))));
}

/**
 * The vite plugin of the test run: brings the copy up to date once per vitest process, and
 * resolves every import of a module the copy holds to its compiled file, loaded by Node
 * itself (`external`), so that the tests, their threads and their processes share one
 * copy of each module.
 */
export function mirrorPlugin() {
  return {
    name: 'multitask:compiled-copy',
    enforce: 'pre',
    configResolved() {
      const once = Symbol.for('multitask.mirror.written');
      if (globalThis[once]) return;
      globalThis[once] = true;
      writeMirror();
    },
    async resolveId(source, importer, options) {
      if (importer === undefined) return null;
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
      if (resolved === null || resolved.external || !inMirror(resolved.id)) return null;
      return { id: mirrorOf(resolved.id), external: true };
    },
    watchChange(id) {
      if (inMirror(id) && existsSync(id)) mirrorFile(id, {});
    },
  };
}
