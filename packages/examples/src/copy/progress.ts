/** The progress line: files and bytes done of the totals, the rate and the time left. */

/** What copiers (or hashers) report they did since their last report. */
export interface Done {
  /** Files finished: copied, skipped as existing, or failed. */
  readonly files: number;
  /** Bytes copied (or hashed). */
  readonly bytes: number;
  /** Files skipped as existing. */
  readonly skipped: number;
  /** Bytes of the files finished without copying them: skipped, or failed. */
  readonly passedBytes: number;
}

/** What is done, of what there is to do. */
export interface Tally {
  files: number;
  bytes: number;
  skipped: number;
  passedBytes: number;
  readonly totalFiles: number;
  readonly totalBytes: number;
}

/** Bytes as B, KB, MB or GB (powers of 1024), with one decimal above bytes. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** A count and its noun: `1 file`, `2 files`. */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** Seconds as `42s`, `3m05s` or `1h02m`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * One progress line after `elapsed` seconds, for example
 * `[##########----------]  50% 10/20 files, 5.0 MB/10.0 MB, 2.5 MB/s, ETA 2s`: files and
 * bytes finished (copied, skipped or failed) of the totals, and the rate at which bytes are
 * copied, so skipped files do not make it look faster than it is.
 */
export function formatProgress(tally: Tally, elapsed: number): string {
  const finished = tally.bytes + tally.passedBytes;
  const share = tally.totalBytes > 0 ? finished / tally.totalBytes : tally.totalFiles > 0 ? tally.files / tally.totalFiles : 1;
  const width = 20;
  const filled = Math.min(width, Math.round(share * width));
  const rate = elapsed > 0 ? tally.bytes / elapsed : 0;
  const left = Math.max(0, tally.totalBytes - finished);
  const eta = left === 0 ? '0s' : rate > 0 ? formatDuration(left / rate) : '?';
  const percent = `${Math.floor(Math.min(1, share) * 100)}%`.padStart(4);
  const skipped = tally.skipped > 0 ? ` (${tally.skipped} skipped)` : '';
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${percent} ${tally.files}/${tally.totalFiles} files${skipped}, ${formatBytes(finished)}/${formatBytes(tally.totalBytes)}, ${formatBytes(rate)}/s, ETA ${eta}`;
}
