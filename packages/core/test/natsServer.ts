import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** The one line that installs the server on this kind of machine. */
export const INSTALL_COMMAND = 'sudo apt-get install -y nats-server';

/** `nats-server` from `NATS_SERVER`, or on `PATH` (and the sbin folders Debian puts it in). */
export function findNatsServer(): string | undefined {
  const given = process.env.NATS_SERVER;
  if (given !== undefined && given !== '') return existsSync(given) ? given : undefined;
  const folders = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/usr/local/bin', '/usr/bin'];
  for (const folder of folders) {
    const candidate = join(folder, 'nats-server');
    if (folder !== '' && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Finds `nats-server`, installing Debian's package when it is missing and this process may
 * (root, apt-get); otherwise fails with the one-line install command.
 */
export function ensureNatsServer(): string {
  const found = findNatsServer();
  if (found !== undefined) return found;
  const root = process.getuid?.() === 0;
  const apt = spawnSync('sh', ['-c', 'command -v apt-get'], { encoding: 'utf8' }).status === 0;
  if (root && apt) {
    const quiet = { stdio: 'ignore' as const, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } };
    if (spawnSync('apt-get', ['install', '-y', 'nats-server'], quiet).status !== 0) {
      spawnSync('apt-get', ['update'], quiet);
      spawnSync('apt-get', ['install', '-y', 'nats-server'], quiet);
    }
    const installed = findNatsServer();
    if (installed !== undefined) return installed;
  }
  throw new Error(`the cluster tests need nats-server (2.9 or later); install it with: ${INSTALL_COMMAND} (or set NATS_SERVER to its path)`);
}

/** A free TCP port on loopback (the kernel picks; a server started right after takes it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Resolves once something accepts connections on `port` (bounded: 100 tries, 50 ms apart). */
async function listening(port: number, child: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) throw new Error(`nats-server exited with code ${child.exitCode}`);
    const up = await new Promise<boolean>((resolve) => {
      const socket = tcpConnect({ host: '127.0.0.1', port }, () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (up) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nats-server did not listen on port ${port}`);
}

/** A `nats-server` of a test file's own, on a free loopback port. */
export interface NatsServer {
  readonly url: string;
  readonly port: number;
  /** Stops it (SIGTERM; SIGKILL after 5 s). */
  stop(): Promise<void>;
  /** Starts it again on the same port (after `stop`). */
  start(): Promise<void>;
  /** Stops it for good and removes what it stored. */
  dispose(): Promise<void>;
}

/** Starts `nats-server -a 127.0.0.1 -p <free port> -js -sd <temp dir>` with `args` after. */
export async function startNatsServer(args: readonly string[] = []): Promise<NatsServer> {
  const binary = ensureNatsServer();
  const port = await freePort();
  const store = mkdtempSync(join(tmpdir(), 'multitask-nats-'));
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    const started = spawn(binary, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', store, ...args], { stdio: 'ignore' });
    child = started;
    await listening(port, started);
  };
  const stop = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGTERM');
    const timer = setTimeout(() => running.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    start,
    stop,
    async dispose() {
      await stop();
      rmSync(store, { recursive: true, force: true });
    },
  };
}
