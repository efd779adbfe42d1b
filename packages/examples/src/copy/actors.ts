/**
 * The copy tool's actors and tasks: copiers (on the pool's workers, or on the main thread for
 * a small copy) copy batches of files and report progress through a channel, until a `stop`
 * channel is closed; the pool's hashing tasks compare pieces of files for `--verify`; the
 * progress actor (on the main thread) draws what each stage reports.
 */
import { constants, createReadStream } from 'node:fs';
import { join } from 'node:path';
import { defineActor, defineTasks, systemClock, type ChannelReceiver, type ChannelSender } from '@multitask/core';
import { copyFile, lstat, rename, unlink, utimes } from './fsAsync.js';
import { describe, type Failure, type FileEntry } from './plan.js';
import { eachLimited } from './eachLimited.js';
import { formatProgress, type Done, type Tally } from './progress.js';
import { Screen, type ProgressStyle } from './screen.js';

/** What a copier did with a batch. */
export interface Copied {
  /** Files copied, and their bytes. */
  readonly copied: number;
  readonly bytes: number;
  /** Files kept as they were (`--skip-existing`), and their bytes. */
  readonly skipped: number;
  readonly skippedBytes: number;
  /** Files it could not copy, with their errors. */
  readonly failures: Failure[];
  /** Files of the batch it did not start, because the copy was stopped. */
  readonly left: number;
}

/** Files copied at once by one copier: enough to keep the disk and the thread pool busy. */
const IN_FLIGHT = 8;

/** Milliseconds between two reports of one copier. */
const REPORT_EVERY = 50;

/**
 * Copies files, never reading them into memory: `fs.copyFile` copies in the kernel.
 *
 * `stop` is a channel nothing is sent on: the coordinator closes it on Ctrl-C, and from then
 * on the copier starts no file, also of the batches already in its mailbox.
 */
export const Copier = defineActor({
  url: import.meta.url,
  name: 'Copier',
  init: (args: { readonly src: string; readonly dst: string; readonly skipExisting: boolean; readonly progress: ChannelSender<Done>; readonly stop: ChannelReceiver<never> }) => ({
    ...args,
    stopped: false,
  }),
  onStart(ctx) {
    // Waits on `stop` beside the copies: its close (or this actor's own stop) ends the wait.
    const stopped = (): void => {
      ctx.state.stopped = true;
    };
    ctx.state.stop.receive({ signal: ctx.signal }).then(stopped, stopped);
  },
  handlers: {
    /** Copies a batch; resolves with what it copied, skipped, could not copy, and left. */
    async copy(ctx, batch: readonly FileEntry[]): Promise<Copied> {
      const { src, dst, skipExisting, progress } = ctx.state;
      const result = { copied: 0, bytes: 0, skipped: 0, skippedBytes: 0, failures: [] as Failure[], left: 0 };
      const report = reporter(progress);
      const one = async (file: FileEntry): Promise<void> => {
        if (skipExisting && (await exists(join(dst, file.rel)))) {
          result.skipped++;
          result.skippedBytes += file.size;
          return report({ files: 1, bytes: 0, skipped: 1, passedBytes: file.size });
        }
        const error = await copyOne(src, dst, file);
        if (error === undefined) {
          result.copied++;
          result.bytes += file.size;
        } else result.failures.push({ path: join(src, file.rel), error });
        return report({ files: 1, bytes: error === undefined ? file.size : 0, skipped: 0, passedBytes: error === undefined ? 0 : file.size });
      };
      const started = await eachLimited(batch, IN_FLIGHT, () => ctx.state.stopped, one);
      await report.flush();
      return { ...result, left: batch.length - started };
    },
  },
});

/**
 * Copies one file to its temporary name, gives it its times and renames it into place;
 * resolves with the error, if any (the temporary file is then removed).
 */
async function copyOne(src: string, dst: string, file: FileEntry): Promise<string | undefined> {
  const temp = join(dst, file.temp);
  try {
    await copyFresh(join(src, file.rel), temp);
    await utimes(temp, file.atimeMs / 1000, file.mtimeMs / 1000);
    await rename(temp, join(dst, file.rel));
    return undefined;
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    return describe(error);
  }
}

/** Adds up reports and sends them through `progress` at most every {@link REPORT_EVERY} ms. */
function reporter(progress: ChannelSender<Done>): ((done: Done) => Promise<void>) & { flush(): Promise<void> } {
  let pending: Done = { files: 0, bytes: 0, skipped: 0, passedBytes: 0 };
  let reported = systemClock.now();
  const flush = async (): Promise<void> => {
    if (pending.files === 0 && pending.bytes === 0) return;
    const sent = pending;
    pending = { files: 0, bytes: 0, skipped: 0, passedBytes: 0 };
    reported = systemClock.now();
    await progress.send(sent);
  };
  const add = async (done: Done): Promise<void> => {
    pending = { files: pending.files + done.files, bytes: pending.bytes + done.bytes, skipped: pending.skipped + done.skipped, passedBytes: pending.passedBytes + done.passedBytes };
    if (systemClock.now() - reported > REPORT_EVERY) await flush();
  };
  return Object.assign(add, { flush });
}

