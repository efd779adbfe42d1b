/**
 * What a copy will do: the checks on SRC and DST, and a walk of SRC that lists folders,
 * files and symlinks (symlinks are never followed).
 */
import { basename, join, relative, resolve, sep } from 'node:path';
import { lstat, readdir, readlink, realpath, stat } from './fsAsync.js';
import { eachLimited } from './eachLimited.js';

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
  /** The walk was stopped (by the signal) before it read every folder: the lists are partial. */
  readonly interrupted: boolean;
}

/** How the walk goes. */
export interface WalkOptions {
  /** Stops the walk within a few `lstat` calls. */
  readonly signal?: AbortSignal | undefined;
  /** Called after each folder is read, with what the walk found so far. */
  readonly onFolder?: ((plan: Plan) => void) | undefined;
}

/** `lstat` calls in flight during the walk: enough for libuv's four threads, few enough to stop at once. */
const WALK_IN_FLIGHT = 32;

/**
 * Checks SRC and DST and walks SRC.
 * @throws UsageError when SRC is missing or not a folder, or DST is SRC or inside it
 */
export async function makePlan(srcArg: string, dstArg: string, options: WalkOptions = {}): Promise<Plan> {
  const src = resolve(srcArg);
  const dst = resolve(dstArg);
  // The checks at once: each is a trip to libuv's threads, and a copy of a few files is short.
  const [root, realSrc, realDst] = await Promise.all([stat(src).catch(() => undefined), realpath(src).catch(() => src), realDestination(dst)]);
  if (root === undefined) throw new UsageError(`source ${srcArg} does not exist`);
  if (!root.isDirectory()) throw new UsageError(`source ${srcArg} is not a folder`);
  if (realDst === realSrc) throw new UsageError('source and destination are the same folder');
  if (realDst.startsWith(realSrc + sep)) throw new UsageError('the destination is inside the source: the copy would copy itself');

  const plan = { src, dst, dirs: [] as DirEntry[], files: [] as FileEntry[], links: [] as LinkEntry[], failures: [] as Failure[], bytes: 0, interrupted: false };
  // SRC's own mode and times: those of the folder, also when SRC is a symlink to it.
  plan.dirs.push({ rel: '', mode: root.mode & 0o7777, atimeMs: root.atimeMs, mtimeMs: root.mtimeMs });
  const stopped = (): boolean => options.signal?.aborted === true;
  // Breadth-first, one folder's entries at a time, a few lstat calls at once.
  for (let i = 0; i < plan.dirs.length && !stopped(); i++) {
    const dir = plan.dirs[i] as DirEntry;
    let names: string[];
    try {
      names = (await readdir(join(src, dir.rel))).sort();
    } catch (error) {
      plan.failures.push({ path: join(src, dir.rel), error: describe(error) });
      continue;
    }
    const entries: Walked[] = [];
    const read = await eachLimited(names, WALK_IN_FLIGHT, stopped, async (name, n) => {
      entries[n] = await walked(src, dir.rel === '' ? name : join(dir.rel, name));
    });
    if (read < names.length) break; // stopped
    const taken = new Set(names);
    for (const e of entries) {
      if (e.kind === 'dir') plan.dirs.push(e.entry);
      else if (e.kind === 'file') {
        plan.files.push({ ...e.entry, temp: join(dir.rel, temporaryName(basename(e.entry.rel), taken)) });
        plan.bytes += e.entry.size;
      } else if (e.kind === 'link') plan.links.push(e.entry);
      else plan.failures.push(e.failure);
    }
    options.onFolder?.(plan);
  }
  plan.interrupted = stopped();
  return plan;
}

/** One entry of a folder, as the walk saw it. */
type Walked =
  | { readonly kind: 'dir'; readonly entry: DirEntry }
  | { readonly kind: 'file'; readonly entry: Omit<FileEntry, 'temp'> }
  | { readonly kind: 'link'; readonly entry: LinkEntry }
  | { readonly kind: 'failed'; readonly failure: Failure };

async function walked(src: string, rel: string): Promise<Walked> {
  try {
    const st = await lstat(join(src, rel));
    if (st.isSymbolicLink()) return { kind: 'link', entry: { rel, target: await readlink(join(src, rel)) } };
    if (st.isDirectory()) return { kind: 'dir', entry: { rel, mode: st.mode & 0o7777, atimeMs: st.atimeMs, mtimeMs: st.mtimeMs } };
    if (st.isFile()) return { kind: 'file', entry: { rel, size: st.size, mode: st.mode & 0o7777, atimeMs: st.atimeMs, mtimeMs: st.mtimeMs } };
    return { kind: 'failed', failure: { path: join(src, rel), error: 'not a file, folder or symlink (a socket, FIFO or device): skipped' } };
  } catch (error) {
    return { kind: 'failed', failure: { path: join(src, rel), error: describe(error) } };
  }
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
