import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MultitaskError } from '../errors.js';
import type { ActorSystem } from '../system/ActorSystem.js';
import { inspectorPage } from './page.js';

/**
 * Options of {@link serveInspector}.
 *
 * @example
 * ```ts
 * const inspector = await serveInspector(system, { port: 9229, interval: 500 });
 * ```
 */
export interface InspectorOptions {
  /**
   * The TCP port; 0 picks a free one.
   * @defaultValue 0
   */
  readonly port?: number;
  /**
   * The address to bind. Anything but loopback exposes the system's state (payloads are
   * never shown, but names, errors and stacks are) to whoever has the token.
   * @defaultValue `'127.0.0.1'`
   */
  readonly host?: string;
  /**
   * The token a browser must present (`?token=` or `Authorization: Bearer`).
   * @defaultValue 24 random bytes, base64url
   */
  readonly token?: string;
  /**
   * Milliseconds between two snapshots pushed to the page (taken only while a page is open).
   * @defaultValue 1000
   */
  readonly interval?: number;
}

/**
 * A running inspector: see {@link serveInspector}.
 *
 * @example
 * ```ts
 * await using inspector = await serveInspector(system);
 * console.log(`inspector: ${inspector.url}`);
 * ```
 */
export interface Inspector {
  /** The page's address, with its token. */
  readonly url: string;
  /** The token a request must carry. */
  readonly token: string;
  /** The TCP port it listens on (the one picked, for port 0). */
  readonly port: number;
  /** Stops serving and ends the pages' live updates. */
  close(): Promise<void>;
  /** {@link Inspector.close}: `await using inspector = await serveInspector(system)`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Serves a live view of `system` on a web page: the actor tree (collapsible, coloured by
 * status), mailbox depths and message rates with sparklines, restarts and last crashes
 * with their stacks, hosts' memory, pools' utilisation per worker, channels' fill, dead
 * letters. The page updates itself from server-sent events carrying
 * {@link ActorSystem.inspect} snapshots; clicking an actor shows its details.
 *
 * @remarks
 * Binds to loopback unless told otherwise, and answers only requests that carry the token
 * (printed by whoever prints `url`) and, on loopback, name a loopback host (no DNS
 * rebinding). Snapshots are taken only while a page is open.
 *
 * @param system - the system to show
 * @param options - port, host, token, update interval
 * @throws (rejects with) {@link MultitaskError} `INVALID_ARGUMENT` for a bad option, or the
 * server's error when it cannot listen (`EADDRINUSE`, ...)
 *
 * @example
 * ```ts
 * import { createSystem, serveInspector } from '@multitask/core';
 *
 * await using system = createSystem();
 * const inspector = await serveInspector(system, { port: 0 });
 * console.log(`open ${inspector.url}`);
 * ```
 */
export async function serveInspector(system: ActorSystem, options: InspectorOptions = {}): Promise<Inspector> {
  // Loaded here, not with the package: every thread and process that imports it would pay for them.
  const [{ createServer }, { randomBytes, timingSafeEqual }] = await Promise.all([import('node:http'), import('node:crypto')]);
  const { port, host, token, interval } = checkOptions(options, () => randomBytes(24).toString('base64url'));
  const live = new LiveSnapshots(system, interval);
  const server = createServer((request, response) => handle(request, response, { token, host, live, equal: timingSafeEqual }));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const close = (): Promise<void> => stop(server, live);
  return { url: `http://${shownHost}:${bound}/?token=${encodeURIComponent(token)}`, token, port: bound, close, [Symbol.asyncDispose]: close };
}

function checkOptions(options: InspectorOptions, newToken: () => string): Required<InspectorOptions> {
  if (typeof options !== 'object' || options === null) throw new MultitaskError('INVALID_ARGUMENT', 'serveInspector: options must be an object');
  const { port = 0, host = '127.0.0.1', token = newToken(), interval = 1_000 } = options;
  if (!(Number.isInteger(port) && port >= 0 && port < 65_536)) throw new MultitaskError('INVALID_ARGUMENT', 'serveInspector: options.port must be an integer from 0 to 65535');
  if (typeof host !== 'string' || host.length === 0) throw new MultitaskError('INVALID_ARGUMENT', 'serveInspector: options.host must be a non-empty string');
  if (typeof token !== 'string' || token.length < 8) throw new MultitaskError('INVALID_ARGUMENT', 'serveInspector: options.token must be a string of at least 8 characters');
  if (!(typeof interval === 'number' && interval >= 50)) throw new MultitaskError('INVALID_ARGUMENT', 'serveInspector: options.interval must be at least 50 milliseconds');
  return { port, host, token, interval };
}

async function stop(server: Server, live: LiveSnapshots): Promise<void> {
  live.end();
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/;

/** What a request is served with: the token, the address bound, the live snapshots, and a constant-time comparison. */
interface Serving {
  readonly token: string;
  readonly host: string;
  readonly live: LiveSnapshots;
  readonly equal: (a: Buffer, b: Buffer) => boolean;
}

function handle(request: IncomingMessage, response: ServerResponse, { token, host, live, equal }: Serving): void {
  const url = new URL(request.url ?? '/', 'http://inspector');
  const bindsLoopback = LOOPBACK.test(host) || host === '::1';
  if (bindsLoopback && !LOOPBACK.test(request.headers.host ?? '')) return void response.writeHead(421).end('misdirected request\n');
  if (!authorised(request, url, token, equal)) return void response.writeHead(401, { 'content-type': 'text/plain' }).end('the inspector needs its token: open the URL it printed\n');
  const headers = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };
  switch (url.pathname) {
    case '/':
      response.writeHead(200, { ...headers, 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'" });
      return void response.end(inspectorPage());
    case '/snapshot':
      live.once().then(
        (json) => response.writeHead(200, { ...headers, 'content-type': 'application/json' }).end(json),
        (error: unknown) => response.writeHead(500, headers).end(String(error)),
      );
      return;
    case '/events':
      response.writeHead(200, { ...headers, 'content-type': 'text/event-stream', connection: 'keep-alive' });
      return live.add(response);
    default:
      return void response.writeHead(404, headers).end('not found\n');
  }
}

function authorised(request: IncomingMessage, url: URL, token: string, equal: Serving['equal']): boolean {
  const header = request.headers.authorization;
  const given = header?.startsWith('Bearer ') === true ? header.slice(7) : (url.searchParams.get('token') ?? '');
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && equal(a, b);
}

/**
 * The snapshots pushed to open pages: one taken per interval while a page listens, and
 * the same one sent to each.
 */
class LiveSnapshots {
  readonly #system: ActorSystem;
  readonly #interval: number;
  readonly #clients = new Set<ServerResponse>();
  #timer: NodeJS.Timeout | undefined;
  #taking = false;

  constructor(system: ActorSystem, interval: number) {
    this.#system = system;
    this.#interval = interval;
  }

  async once(): Promise<string> {
    return JSON.stringify(await this.#system.inspect());
  }

  add(client: ServerResponse): void {
    this.#clients.add(client);
    client.on('close', () => {
      this.#clients.delete(client);
      if (this.#clients.size === 0) this.#pause();
    });
    void this.#push();
    this.#timer ??= setInterval(() => void this.#push(), this.#interval);
  }

  async #push(): Promise<void> {
    if (this.#taking || this.#clients.size === 0) return;
    this.#taking = true;
    try {
      const event = this.#system.isShutDown ? 'event: end\ndata: {}\n\n' : `data: ${await this.once()}\n\n`;
      for (const client of this.#clients) client.write(event);
    } catch {
      // A snapshot that failed (the system shutting down): the next tick tries again.
    } finally {
      this.#taking = false;
    }
  }

  #pause(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  end(): void {
    this.#pause();
    for (const client of this.#clients) client.end();
    this.#clients.clear();
  }
}
