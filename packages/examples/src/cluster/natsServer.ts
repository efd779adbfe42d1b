/** Starts a nats-server for the demo on a free loopback port (it must be installed: `apt-get install nats-server`). */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** `nats-server` from `NATS_SERVER`, on `PATH`, or where Debian puts it. */
export function findNatsServer(): string {
  const folders = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/usr/local/bin'];
  const found = process.env.NATS_SERVER ?? folders.map((folder) => join(folder, 'nats-server')).find((path) => existsSync(path));
  if (found === undefined || !existsSync(found)) throw new Error('the cluster demo needs nats-server: install it with `sudo apt-get install -y nats-server` (or set NATS_SERVER)');
  return found;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** A running server, and how to stop it. */
export interface DemoServer {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Starts `nats-server -a 127.0.0.1 -p <free port> -js` (JetStream holds the cluster's names),
 * storing in a temporary folder, and resolves once it listens (bounded).
 */
export async function startNatsServer(): Promise<DemoServer> {
  const port = await freePort();
  const store = mkdtempSync(join(tmpdir(), 'multitask-demo-nats-'));
  const child: ChildProcess = spawn(findNatsServer(), ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', store], { stdio: 'ignore' });
  child.once('exit', () => rmSync(store, { recursive: true, force: true }));
  for (let attempt = 0; ; attempt++) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port }, () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (up) break;
    if (attempt > 100 || child.exitCode !== null) throw new Error('nats-server did not start');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url: `nats://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
