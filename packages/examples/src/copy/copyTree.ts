/**
 * The coordinator of `multitask-copy`: plans the copy, creates the folders and symlinks,
 * feeds batches of files to copier actors on a pool, finishes folders' modes and times, and
 * verifies. Each stage checks the signal often, so a Ctrl-C stops whatever it is doing.
 */
import { join } from 'node:path';
import { createChannel, createPool, createSystem, serveInspector, systemClock, type ActorRef, type ActorSystem, type Channel, type ChannelSender, type Pool } from '@multitask/core';
import { lstat, unlink } from './fsAsync.js';
import { Copier, copyTasks, ProgressBar, type Copied } from './actors.js';
import { batch, pieceBatches } from './batches.js';
import { eachLimited } from './eachLimited.js';
import { finishFoldersAndLinks, makeFoldersAndLinks, type Made } from './folders.js';
import { describe, makePlan, UsageError, type Failure, type FileEntry, type Plan } from './plan.js';
import { count, formatBytes, type Done } from './progress.js';
import { Screen, type ProgressStyle } from './screen.js';

/**
 * Where the copiers run: on the main thread (`inline`), on a pool of worker threads or child
 * processes, or `auto`: inline for fewer than {@link INLINE_BELOW} files, else threads.
 */
export type CopyPlacement = 'auto' | 'inline' | 'thread' | 'process';

/** Where the copiers of one copy ran: `auto` decided. */
export type CopierPlacement = Exclude<CopyPlacement, 'auto'>;

/**
 * With fewer files than this, `auto` copies on the main thread. `fs.copyFile` copies in the
 * kernel from libuv's own threads, so copiers on the main thread copy several files at once
 * too; what worker threads add is spreading the per-file work (a copy, `utimes` and `rename`
 * each), and starting them takes ~80 ms of both cores. Measured on two cores: 500 small
 * files 0.14 s inline against 0.22 s on threads, four 128 MB files 0.17 s against 0.27 s, and
 * about even at 2 000 files.
 */
export const INLINE_BELOW = 1000;

/** Where the copiers of a copy of `files` files run. */
export function copierPlacement(placement: CopyPlacement, files: number): CopierPlacement {
  if (placement !== 'auto') return placement;
  return files < INLINE_BELOW ? 'inline' : 'thread';
}

/** How the copy runs. */
export interface CopyOptions {
  /** Copier actors (and pool workers). */
  readonly workers: number;
  readonly placement: CopyPlacement;
  /** What to do with files and symlinks that exist in DST already. */
  readonly existing: 'refuse' | 'overwrite' | 'skip';
  /** Compare SHA-256 hashes of both copies afterwards. */
  readonly verify: boolean;
  /** Progress: a live bar, a line a second, or none. */
  readonly progress: ProgressStyle;
  /** Aborted to stop early: nothing new starts, the files being copied finish. */
  readonly signal?: AbortSignal;
  /**
   * Serve a live inspector (on 127.0.0.1) while the copy runs; called with its URL (token
   * included) before the first file is copied, and awaited.
   */
  readonly inspect?: (url: string) => void | Promise<void>;
}

/** The stages of a copy, in order. */
export type Stage = 'scanning' | 'creating' | 'copying' | 'finishing' | 'verifying';

/** What the copy did. */
export interface Summary {
  readonly src: string;
  readonly dst: string;
  /** Where the copiers ran. */
  readonly placement: CopierPlacement;
  /** Files copied, and their bytes. */
  readonly files: number;
  readonly bytes: number;
  /** Files kept as they were in DST (`--skip-existing`), and their bytes. */
  readonly skipped: number;
  readonly skippedBytes: number;
  /** The files SRC has, and their bytes (as far as the walk went, when interrupted while scanning). */
  readonly totalFiles: number;
  readonly totalBytes: number;
  /** Folders DST has (made, or there already). */
  readonly folders: number;
  /** Symlinks made, and those kept as they were in DST (`--skip-existing`). */
  readonly symlinks: number;
  readonly skippedSymlinks: number;
  /** Files whose copies differ (with `verify`). */
  readonly mismatches: string[];
  /** Whether every copied file was compared with its original. */
  readonly verified: boolean;
  /**
   * Files compared with their originals (with `verify`; a file hashed in pieces counts once
   * its last piece is), and how many there were to compare.
   */
  readonly compared: number;
  readonly toCompare: number;
  /** What could not be read or written, with its error. */
  readonly failures: Failure[];
  readonly interrupted: boolean;
  /** The stage the copy was in when it was interrupted. */
  readonly interruptedWhile?: Stage;
  readonly seconds: number;
}

