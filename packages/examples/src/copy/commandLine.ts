/**
 * The command line of `multitask-copy`, read with Node's own `util.parseArgs`: `--opt value`
 * and `--opt=value`, `-h`, `--` before a SRC or DST that starts with `-`, and a usage error
 * (exit 2) for anything it does not know.
 */
import { availableParallelism } from 'node:os';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { CopyOptions, CopyPlacement } from './copyTree.js';
import { UsageError } from './plan.js';

// #region usage
const HELP = `usage: multitask-copy SRC DST [--workers N] [--placement auto|inline|thread|process]
                      [--overwrite | --skip-existing] [--verify] [--inspect] [--quiet] [--json]

Copies the folder SRC to DST with a pool of copier actors, showing progress on stderr.

options:
  --workers N            copier actors (and pool workers); default: the core count, at least 2
  --placement WHERE      where the copiers run: auto (default), inline, thread or process
  --overwrite            replace files and symlinks already in DST
  --skip-existing        keep files and symlinks already in DST
                         (with neither, the copy refuses to start if DST has any of them)
  --verify               compare SHA-256 hashes of every file and its copy afterwards
  --inspect              serve a live inspector of the copy's actors on 127.0.0.1 while it
                         runs, and print its address (with its token) on stderr
  --quiet                no progress and no summary; errors only
  --json                 a summary object on stdout (and nothing else there)
  -h, --help             this help
  --version              the version

exit codes: 0 copied; 1 some entries could not be copied (listed); 2 bad arguments or
folders; 130 interrupted (Ctrl-C).`;
// #endregion usage

/** The first lines of {@link HELP}: what a usage error prints after its message. */
export const USAGE = HELP.slice(0, HELP.indexOf('\n\n'));
export { HELP };

/** The options `parseArgs` knows; every one is in {@link HELP} and in docs/examples.md. */
export const OPTIONS = {
  workers: { type: 'string' },
  placement: { type: 'string' },
  overwrite: { type: 'boolean' },
  'skip-existing': { type: 'boolean' },
  verify: { type: 'boolean' },
  inspect: { type: 'boolean' },
  quiet: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

/** What the command line asks for: help, the version, or a copy. */
export type CommandLine =
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }
  | {
      readonly kind: 'copy';
      readonly src: string;
      readonly dst: string;
      readonly options: Omit<CopyOptions, 'signal' | 'progress' | 'inspect'>;
      /** `--inspect`: serve the inspector while the copy runs. */
      readonly inspect: boolean;
      readonly quiet: boolean;
      readonly json: boolean;
    };

const PLACEMENTS: readonly CopyPlacement[] = ['auto', 'inline', 'thread', 'process'];

/**
 * Reads the command line (without `node` and the script).
 * @throws UsageError for an unknown option, a missing or bad value, or not exactly SRC and DST
 */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  const { values, positionals } = parse(argv);
  if (values.help === true) return { kind: 'help' };
  if (values.version === true) return { kind: 'version' };
  if (positionals.length !== 2) throw new UsageError(positionals.length < 2 ? 'expected SRC and DST' : `expected SRC and DST, got ${positionals.length} paths`);
  const workers = values.workers === undefined ? Math.max(2, availableParallelism()) : Number(values.workers);
  if (!(Number.isInteger(workers) && workers > 0)) throw new UsageError('--workers needs a positive integer');
  const placement = (values.placement ?? 'auto') as CopyPlacement;
  if (!PLACEMENTS.includes(placement)) throw new UsageError('--placement must be auto, inline, thread or process');
  if (values.overwrite === true && values['skip-existing'] === true) throw new UsageError('pass --overwrite or --skip-existing, not both');
  const existing = values.overwrite === true ? 'overwrite' : values['skip-existing'] === true ? 'skip' : 'refuse';
  return {
    kind: 'copy',
    src: positionals[0] as string,
    dst: positionals[1] as string,
    options: { workers, placement, existing, verify: values.verify === true },
    inspect: values.inspect === true,
    quiet: values.quiet === true,
    json: values.json === true,
  };
}

/**
 * `util.parseArgs` with tokens, then the checks its strict mode makes, in this tool's words:
 * an unknown option, a value missing (`--workers` last, or `--workers --verify`) or given to
 * a flag (`--verify=yes`).
 */
function parse(argv: readonly string[]): { values: Partial<Record<keyof typeof OPTIONS, string | boolean>>; positionals: string[] } {
  const { values, positionals, tokens } = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: false, tokens: true });
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const name = token.rawName;
    if (!Object.hasOwn(OPTIONS, token.name)) throw new UsageError(`unknown option ${name} (a SRC or DST that starts with - goes after --)`);
    const type = OPTIONS[token.name as keyof typeof OPTIONS].type;
    if (type === 'boolean' && token.value !== undefined) throw new UsageError(`${name} takes no value`);
    if (type === 'string' && token.value === undefined) throw new UsageError(`${name} needs a value`);
    // Like strict mode: `--workers --verify` is a forgotten value, not a value; `--workers=-1` is one.
    if (type === 'string' && token.inlineValue === false && /^-./.test(token.value ?? '')) throw new UsageError(`${name} needs a value (write ${name}=VALUE for one that starts with -)`);
  }
  return { values, positionals };
}

/** The version of the package the command ships in. */
export function packageVersion(): string {
  // ../../package.json from src/copy/, dist/copy/ and the bundle in dist/copy/ alike.
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}
