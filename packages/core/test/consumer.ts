// A fresh project that installs @multitask/core the way a user does: from the tarball
// `npm pack` makes, with npm, in a folder of its own outside this repository.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder of the package under test. */
export const coreDir = fileURLToPath(new URL('..', import.meta.url));
/** The fixture projects, copied into each consumer. */
const fixtures = fileURLToPath(new URL('./fixtures/consumer/', import.meta.url));
const require = createRequire(import.meta.url);

/** What a command printed, and how it ended. */
export interface Ran {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The environment for npm and for the consumer's programs: this process's, without what
 * `npm test` adds (`npm_config_local_prefix` and the like would point npm at this repository)
 * and without the loaders the test runner starts its workers with.
 */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^npm_/i.test(key) && key !== 'NODE_OPTIONS' && key !== 'INIT_CWD') env[key] = value;
  }
  return env;
}

/**
 * Runs a command to its end, whatever its exit code, and kills it if it takes longer than
 * `timeout` (a hung program ends as a failed test, with what it printed).
 */
export function run(file: string, args: readonly string[], cwd: string, timeout = 60_000): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd, env: cleanEnv(), timeout, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const failure = error as (Error & { code?: number | string; signal?: NodeJS.Signals | null }) | null;
      const code = failure === null ? 0 : typeof failure.code === 'number' ? failure.code : null;
      resolve({ code, signal: failure?.signal ?? null, stdout, stderr });
    });
  });
}

/** Runs `node` (this one) on a file of the consumer. */
export function node(args: readonly string[], cwd: string): Promise<Ran> {
  return run(process.execPath, args, cwd);
}

/** Fails with what the command printed unless it exited with 0; returns its output. */
export function succeeded(ran: Ran): string {
  if (ran.code !== 0) throw new Error(`exited with ${ran.code ?? ran.signal}\n--- stdout\n${ran.stdout}\n--- stderr\n${ran.stderr}`);
  return ran.stdout;
}

/** The version of a dev dependency as installed here, so that npm finds it in its cache. */
function installedVersion(name: string): string {
  return (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
}

/** Runs the TypeScript compiler of this repository on a consumer project (its `tsconfig.json`, or `config`). */
export function tsc(project: string, config = 'tsconfig.json'): Promise<Ran> {
  return node([require.resolve('typescript/bin/tsc'), '-p', join(project, config)], project);
}

/** A consumer project with @multitask/core installed from its tarball. */
export interface Consumer {
  /** The project's folder, holding `node_modules` and the fixture projects. */
  readonly dir: string;
  /** Removes the project. */
  remove(): void;
}

/**
 * Packs @multitask/core as it is built (`npm test` builds first), copies the fixture projects
 * into a new folder, and installs the tarball there with `extra` dev dependencies of this
 * repository (at the versions installed here). Scripts do not run: packing again would
 * rebuild `dist/` under the feet of the other test files.
 */
export async function installConsumer(extra: readonly string[] = []): Promise<Consumer> {
  const dir = mkdtempSync(join(tmpdir(), 'multitask-consumer-'));
  const remove = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    const packed = succeeded(await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], coreDir));
    const [{ filename }] = JSON.parse(packed) as [{ filename: string }];
    cpSync(fixtures, dir, { recursive: true });
    const deps = ['@types/node', ...extra].map((name) => `${name}@${installedVersion(name)}`);
    succeeded(await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', join(dir, filename), ...deps], dir));
    return { dir, remove };
  } catch (error) {
    remove();
    throw error;
  }
}
