// Module hooks for register.mjs: resolve `./x.js` to `./x.ts` from a TypeScript module, and
// compile `.ts`/`.mts` modules to JavaScript with esbuild, keeping each result in a disk cache
// keyed by the file's path and source, so a thread or process started later reads it back.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPESCRIPT = /\.m?ts$/;
const RELATIVE_JS = /^\.\.?\/.*\.m?js$/;
/** Bump when the compile options change, so older cache entries are not read back. */
const VERSION = '1';
const CACHE = join(tmpdir(), `multitask-ts-${process.getuid?.() ?? 'user'}`);
const SOURCE_MAPS = process.env.MULTITASK_TEST_SOURCE_MAPS === '1';
const OPTIONS = {
  loader: 'ts',
  format: 'esm',
  target: 'node20',
  sourcemap: SOURCE_MAPS ? 'inline' : false,
  // What tsconfig.base.json says that changes the emitted code.
  tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true, useDefineForClassFields: true } },
};

/** @type {Promise<typeof import('esbuild')> | undefined} */
let esbuild;

export async function resolve(specifier, context, nextResolve) {
  const parent = context.parentURL;
  if (parent?.startsWith('file:') && TYPESCRIPT.test(parent) && RELATIVE_JS.test(specifier)) {
    const typescript = new URL(specifier.replace(/js$/, 'ts'), parent);
    if (existsSync(typescript)) return { url: typescript.href, format: 'module', shortCircuit: true };
  }
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !TYPESCRIPT.test(url)) return nextLoad(url, context);
  const path = fileURLToPath(url);
  const source = readFileSync(path, 'utf8');
  return { format: 'module', source: readCached(path, source) ?? (await compile(path, source)), shortCircuit: true };
}

function cacheFile(path, source) {
  return join(CACHE, `${createHash('sha1').update(`${VERSION}\0${SOURCE_MAPS}\0${path}\0${source}`).digest('hex')}.js`);
}

function readCached(path, source) {
  try {
    return readFileSync(cacheFile(path, source), 'utf8');
  } catch {
    return undefined;
  }
}

async function compile(path, source) {
  esbuild ??= import('esbuild');
  const { code } = await (await esbuild).transform(source, { ...OPTIONS, sourcefile: path });
  try {
    // Written aside, then renamed: a host reading the cache never sees half a file.
    mkdirSync(CACHE, { recursive: true });
    const temporary = `${cacheFile(path, source)}.${process.pid}.${Math.random().toString(36).slice(2)}`;
    writeFileSync(temporary, code);
    renameSync(temporary, cacheFile(path, source));
  } catch {
    // A cache that cannot be written only costs the next host a compile.
  }
  return code;
}
