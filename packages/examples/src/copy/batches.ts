/**
 * How work is cut for the copiers and the hashing tasks: batches small enough that a stop is
 * quick and progress moves, large enough that messages do not cost more than the work.
 */
import type { Piece } from './actors.js';
import type { FileEntry } from './plan.js';

/** Files per batch, and bytes per batch (a bigger file goes alone, or in pieces of this size). */
export const BATCH_FILES = 64;
export const BATCH_BYTES = 32 * 1024 * 1024;

/** Items in batches of at most BATCH_FILES items and BATCH_BYTES bytes (a bigger item goes alone). */
export function batch<T>(items: readonly T[], size: (item: T) => number): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const n = size(item);
    if (current.length > 0 && (current.length >= BATCH_FILES || bytes + n > BATCH_BYTES)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += n;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * What `--verify` compares, in batches: each file in pieces of BATCH_BYTES, the last one to
 * the end of the file, so that the pieces of a large file are hashed on several workers.
 */
export function pieceBatches(files: readonly FileEntry[]): Piece[][] {
  const pieces: Array<{ readonly piece: Piece; readonly bytes: number }> = [];
  for (const file of files) {
    let start = 0;
    for (; file.size - start > BATCH_BYTES; start += BATCH_BYTES) pieces.push({ piece: { rel: file.rel, start, end: start + BATCH_BYTES }, bytes: BATCH_BYTES });
    pieces.push({ piece: { rel: file.rel, start }, bytes: file.size - start });
  }
  return batch(pieces, (p) => p.bytes).map((b) => b.map((p) => p.piece));
}