/** What the stages add up, for the summary. */
interface Outcome {
  readonly plan: Plan;
  readonly placement: CopierPlacement;
  made?: Made;
  copied?: Omit<Copied, 'left'>;
  readonly failures: Failure[];
  mismatches: string[];
  verified: boolean;
  compared: number;
  toCompare: number;
}

/**
 * Copies SRC to DST.
 * @throws UsageError for bad folders, or files in the way without `overwrite` or `skip`
 */
export async function copyTree(srcArg: string, dstArg: string, options: CopyOptions): Promise<Summary> {
  const started = systemClock.now();
  const stopped = (): boolean => options.signal?.aborted === true;
  const screen = new Screen(options.progress);
  const summary = (outcome: Outcome, interruptedWhile?: Stage): Summary => summarize(outcome, interruptedWhile, (systemClock.now() - started) / 1000);
  try {
    screen.show(`scanning ${srcArg}`);
    const plan = await makePlan(srcArg, dstArg, { signal: options.signal, onFolder: (p) => screen.update(`scanning ${srcArg}: ${scanned(p)}`) });
    const outcome: Outcome = { plan, placement: copierPlacement(options.placement, plan.files.length), failures: [...plan.failures], mismatches: [], verified: false, compared: 0, toCompare: 0 };
    if (!plan.interrupted && options.existing === 'refuse') await refuseOverwrite(plan, stopped);
    if (stopped()) return summary(outcome, 'scanning');

    const entries = plan.dirs.length + plan.links.length;
    let made = 0;
    screen.show(`creating ${count(plan.dirs.length, 'folder')} and ${count(plan.links.length, 'symlink')}`);
    outcome.made = await makeFoldersAndLinks(plan, options.existing, stopped, () => screen.update(`creating folders and symlinks: ${++made}/${entries}`));
    outcome.failures.push(...outcome.made.failures);
    if (stopped()) return summary(outcome, 'creating');

    await copyAndVerify(outcome, options, screen, stopped);
    return summary(outcome);
  } catch (error) {
    if (error instanceof Interrupted) return summary(error.outcome, error.stage);
    throw error;
  } finally {
    screen.end();
  }
}

/** A stage that stopped early, with what was done. */
class Interrupted extends Error {
  constructor(
    readonly outcome: Outcome,
    readonly stage: Stage,
  ) {
    super(`interrupted while ${stage}`);
  }
}

/** What the stages that need actors share: the system, the pool (started when first needed), and `stop`. */
interface Crew {
  readonly system: ActorSystem;
  pool(): Pool<typeof copyTasks>;
  /** Nothing is sent on it: it is closed on Ctrl-C, which tells the copiers to start no more files. */
  readonly stop: Channel<never>;
  readonly bar: ActorRef<typeof ProgressBar>;
}

/** The copy, the folders' modes and times, and the verification: the stages that need the actors. */
async function copyAndVerify(outcome: Outcome, options: CopyOptions, screen: Screen, stopped: () => boolean): Promise<void> {
  // One system: the progress actor runs inline on this thread (it owns the terminal), the
  // copiers inline too or on a pool's workers, next to the pool's hashing tasks (which
  // `--verify` starts on threads when the copiers ran inline).
  const system = createSystem();
  let pool: Pool<typeof copyTasks> | undefined;
  const placement = outcome.placement === 'inline' ? 'thread' : outcome.placement;
  const stop = createChannel<never>();
  const closeStop = (): void => stop.close();
  options.signal?.addEventListener('abort', closeStop, { once: true });
  if (stopped()) closeStop();
  const inspector = options.inspect === undefined ? undefined : await serveInspector(system);
  try {
    const bar = await system.spawn(ProgressBar, { args: { style: options.progress } });
    if (inspector !== undefined) await options.inspect?.(inspector.url);
    const crew: Crew = { system, stop, bar, pool: () => (pool ??= createPool({ tasks: copyTasks, size: options.workers, placement, system })) };
    await copyStage(outcome, crew, options, screen, stopped);
    if (stopped()) throw new Interrupted(outcome, 'copying');
    outcome.failures.push(...(await finishFoldersAndLinks(outcome.plan, outcome.made as Made, stopped)));
    if (stopped()) throw new Interrupted(outcome, 'finishing');
    if (options.verify) await verifyStage(outcome, crew, options, screen);
  } finally {
    options.signal?.removeEventListener('abort', closeStop);
    stop.close();
    await pool?.terminate();
    await inspector?.close();
    await system.shutdown();
  }
}

