/**
 * multitask-copy SRC DST: copies a folder with a pool of copier actors and a progress bar.
 *
 * Python's tutorial copies a folder with a Pool and reports progress through a Queue; this
 * is that program grown into a tool: copiers on the pool's workers (or, for a small copy, on
 * the main thread) copy in the kernel (`fs.copyFile`), report through a channel, and a
 * progress actor draws the bar.
 *
 * Exit codes: 0 copied; 1 some files or folders could not be copied (listed); 2 bad
 * arguments or folders; 130 interrupted (Ctrl-C).
 */
import { copyTree, type Summary } from './copyTree.js';
import { HELP, packageVersion, parseCommandLine, USAGE, type CommandLine } from './commandLine.js';
import { formatBytes, formatDuration } from './progress.js';
import { UsageError } from './plan.js';

/** Runs the tool; resolves with the exit code. */
export async function main(argv: readonly string[], io: { readonly isTTY: boolean; readonly signal?: AbortSignal } = { isTTY: process.stderr.isTTY === true }): Promise<number> {
  let args: CommandLine;
  try {
    args = parseCommandLine(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`multitask-copy: ${error.message}\n${USAGE}\n(multitask-copy --help for more)\n`);
    return 2;
  }
  if (args.kind !== 'copy') {
    process.stdout.write(`${args.kind === 'help' ? HELP : packageVersion()}\n`);
    return 0;
  }
  const progress = args.quiet || args.json ? 'none' : io.isTTY ? 'bar' : 'lines';
  let summary: Summary;
  try {
    summary = await copyTree(args.src, args.dst, { ...args.options, progress, ...(io.signal === undefined ? {} : { signal: io.signal }) });
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`multitask-copy: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (args.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else report(summary, args.quiet);
  if (summary.interrupted) return 130;
  return summary.failures.length > 0 || summary.mismatches.length > 0 ? 1 : 0;
}

function report(summary: Summary, quiet: boolean): void {
  const out = (line: string): boolean => process.stderr.write(`${line}\n`);
  for (const failure of summary.failures) out(`multitask-copy: could not copy ${failure.path}: ${failure.error}`);
  for (const rel of summary.mismatches) out(`multitask-copy: the copy of ${rel} differs from the original`);
  if (quiet) return;
  const what = `${summary.files} files (${formatBytes(summary.bytes)}), ${summary.folders} folders, ${summary.symlinks} symlinks`;
  const extra = [summary.skipped > 0 ? `${summary.skipped} skipped as existing` : '', summary.verified ? 'verified' : '', summary.failures.length > 0 ? `${summary.failures.length} failed` : '']
    .filter((s) => s !== '')
    .join(', ');
  out(`${summary.interrupted ? 'interrupted after copying' : 'copied'} ${what} in ${formatDuration(summary.seconds)}${extra === '' ? '' : ` (${extra})`}`);
}

/** Runs the command with this process's arguments, Ctrl-C handling and exit code. */
export async function runCli(): Promise<void> {
  // Ctrl-C: no new files start, those copying finish, temporary files are removed.
  const stop = new AbortController();
  process.on('SIGINT', () => {
    // A second Ctrl-C does not cut the clean-up short: the files in progress are seconds away.
    process.stderr.write(stop.signal.aborted ? 'multitask-copy: still finishing the files in progress...\n' : '\nmultitask-copy: interrupted, finishing the files in progress...\n');
    stop.abort();
  });
  process.exitCode = await main(process.argv.slice(2), { isTTY: process.stderr.isTTY === true, signal: stop.signal });
}