/**
 * Copies `from` to a new file `to`, in the kernel (`copy_file_range` on Linux), keeping the
 * mode bits. The file must be new: libuv truncates a destination it may overwrite, and on ext4
 * a file truncated and then rewritten is flushed to disk when it is closed (`auto_da_alloc`),
 * which took a 128 MB copy from 40 ms to 110 ms. A temporary left by a killed run is replaced.
 */
async function copyFresh(from: string, to: string): Promise<void> {
  try {
    await copyFile(from, to, constants.COPYFILE_EXCL);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    await unlink(to);
    await copyFile(from, to, constants.COPYFILE_EXCL);
  }
}

/** Whether DST has an entry at `path` (a dangling symlink is one, too). */
async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

/** A piece of a file for `--verify` to compare: bytes `start` to `end` (exclusive), or to the end of the file. */
export interface Piece {
  readonly rel: string;
  readonly start: number;
  readonly end?: number;
}

/** What a batch of pieces compared: the files that differ, those it could not read, and how much it hashed. */
export interface Compared {
  readonly differing: string[];
  readonly failures: Failure[];
  /** Files whose last piece was in the batch. */
  readonly files: number;
  /** Bytes hashed, of one copy. */
  readonly bytes: number;
}

/**
 * The pool's tasks: `--verify` hashes both copies of each piece of a file on the workers
 * (pieces of a large file on several workers at once). The last piece of a file reads to its
 * end in both copies, so a copy longer or shorter than the original differs too.
 */
export const copyTasks = defineTasks(import.meta.url, {
  /** Compares the SHA-256 of each piece in SRC and in DST. */
  async compare(job: { readonly src: string; readonly dst: string; readonly pieces: readonly Piece[] }): Promise<Compared> {
    const result = { differing: [] as string[], failures: [] as Failure[], files: 0, bytes: 0 };
    for (const piece of job.pieces) {
      try {
        const [a, b] = await Promise.all([sha256(join(job.src, piece.rel), piece), sha256(join(job.dst, piece.rel), piece)]);
        if (a.hash !== b.hash) result.differing.push(piece.rel);
        result.bytes += a.bytes;
      } catch (error) {
        result.failures.push({ path: join(job.dst, piece.rel), error: `could not verify: ${describe(error)}` });
      }
      if (piece.end === undefined) result.files++;
    }
    return result;
  },
});

/** The SHA-256 of a piece of the file at `path`, and the bytes it read. */
async function sha256(path: string, piece: Piece): Promise<{ readonly hash: string; readonly bytes: number }> {
  // Loaded here, not at the top: only --verify hashes, and node:crypto takes ~3 ms to load,
  // a noticeable part of a small copy's start.
  const { createHash } = await import('node:crypto');
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    let bytes = 0;
    createReadStream(path, { start: piece.start, ...(piece.end === undefined ? {} : { end: piece.end - 1 }) })
      .on('data', (chunk: string | Buffer) => {
        hash.update(chunk);
        bytes += chunk.length;
      })
      .on('error', reject)
      .on('end', () => resolve({ hash: hash.digest('hex'), bytes }));
  });
}

/** What the progress actor follows: a stage's reports, and what there is to do in it. */
export interface Following {
  /** Put before each progress line, such as `verifying`; none for the copy. */
  readonly label?: string;
  readonly files: number;
  readonly bytes: number;
  readonly done: ChannelReceiver<Done>;
}

/** Draws the progress the copiers report: a live bar on a terminal, a line a second otherwise. */
export const ProgressBar = defineActor({
  url: import.meta.url,
  name: 'ProgressBar',
  init: (args: { readonly style: ProgressStyle }) => ({ screen: new Screen(args.style) }),
  handlers: {
    /** Reads the channel to its end, drawing as it goes; resolves with the totals it saw. */
    async follow(ctx, job: Following) {
      const { screen } = ctx.state;
      const started = systemClock.now();
      const tally: Tally = { files: 0, bytes: 0, skipped: 0, passedBytes: 0, totalFiles: job.files, totalBytes: job.bytes };
      const line = (): string => `${job.label === undefined ? '' : `${job.label} `}${formatProgress(tally, (systemClock.now() - started) / 1000)}`;
      screen.show(line());
      for await (const report of job.done) {
        tally.files += report.files;
        tally.bytes += report.bytes;
        tally.skipped += report.skipped;
        tally.passedBytes += report.passedBytes;
        screen.update(line());
      }
      screen.show(line());
      screen.end();
      return { files: tally.files, bytes: tally.bytes };
    },
  },
});