/** Starts the copiers and feeds them the files, the progress actor drawing what they report. */
async function copyStage(outcome: Outcome, crew: Crew, options: CopyOptions, screen: Screen, stopped: () => boolean): Promise<void> {
  const { plan, placement } = outcome;
  const progress = createChannel<Done>();
  const args = { src: plan.src, dst: plan.dst, skipExisting: options.existing === 'skip', progress: progress.sender, stop: crew.stop.receiver };
  const copiers = await Promise.all(
    Array.from({ length: options.workers }, () => (placement === 'inline' ? crew.system.spawn(Copier, { placement, args }) : crew.pool().spawn(Copier, { args }))),
  );
  const where = placement === 'inline' ? `${count(options.workers, 'copier')} on the main thread` : count(options.workers, `${placement} worker`);
  screen.say(`copying ${count(plan.files.length, 'file')} (${formatBytes(plan.bytes)}) with ${where}`);
  const following = crew.bar.ask('follow', { files: plan.files.length, bytes: plan.bytes, done: progress.receiver }, { timeout: Infinity });
  outcome.copied = await copyFiles(copiers, plan, stopped);
  outcome.failures.push(...outcome.copied.failures);
  progress.close();
  await following;
}

/** Compares every file copied with its original on the pool, the progress actor drawing how far it got. */
async function verifyStage(outcome: Outcome, crew: Crew, options: CopyOptions, screen: Screen): Promise<void> {
  const { plan } = outcome;
  const failed = new Set(outcome.failures.map((f) => f.path));
  const checked = plan.files.filter((file) => !failed.has(join(plan.src, file.rel)));
  const bytes = checked.reduce((n, f) => n + f.size, 0);
  outcome.toCompare = checked.length;
  screen.say(`verifying ${count(checked.length, 'file')} (${formatBytes(bytes)}) with ${count(options.workers, `${outcome.placement === 'process' ? 'process' : 'thread'} worker`)}`);
  const hashed = createChannel<Done>();
  const following = crew.bar.ask('follow', { label: 'verifying', files: checked.length, bytes, done: hashed.receiver }, { timeout: Infinity });
  const verified = await verifyFiles(crew.pool(), plan, checked, hashed.sender, options.signal);
  hashed.close();
  await following;
  outcome.mismatches = verified.differing;
  outcome.compared = verified.files;
  outcome.failures.push(...verified.failures);
  if (!verified.complete) throw new Interrupted(outcome, 'verifying');
  outcome.verified = true;
}

/**
 * Feeds the files to the copiers in batches, two per copier in flight (one copying, one
 * waiting in its mailbox), until all are copied or `stopped()`.
 */
async function copyFiles(copiers: ReadonlyArray<ActorRef<typeof Copier>>, plan: Plan, stopped: () => boolean): Promise<Omit<Copied, 'left'>> {
  const batches = batch(plan.files, (file) => file.size);
  const totals = { copied: 0, bytes: 0, skipped: 0, skippedBytes: 0, failures: [] as Failure[] };
  const feed = async (copier: ActorRef<typeof Copier>): Promise<void> => {
    for (let next = stopped() ? undefined : batches.shift(); next !== undefined; next = stopped() ? undefined : batches.shift()) {
      const files = next;
      const result = await copier.ask('copy', files, { timeout: Infinity }).catch((error: unknown) => lost(plan, files, error));
      totals.copied += result.copied;
      totals.bytes += result.bytes;
      totals.skipped += result.skipped;
      totals.skippedBytes += result.skippedBytes;
      totals.failures.push(...result.failures);
    }
  };
  await Promise.all(copiers.flatMap((copier) => [feed(copier), feed(copier)]));
  return totals;
}

