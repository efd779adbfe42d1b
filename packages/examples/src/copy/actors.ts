/**
 * The copy tool's actors and tasks: copiers (on the pool's workers, or on the main thread for
 * a small copy) copy batches of files and report progress through a channel; the progress
 * actor (on the main thread) draws it.
 */
import { constants, createReadStream } from 'node:fs';
import { access, copyFile, rename, unlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { defineActor, defineTasks, type ChannelReceiver, type ChannelSender } from '@multitask/core';
import { describe, type Failure, type FileEntry } from './plan.js';
import { formatProgress, type Tally } from './progress.js';

/** What a copier reports through the progress channel: files and bytes done since its last report. */
export interface Done {
  readonly files: number;
  readonly bytes: number;
}

/** Files copied at once by one copier: enough to keep the disk and the thread pool busy. */
const IN_FLIGHT = 8;

/** Copies files, never reading them into memory: `fs.copyFile` copies in the kernel. */
export const Copier = defineActor({
  url: import.meta.url,
  name: 'Copier',
  init: (args: { readonly src: string; readonly dst: string; readonly skipExisting: boolean; readonly progress: ChannelSender<Done> }) => args,
  handlers: {
    /** Copies a batch; resolves with what it copied, skipped, and could not copy. */
    async copy(ctx, batch: readonly FileEntry[]) {
      const { src, dst, skipExisting, progress } = ctx.state;
      const failures: Failure[] = [];
      let copied = 0;
      let skipped = 0;
      let pending: Done = { files: 0, bytes: 0 };
      let reported = performance.now();
      const one = async (file: FileEntry): Promise<void> => {
        const final = join(dst, file.rel);
        if (skipExisting && (await exists(final))) {
          skipped++;
        } else {
          const temp = join(dst, file.temp);
          try {
            await copyFresh(join(src, file.rel), temp);
            await utimes(temp, file.atimeMs / 1000, file.mtimeMs / 1000);
            await rename(temp, final);
            copied++;
          } catch (error) {
            failures.push({ path: join(src, file.rel), error: describe(error) });
            await unlink(temp).catch(() => undefined);
          }
        }
        pending = { files: pending.files + 1, bytes: pending.bytes + file.size };
        if (performance.now() - reported > 50) {
          reported = performance.now();
          const report = pending;
          pending = { files: 0, bytes: 0 };
          await progress.send(report);
        }
      };
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(IN_FLIGHT, batch.length) }, async () => {
          while (next < batch.length) await one(batch[next++] as FileEntry);
        }),
      );
      if (pending.files > 0) await progress.send(pending);
      return { copied, skipped, failures };
    },
  },
});

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

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** The pool's tasks: `--verify` hashes both copies of a file on the workers. */
export const copyTasks = defineTasks(import.meta.url, {
  /** Whether the file at `rel` has the same SHA-256 under both folders. */
  async same(job: { readonly src: string; readonly dst: string; readonly rel: string }) {
    const [a, b] = await Promise.all([sha256(join(job.src, job.rel)), sha256(join(job.dst, job.rel))]);
    return a === b;
  },
});

async function sha256(path: string): Promise<string> {
  // Loaded here, not at the top: only --verify hashes, and node:crypto takes ~3 ms to load,
  // a noticeable part of a small copy's start.
  const { createHash } = await import('node:crypto');
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/** Draws the progress the copiers report: a live bar on a terminal, a line a second otherwise. */
export const ProgressBar = defineActor({
  url: import.meta.url,
  name: 'ProgressBar',
  init: (args: { readonly files: number; readonly bytes: number; readonly style: 'bar' | 'lines' | 'none' }) => args,
  handlers: {
    /** Reads the channel to its end; resolves with the totals it saw. */
    async follow(ctx, done: ChannelReceiver<Done>) {
      const { style } = ctx.state;
      const started = performance.now();
      const tally: Tally = { files: 0, bytes: 0, totalFiles: ctx.state.files, totalBytes: ctx.state.bytes };
      let drawn = 0;
      const draw = (final: boolean): void => {
        const now = performance.now();
        if (style === 'none' || (!final && now - drawn < (style === 'bar' ? 100 : 1_000))) return;
        drawn = now;
        const line = formatProgress(tally, (now - started) / 1000);
        if (style === 'bar') process.stderr.write(`\r\x1b[2K${line}${final ? '\n' : ''}`);
        else process.stderr.write(`${line}\n`);
      };
      for await (const report of done) {
        tally.files += report.files;
        tally.bytes += report.bytes;
        draw(false);
      }
      draw(true);
      return { files: tally.files, bytes: tally.bytes };
    },
  },
});
