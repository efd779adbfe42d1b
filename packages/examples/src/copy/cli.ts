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
import { availableParallelism } from 'node:os';
import { copyTree, type CopyOptions, type CopyPlacement, type Summary } from './copyTree.js';
import { formatBytes, formatDuration } from './progress.js';
import { UsageError } from './plan.js';

// #region usage
const USAGE = `usage: multitask-copy SRC DST [--workers N] [--placement auto|inline|thread|process]
                      [--overwrite | --skip-existing] [--verify] [--quiet] [--json]`;
// #endregion usage

interface Args {
  readonly src: string;
  readonly dst: string;
  readonly options: Omit<CopyOptions, 'signal' | 'progress'>;
  readonly quiet: boolean;
  readonly json: boolean;
}

/** Reads the command line. @throws UsageError */
export function parseArgs(argv: readonly string[]): Args {
  const positional: string[] = [];
  let workers = Math.max(2, availableParallelism());
  let placement: CopyPlacement = 'auto';
  let existing: CopyOptions['existing'] = 'refuse';
  let verify = false;
  let quiet = false;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined) throw new UsageError(`${arg} needs a value`);
      return next;
    };
    switch (arg) {
      case '--workers':
        workers = Number(value());
        if (!(Number.isInteger(workers) && workers > 0)) throw new UsageError('--workers needs a positive integer');
        break;
      case '--placement': {
        const p = value();
        if (p !== 'auto' && p !== 'inline' && p !== 'thread' && p !== 'process') throw new UsageError('--placement must be auto, inline, thread or process');
        placement = p;
        break;
      }
      case '--overwrite':
      case '--skip-existing':
        if (existing !== 'refuse') throw new UsageError('pass --overwrite or --skip-existing, not both');
        existing = arg === '--overwrite' ? 'overwrite' : 'skip';
        break;
      case '--verify':
        verify = true;
        break;
      case '--quiet':
        quiet = true;
        break;
      case '--json':
        json = true;
        break;
      default:
        if (arg.startsWith('--')) throw new UsageError(`unknown option ${arg}`);
        positional.push(arg);
    }
  }
  if (positional.length !== 2) throw new UsageError('expected SRC and DST');
  return { src: positional[0] as string, dst: positional[1] as string, options: { workers, placement, existing, verify }, quiet, json };
}

/** Runs the tool; resolves with the exit code. */
export async function main(argv: readonly string[], io: { readonly isTTY: boolean; readonly signal?: AbortSignal } = { isTTY: process.stderr.isTTY === true }): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (error) {
    process.stderr.write(`multitask-copy: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
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
