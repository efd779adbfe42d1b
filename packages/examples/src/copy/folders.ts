/**
 * The entries of the copy that are not files: folders and symlinks are made before the
 * files, and folders get their modes and times after them (writing into a folder changes
 * its mtime, and a read-only folder could not be written into).
 */
import { dirname, join } from 'node:path';
import { chmod, lstat, lutimes, mkdir, stat, symlink, unlink, utimes } from './fsAsync.js';
import { describe, type DirEntry, type Failure, type LinkEntry, type Plan } from './plan.js';

/** What making the folders and symlinks did. */
export interface Made {
  /** The folders DST has now (made, or there already), parents first. */
  readonly dirs: DirEntry[];
  /** The symlinks made. */
  readonly links: LinkEntry[];
  /** Symlinks not made because DST had an entry of that name (`--skip-existing`). */
  readonly skippedSymlinks: number;
  readonly failures: Failure[];
}

/**
 * Makes the folders, parents first, then the symlinks, checking `stopped()` before each.
 * A folder is made with its own mode plus the owner's `rwx` (so that the copy can write
 * into it): until its mode is set at the end, and if the copy is stopped before, it gives
 * no one else more access than the original does.
 * @param onEach - called after each folder or symlink
 */
export async function makeFoldersAndLinks(plan: Plan, existing: 'refuse' | 'overwrite' | 'skip', stopped: () => boolean, onEach: () => void): Promise<Made> {
  const made = { dirs: [] as DirEntry[], links: [] as LinkEntry[], skippedSymlinks: 0, failures: [] as Failure[] };
  await mkdir(dirname(plan.dst), { recursive: true }); // DST's parents as `mkdir -p` makes them
  for (const dir of plan.dirs) {
    if (stopped()) return made;
    const at = join(plan.dst, dir.rel);
    const failure = await makeFolder(at, (dir.mode & 0o777) | 0o700);
    if (failure === undefined) made.dirs.push(dir);
    else made.failures.push({ path: at, error: failure });
    onEach();
  }
  for (const link of plan.links) {
    if (stopped()) return made;
    const at = join(plan.dst, link.rel);
    try {
      if (existing === 'skip' && (await lstat(at).then(() => true, () => false))) made.skippedSymlinks++;
      else {
        if (existing === 'overwrite') await unlink(at).catch(() => undefined);
        await symlink(link.target, at);
        made.links.push(link);
      }
    } catch (error) {
      made.failures.push({ path: join(plan.src, link.rel), error: describe(error) });
    }
    onEach();
  }
  return made;
}

/** Makes one folder, or finds one there (or a symlink to one); resolves with the error otherwise. */
async function makeFolder(at: string, mode: number): Promise<string | undefined> {
  try {
    await mkdir(at, { mode });
    return undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return describe(error);
    const st = await stat(at).catch(() => undefined);
    return st?.isDirectory() === true ? undefined : 'EEXIST: the destination has a file of that name where the source has a folder';
  }
}

/**
 * Gives the folders their modes and times, deepest first, then the symlinks made their times,
 * checking `stopped()` before each.
 * @returns what could not be set
 */
export async function finishFoldersAndLinks(plan: Plan, made: Made, stopped: () => boolean): Promise<Failure[]> {
  const failures: Failure[] = [];
  for (const dir of [...made.dirs].reverse()) {
    if (stopped()) return failures;
    const at = join(plan.dst, dir.rel);
    await chmod(at, dir.mode).catch((error: unknown) => failures.push({ path: at, error: describe(error) }));
    await utimes(at, dir.atimeMs / 1000, dir.mtimeMs / 1000).catch((error: unknown) => failures.push({ path: at, error: describe(error) }));
  }
  for (const link of made.links) {
    if (stopped()) return failures;
    const st = await lstat(join(plan.src, link.rel)).catch(() => undefined);
    if (st !== undefined) await lutimes(join(plan.dst, link.rel), st.atime, st.mtime).catch(() => undefined);
  }
  return failures;
}