/** A batch whose copier died: its files are failures, and their temporary files are removed. */
async function lost(plan: Plan, files: readonly FileEntry[], error: unknown): Promise<Copied> {
  await Promise.all(files.map((file) => unlink(join(plan.dst, file.temp)).catch(() => undefined)));
  return { copied: 0, bytes: 0, skipped: 0, skippedBytes: 0, left: 0, failures: files.map((file) => ({ path: join(plan.src, file.rel), error: describe(error) })) };
}

/** Compares the pieces of `files` on the pool, reporting through `progress`, until done or aborted. */
async function verifyFiles(pool: Pool<typeof copyTasks>, plan: Plan, files: readonly FileEntry[], progress: ChannelSender<Done>, signal: AbortSignal | undefined): Promise<{ differing: string[]; failures: Failure[]; files: number; complete: boolean }> {
  const jobs = pieceBatches(files).map((pieces) => ({ src: plan.src, dst: plan.dst, pieces }));
  const differing = new Set<string>();
  const failures: Failure[] = [];
  let compared = 0;
  try {
    // A file's pieces may be hashed on several workers; each piece is safe to hash again.
    for await (const result of pool.imapUnordered('compare', jobs, { retries: 1, ...(signal === undefined ? {} : { signal }) })) {
      for (const rel of result.differing) differing.add(rel);
      failures.push(...result.failures);
      compared += result.files;
      await progress.send({ files: result.files, bytes: result.bytes, skipped: 0, passedBytes: 0 });
    }
  } catch (error) {
    if (signal?.aborted !== true) failures.push({ path: plan.dst, error: `could not verify the copy: ${describe(error)}` });
    return { differing: [...differing].sort(), failures, files: compared, complete: false };
  }
  return { differing: [...differing].sort(), failures, files: compared, complete: true };
}

/** Without `--overwrite` or `--skip-existing`, any file or symlink of the plan already in DST stops the copy before it starts. */
async function refuseOverwrite(plan: Plan, stopped: () => boolean): Promise<void> {
  if (!(await lstat(plan.dst).then(() => true, () => false))) return;
  const taken: string[] = [];
  const entries = [...plan.files, ...plan.links];
  await eachLimited(entries, 32, () => stopped() || taken.length >= 5, async (entry) => {
    if (await lstat(join(plan.dst, entry.rel)).then(() => true, () => false)) taken.push(entry.rel);
  });
  if (taken.length > 0) {
    throw new UsageError(`the destination already has ${taken.slice(0, 5).join(', ')}${taken.length >= 5 ? ', ...' : ''}: pass --overwrite to replace, or --skip-existing to keep them`);
  }
}

/** What the walk found so far, as the scanning line says it. */
function scanned(plan: Plan): string {
  return `${count(plan.dirs.length, 'folder')}, ${count(plan.files.length, 'file')} (${formatBytes(plan.bytes)}), ${count(plan.links.length, 'symlink')}`;
}

function summarize(outcome: Outcome, interruptedWhile: Stage | undefined, seconds: number): Summary {
  const { plan, made, copied } = outcome;
  return {
    src: plan.src,
    dst: plan.dst,
    placement: outcome.placement,
    files: copied?.copied ?? 0,
    bytes: copied?.bytes ?? 0,
    skipped: copied?.skipped ?? 0,
    skippedBytes: copied?.skippedBytes ?? 0,
    totalFiles: plan.files.length,
    totalBytes: plan.bytes,
    folders: made?.dirs.length ?? 0,
    symlinks: made?.links.length ?? 0,
    skippedSymlinks: made?.skippedSymlinks ?? 0,
    mismatches: outcome.mismatches,
    verified: outcome.verified,
    compared: outcome.compared,
    toCompare: outcome.toCompare,
    failures: outcome.failures,
    interrupted: interruptedWhile !== undefined,
    ...(interruptedWhile === undefined ? {} : { interruptedWhile }),
    seconds,
  };
}
