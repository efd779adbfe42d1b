/**
 * What a copy will do: the checks on SRC and DST, and a walk of SRC that lists folders,
 * files and symlinks (symlinks are never followed).
 */
import { lstat, readdir, readlink, realpath, stat } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';

/** A problem with the command line or the folders: the tool says it and exits with 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** One regular file to copy. */
export interface FileEntry {
  /** Path relative to SRC. */
  readonly rel: string;
  readonly size: number;
  readonly mode: number;
  readonly atimeMs: number;
  readonly mtimeMs: number;
  /**
   * Where it is written until complete, relative to DST: `.name.multitask-copy.tmp` beside
   * it, or `.name.multitask-copy.N.tmp` when SRC has an entry of that name itself.
   */
  readonly temp: string;
}

/** A folder, created before its files; its mode and times are set after them. */
export interface DirEntry {
  readonly rel: string;
  readonly mode: number;
  readonly atimeMs: number;
  readonly mtimeMs: number;
}

/** A symlink, copied as a link with the same target text. */
export interface LinkEntry {
  readonly rel: string;
  readonly target: string;
}

/** Something the walk could not read. */
export interface Failure {
  readonly path: string;
  readonly error: string;
}

/** The whole job. */
export interface Plan {
  readonly src: string;
  readonly dst: string;
  /** Folders in walk order (parents first), SRC itself first as `''`. */
  readonly dirs: DirEntry[];
  readonly files: FileEntry[];
  readonly links: LinkEntry[];
  readonly failures: Failure[];
  readonly bytes: number;
}

/**
 * Checks SRC and DST and walks SRC.
 * @throws UsageError when SRC is missing or not a folder, or DST is SRC or inside it
 */
export async function makePlan(srcArg: string, dstArg: string): Promise<Plan> {
  const src = resolve(srcArg);
  const dst = resolve(dstArg);
  // The checks at once: each is a trip to libuv's threads, and a copy of a few files is short.
  const [root, realSrc, realDst] = await Promise.all([stat(src).catch(() => undefined), realpath(src).catch(() => src), realDestination(dst)]);
  if (root === undefined) throw new UsageError(`source ${srcArg} does not exist`);
  if (!root.isDirectory()) throw new UsageError(`source ${srcArg} is not a folder`);
  if (realDst === realSrc) throw new UsageError('source and destination are the same folder');
  if (realDst.startsWith(realSrc + sep)) throw new UsageError('the destination is inside the source: the copy would copy itself');

  const plan: Plan = { src, dst, dirs: [], files: [], links: [], failures: [], bytes: 0 };
  // SRC's own mode and times: those of the folder, also when SRC is a symlink to it.
  plan.dirs.push({ rel: '', mode: root.mode & 0o7777, atimeMs: root.atimeMs, mtimeMs: root.mtimeMs });
  let bytes = 0;
  // Breadth-first, one folder's entries at a time, their lstat calls in parallel.
  for (let i = 0; i < plan.dirs.length; i++) {
    const dir = plan.dirs[i] as DirEntry;
    let names: string[];
    try {
      names = (await readdir(join(src, dir.rel))).sort();
    } catch (error) {
      plan.failures.push({ path: join(src, dir.rel), error: describe(error) });
      continue;
    }
    const entries = await Promise.all(
      names.map(async (name) => {
        const rel = dir.rel === '' ? name : join(dir.rel, name);
        try {
          const st = await lstat(join(src, rel));
          if (st.isSymbolicLink()) return { kind: 'link' as const, entry: { rel, target: await readlink(join(src, rel)) } };
          if (st.isDirectory()) return { kind: 'dir' as const, entry: { rel, mode: st.mode & 0o7777, atimeMs: st.atimeMs, mtimeMs: st.mtimeMs } };
          if (st.isFile()) return { kind: 'file' as const, entry: { rel, size: st.size, mode: st.mode & 0o7777, atimeMs: st.atimeMs, mtimeMs: st.mtimeMs } };
          return { kind: 'other' as const, path: join(src, rel) };
        } catch (error) {
          return { kind: 'failed' as const, failure: { path: join(src, rel), error: describe(error) } };
        }
      }),
    );
    const taken = new Set(names);
    for (const e of entries) {
      if (e.kind === 'dir') plan.dirs.push(e.entry);
      else if (e.kind === 'file') {
        plan.files.push({ ...e.entry, temp: join(dir.rel, temporaryName(basename(e.entry.rel), taken)) });
        bytes += e.entry.size;
      } else if (e.kind === 'link') plan.links.push(e.entry);
      else if (e.kind === 'failed') plan.failures.push(e.failure);
      else plan.failures.push({ path: e.path, error: 'not a file, folder or symlink (a socket, FIFO or device): skipped' });
    }
  }
  return { ...plan, bytes };
}

/**
 * A temporary name for file `name` that no entry of its folder in SRC has (copying a file
 * named like another's temporary would otherwise write one over the other).
 */
function temporaryName(name: string, taken: Set<string>): string {
  let temp = `.${name}.multitask-copy.tmp`;
  for (let n = 1; taken.has(temp); n++) temp = `.${name}.multitask-copy.${n}.tmp`;
  taken.add(temp);
  return temp;
}

/** The real path DST will have: its own if it exists, else its nearest existing parent's plus the rest. */
async function realDestination(dst: string): Promise<string> {
  const rest: string[] = [];
  let at = dst;
  for (;;) {
    const real = await realpath(at).catch(() => undefined);
    if (real !== undefined) return join(real, ...rest.reverse());
    const parent = resolve(at, '..');
    if (parent === at) return dst;
    rest.push(relative(parent, at));
    at = parent;
  }
}

/** An error as one line: its code and message. */
export function describe(error: unknown): string {
  if (error instanceof Error) return (error as NodeJS.ErrnoException).code !== undefined ? `${(error as NodeJS.ErrnoException).code}: ${error.message}` : error.message;
  return String(error);
}
