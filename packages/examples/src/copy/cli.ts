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
import { UsageError } from './plan.js';
import { problemLines, summaryLine } from './report.js';

/**
 * Runs the tool; resolves with the exit code.
 * @param io - whether stderr is a terminal (read from `process.stderr` when left out, and
 * only to draw progress: on a pipe, `process.stderr` loads Node's `net` and streams, ~1 ms of
 * a quiet copy's start), and the signal that interrupts the copy
 */
export async function main(argv: readonly string[], io: { readonly isTTY?: boolean; readonly signal?: AbortSignal } = {}): Promise<number> {
  let command: CommandLine;
  try {
    command = parseCommandLine(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`multitask-copy: ${error.message}\n${USAGE}\n(multitask-copy --help for more)\n`);
    return 2;
  }
  if (command.kind !== 'copy') {
    process.stdout.write(`${command.kind === 'help' ? HELP : packageVersion()}\n`);
    return 0;
  }
  const progress = command.quiet || command.json ? 'none' : (io.isTTY ?? process.stderr.isTTY === true) ? 'bar' : 'lines';
  let summary: Summary;
  try {
    const inspect = command.inspect ? { inspect: (url: string) => void process.stderr.write(`multitask-copy: inspector at ${url}\n`) } : {};
    summary = await copyTree(command.src, command.dst, { ...command.options, progress, ...inspect, ...(io.signal === undefined ? {} : { signal: io.signal }) });
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`multitask-copy: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (command.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else {
    for (const line of problemLines(summary)) process.stderr.write(`${line}\n`);
    if (!command.quiet) process.stderr.write(`${summaryLine(summary)}\n`);
  }
  if (summary.interrupted) return 130;
  return summary.failures.length > 0 || summary.mismatches.length > 0 ? 1 : 0;
}

/** Runs the command with this process's arguments, Ctrl-C handling and exit code. */
export async function runCli(): Promise<void> {
  // Ctrl-C: nothing new starts, the files being copied finish, temporary files are removed.
  const stop = new AbortController();
  process.on('SIGINT', () => {
    // A second Ctrl-C does not cut the clean-up short: the files in progress are moments away.
    process.stderr.write(stop.signal.aborted ? 'multitask-copy: still finishing the files in progress...\n' : '\nmultitask-copy: interrupted: stopping once the files being copied are done...\n');
    stop.abort();
  });
  process.exitCode = await main(process.argv.slice(2), { signal: stop.signal });
}
