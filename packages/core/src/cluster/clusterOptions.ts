/**
 * The options of a cluster: where its NATS servers are, its name, how often its nodes
 * beat, and how they log in.
 * @packageDocumentation
 */
import { MultitaskError } from '../errors.js';
import { wireLimits, type WireLimits } from '../wire/wireLimits.js';

/**
 * TLS for the connection to the NATS server, passed to the NATS client as it is.
 *
 * @example
 * ```ts
 * const tls: ClusterTls = { caFile: '/etc/nats/ca.pem', certFile: '/etc/nats/node.pem', keyFile: '/etc/nats/node-key.pem' };
 * ```
 */
export interface ClusterTls {
  /** File of the certificate authority that signed the server's certificate. */
  readonly caFile?: string;
  /** The certificate authority, PEM. */
  readonly ca?: string;
  /** File of this node's client certificate (mutual TLS). */
  readonly certFile?: string;
  /** This node's client certificate, PEM. */
  readonly cert?: string;
  /** File of this node's private key. */
  readonly keyFile?: string;
  /** This node's private key, PEM. */
  readonly key?: string;
  /** Start TLS before the server's first word (the server must say `handshake_first`). */
  readonly handshakeFirst?: boolean;
  /**
   * Refuse a server whose certificate does not verify.
   * @defaultValue true
   */
  readonly rejectUnauthorized?: boolean;
}

/**
 * How a node logs in to the NATS server: give one of user and password, a token or an nkey
 * seed, and TLS where the server asks for it. All of it goes to the NATS client unchanged.
 *
 * @example
 * ```ts
 * const auth: ClusterAuth = { user: 'shop', pass: process.env.NATS_PASS ?? '' };
 * ```
 */
export interface ClusterAuth {
  /** User name (with `pass`). */
  readonly user?: string;
  /** Password (with `user`). */
  readonly pass?: string;
  /** A token the server accepts. */
  readonly token?: string;
  /** An nkey seed (`SU...`): the node signs the server's challenge with it. */
  readonly nkeySeed?: string;
  /** TLS options; `{}` turns TLS on with the defaults. */
  readonly tls?: ClusterTls;
}

/**
 * Options of `createSystem({ cluster })`: the system joins the nodes that share the NATS
 * servers and the cluster name.
 *
 * @example
 * ```ts
 * import { createSystem } from '@multitask/core';
 * const system = createSystem({ node: 'a', cluster: { servers: 'nats://127.0.0.1:4222', name: 'shop' } });
 * await system.ready();
 * ```
 */
export interface ClusterOptions {
  /** NATS server URLs (`nats://host:port`), or one. */
  readonly servers: string | readonly string[];
  /** The cluster's name: 1 to 64 letters, digits, `_` or `-`. Nodes with the same servers and name form one cluster. */
  readonly name: string;
  /**
   * The first token of every subject the cluster uses (`<prefix>.<name>.…`): give the
   * cluster's users permissions on `<prefix>.<name>.>` and nothing else.
   * @defaultValue `'multitask'`
   */
  readonly prefix?: string;
  /**
   * Milliseconds between heartbeats of this node.
   * @defaultValue 1000
   */
  readonly heartbeat?: number;
  /**
   * Milliseconds without a word from a node after which it is declared down (`node:down`,
   * and what waited on it settles with `NODE_DOWN`). A node whose process is gone is
   * usually found sooner: one that misses a heartbeat is probed, and NATS answers at once
   * that nobody listens there. A node that joins with the name of a node that fell silent
   * (and that nobody declared down meanwhile) waits this long and a heartbeat before it
   * takes the name over.
   * @defaultValue 3 × `heartbeat`
   */
  readonly downAfter?: number;
  /**
   * Milliseconds joining waits for the nodes already there to answer.
   * @defaultValue `heartbeat`
   */
  readonly joinWindow?: number;
  /** How this node logs in: user and password, token, nkey, TLS. */
  readonly auth?: ClusterAuth;
  /**
   * Milliseconds between tries to reach the server again after the connection dropped
   * (it tries for as long as the system runs).
   * @defaultValue 250
   */
  readonly reconnectWait?: number;
  /** Limits on frames from other nodes (see {@link WireLimits}). */
  readonly limits?: Partial<WireLimits>;
}

/** The options with their defaults, checked. @internal */
export interface ResolvedCluster {
  readonly servers: string[];
  readonly name: string;
  readonly prefix: string;
  readonly heartbeat: number;
  readonly downAfter: number;
  readonly joinWindow: number;
  readonly reconnectWait: number;
  readonly auth: ClusterAuth;
  readonly limits: WireLimits;
}

const TOKEN = /^[A-Za-z0-9_-]{1,64}$/;

function invalid(message: string): never {
  throw new MultitaskError('INVALID_ARGUMENT', message);
}

function milliseconds(value: unknown, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) invalid(`${what} must be a positive number of milliseconds`);
  return value;
}

function checkAuth(auth: unknown): ClusterAuth {
  if (auth === undefined) return {};
  if (typeof auth !== 'object' || auth === null) invalid('cluster.auth must be an object');
  const given = auth as Record<string, unknown>;
  for (const key of ['user', 'pass', 'token', 'nkeySeed'] as const) {
    if (given[key] !== undefined && typeof given[key] !== 'string') invalid(`cluster.auth.${key} must be a string`);
  }
  if (given.tls !== undefined && (typeof given.tls !== 'object' || given.tls === null)) invalid('cluster.auth.tls must be an object');
  return given as ClusterAuth;
}

/**
 * Checks cluster options and fills in the defaults.
 * @throws {@link MultitaskError} `INVALID_ARGUMENT`
 * @internal
 */
export function resolveCluster(options: ClusterOptions): ResolvedCluster {
  if (typeof options !== 'object' || options === null) invalid('options.cluster must be an object');
  const servers = typeof options.servers === 'string' ? [options.servers] : Array.isArray(options.servers) ? [...(options.servers as string[])] : [];
  if (servers.length === 0 || !servers.every((server) => typeof server === 'string' && server.length > 0)) invalid('cluster.servers must be a server URL or a non-empty array of them');
  if (typeof options.name !== 'string' || !TOKEN.test(options.name)) invalid('cluster.name must be 1 to 64 letters, digits, _ or -');
  const prefix = options.prefix ?? 'multitask';
  if (typeof prefix !== 'string' || !TOKEN.test(prefix)) invalid('cluster.prefix must be 1 to 64 letters, digits, _ or -');
  const heartbeat = milliseconds(options.heartbeat, 1000, 'cluster.heartbeat');
  const downAfter = milliseconds(options.downAfter, 3 * heartbeat, 'cluster.downAfter');
  if (downAfter <= heartbeat) invalid('cluster.downAfter must be longer than cluster.heartbeat');
  return {
    servers,
    name: options.name,
    prefix,
    heartbeat,
    downAfter,
    joinWindow: milliseconds(options.joinWindow, heartbeat, 'cluster.joinWindow'),
    reconnectWait: milliseconds(options.reconnectWait, 250, 'cluster.reconnectWait'),
    auth: checkAuth(options.auth),
    limits: wireLimits(options.limits),
  };
}
