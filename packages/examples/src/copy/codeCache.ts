/**
 * Loading the bundled command through V8's code cache, as Node 22's `module.enableCompileCache`
 * does for every module (Node 20 has no such switch). The first run compiles the bundle as
 * usual and, as it exits, saves the bytecode of everything it ran; later runs hand that to V8
 * and skip compiling. On two cores that starts copying ~5 ms sooner, a few percent of a copy of
 * a few large files.
 *
 * The cache lies beside the bundle, so it is trusted as much as the bundle is. V8 checks only
 * that the source has the length it had, so the cache starts with a key naming this build of
 * the bundle (size, times and inode) and this Node; any other key, or a file cut short, is
 * ignored. Where the folder cannot be written (an install only root may change), there is
 * no cache and nothing else changes.
 */
import { readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Script, constants } from 'node:vm';

/** A CommonJS module loaded by {@link loadCached}. */
export interface CachedModule {
  /** The module's `module.exports`. */
  readonly exports: Record<string, unknown>;
  /** Whether V8 took its compiled code from the cache. */
  readonly cached: boolean;
  /** Saves the code compiled so far, unless it came from the cache; call it as the program ends. */
  save(): void;
}

/** Names one build of `file` for this Node: a different key means a cache made for something else. */
function cacheKey(file: string): string {
  const st = statSync(file, { bigint: true });
  return `multitask code cache 1 ${process.version} ${process.arch} ${st.size} ${st.mtimeNs} ${st.ctimeNs} ${st.ino}\n`;
}

/**
 * Loads and runs the CommonJS module `file` as `require` would, with compiled code from
 * `cacheFile` when that was made for this build of it.
 */
export function loadCached(file: string, cacheFile = `${file}.cache`): CachedModule {
  // The key first: a rebuild between the two reads gives the saved code a key no later run has.
  const key = cacheKey(file);
  const source = readFileSync(file, 'utf8');
  const cachedData = readCache(cacheFile, key);
  const script = new Script(`(function (exports, require, module, __filename, __dirname) { ${source}\n})`, {
    filename: file,
    ...(cachedData === undefined ? {} : { cachedData }),
    // The bundle's `import(url)` (hosts loading actor modules) works as in any module.
    importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const cached = cachedData !== undefined && script.cachedDataRejected !== true;
  const module = { exports: {} as Record<string, unknown> };
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  wrapper.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  return {
    exports: module.exports,
    cached,
    save() {
      if (!cached) writeCache(cacheFile, key, script.createCachedData());
    },
  };
}

/** The cache's code, if the file holds a whole one with this key. */
function readCache(cacheFile: string, key: string): Buffer | undefined {
  let all: Buffer;
  try {
    all = readFileSync(cacheFile);
  } catch {
    return undefined;
  }
  const head = Buffer.from(key);
  const framing = head.length + 4;
  if (all.length <= framing || !all.subarray(0, head.length).equals(head)) return undefined;
  return all.readUInt32LE(head.length) === all.length - framing ? all.subarray(framing) : undefined;
}

/** Writes key, length and code under a temporary name, then renames: a reader sees all of it or nothing. */
function writeCache(cacheFile: string, key: string, data: Buffer): void {
  const temp = `${cacheFile}.${process.pid}.tmp`;
  const length = Buffer.alloc(4);
  length.writeUInt32LE(data.length);
  try {
    writeFileSync(temp, Buffer.concat([Buffer.from(key), length, data]));
    renameSync(temp, cacheFile);
  } catch {
    try {
      unlinkSync(temp);
    } catch {
      // never written: a folder we may not write to
    }
  }
}
