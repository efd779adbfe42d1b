/** What `multitask-copy` prints when it is done: the problems, then one line of figures. */
import type { Stage, Summary } from './copyTree.js';
import { count, formatBytes, formatDuration } from './progress.js';

const DOING: Record<Stage, string> = {
  scanning: 'scanning the source',
  creating: 'creating folders and symlinks',
  copying: 'copying',
  finishing: "setting the folders' modes and times",
  verifying: 'verifying',
};

/** The lines that say what went wrong: each file or folder that failed, each copy that differs. */
export function problemLines(summary: Summary): string[] {
  return [
    ...summary.failures.map((failure) => `multitask-copy: could not copy ${failure.path}: ${failure.error}`),
    ...summary.mismatches.map((rel) => `multitask-copy: the copy of ${rel} differs from the original`),
  ];
}

/**
 * The line of figures, for example `copied 120 of 125 files (3.0 MB of 3.5 MB), 7 folders,
 * 3 symlinks in 1s (5 files (512.0 KB) skipped as existing)`: what was copied (of the
 * tree's total, when that is more), what was skipped, and how it ended.
 */
export function summaryLine(summary: Summary): string {
  // Of a walk cut short, the total is not the tree's: it is not shown.
  const all = summary.files === summary.totalFiles || summary.interruptedWhile === 'scanning';
  const files = all ? `${count(summary.files, 'file')} (${formatBytes(summary.bytes)})` : `${summary.files} of ${count(summary.totalFiles, 'file')} (${formatBytes(summary.bytes)} of ${formatBytes(summary.totalBytes)})`;
  const what = `${files}, ${count(summary.folders, 'folder')}, ${count(summary.symlinks, 'symlink')} in ${formatDuration(summary.seconds)}`;
  const extra = [skippedPart(summary), summary.verified ? 'verified' : summary.toCompare > 0 ? `${summary.compared} of ${count(summary.toCompare, 'file')} verified` : '', summary.failures.length > 0 ? `${summary.failures.length} failed` : '', summary.mismatches.length > 0 ? `${summary.mismatches.length} differ` : '']
    .filter((s) => s !== '')
    .join(', ');
  const how = summary.interruptedWhile === undefined ? '' : `interrupted while ${DOING[summary.interruptedWhile]}: `;
  return `${how}copied ${what}${extra === '' ? '' : ` (${extra})`}`;
}

function skippedPart(summary: Summary): string {
  const parts = [summary.skipped > 0 ? `${count(summary.skipped, 'file')} (${formatBytes(summary.skippedBytes)})` : '', summary.skippedSymlinks > 0 ? count(summary.skippedSymlinks, 'symlink') : ''].filter((s) => s !== '');
  return parts.length === 0 ? '' : `${parts.join(' and ')} skipped as existing`;
}
