import { existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCached } from '../src/copy/codeCache.js';

const scratch = mkdtempSync(join(tmpdir(), 'multitask-code-cache-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let n = 0;

/** A CommonJS module whose `answer()` returns `answer`; the same length for any two-digit answer. */
function writeModule(file: string, answer: number): void {
  writeFileSync(file, `const { basename } = require('node:path');\nexports.answer = () => ${answer};\nexports.name = basename(__filename);\nexports.load = () => import('node:path');\n`);
}

function fresh(answer: number): { file: string; cache: string } {
  const file = join(scratch, `module-${++n}.cjs`);
  writeModule(file, answer);
  return { file, cache: `${file}.cache` };
}

/**
 * Runs `run` with Node's printing of one warning held back: Node 20 warns, once per process,
 * that vm's USE_MAIN_CONTEXT_DEFAULT_LOADER is experimental when a module loaded through the
 * cache first imports, as this test makes one do (the command itself never does). Other
 * warnings still print.
 */
async function withoutLoaderWarning<T>(run: () => Promise<T>): Promise<T> {
  const printers = process.listeners('warning');
  const expected = (warning: Error): boolean => warning.name === 'ExperimentalWarning' && warning.message.includes('USE_MAIN_CONTEXT_DEFAULT_LOADER');
  const listener = (warning: Error): void => {
    if (!expected(warning)) for (const print of printers) print(warning);
  };
  for (const print of printers) process.off('warning', print);
  process.on('warning', listener);
  try {
    return await run();
  } finally {
    await new Promise((resolve) => setImmediate(resolve)); // the warning is emitted on the next tick
    process.off('warning', listener);
    for (const print of printers) process.on('warning', print);
  }
}

describe('loading a CommonJS file through the code cache', () => {
  it('compiles it the first time, then runs the code saved as the first run ended', async () => {
    const { file, cache } = fresh(42);
    const first = loadCached(file, cache);
    expect({ cached: first.cached, answer: (first.exports.answer as () => number)(), name: first.exports.name }).toEqual({ cached: false, answer: 42, name: `module-${n}.cjs` });
    expect(existsSync(cache)).toBe(false);
    first.save();
    expect(existsSync(cache)).toBe(true);

    const second = loadCached(file, cache);
    expect({ cached: second.cached, answer: (second.exports.answer as () => number)() }).toEqual({ cached: true, answer: 42 });
    // Dynamic import works from the module, as in any CommonJS file.
    const loaded = await withoutLoaderWarning(() => (second.exports.load as () => Promise<{ join: unknown }>)());
    expect(typeof loaded.join).toBe('function');
  });

  it('never runs code cached for an earlier build of the file, even one of the same length', () => {
    // V8 checks only the source's length: without a key naming the build, this returned 42.
    const { file, cache } = fresh(42);
    const first = loadCached(file, cache);
    expect((first.exports.answer as () => number)()).toBe(42); // compiled, so saved with the rest
    first.save();
    writeModule(file, 43);
    utimesSync(file, new Date('2020-01-01T00:00:00Z'), new Date('2020-01-01T00:00:00Z')); // a rebuild, later
    const rebuilt = loadCached(file, cache);
    expect({ cached: rebuilt.cached, answer: (rebuilt.exports.answer as () => number)() }).toEqual({ cached: false, answer: 43 });
    rebuilt.save();
    expect(loadCached(file, cache).cached).toBe(true);
  });

  it('ignores a cache cut short or not its own, and replaces it', () => {
    const { file, cache } = fresh(42);
    writeFileSync(cache, 'not a code cache at all');
    const garbage = loadCached(file, cache);
    expect({ cached: garbage.cached, answer: (garbage.exports.answer as () => number)() }).toEqual({ cached: false, answer: 42 });
    garbage.save();
    truncateSync(cache, readFileSync(cache).length - 10);
    const cut = loadCached(file, cache);
    expect({ cached: cut.cached, answer: (cut.exports.answer as () => number)() }).toEqual({ cached: false, answer: 42 });
    cut.save();
    expect(loadCached(file, cache).cached).toBe(true);
  });

  it('runs without a cache where none can be written', () => {
    const { file } = fresh(42);
    const cache = join(scratch, 'no-such-folder', 'module.cjs.cache');
    const loaded = loadCached(file, cache);
    expect(() => loaded.save()).not.toThrow();
    expect(existsSync(cache)).toBe(false);
    expect((loaded.exports.answer as () => number)()).toBe(42);
  });
});
