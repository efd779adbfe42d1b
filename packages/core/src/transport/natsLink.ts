/**
 * The NATS adapter: one connection per system, an {@link Endpoint} per peer system over it,
 * and the control subjects membership talks on. The NATS client is imported only when a
 * link is opened, so a system without a cluster never loads it.
 * @internal
 * @packageDocumentation
 */
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { MultitaskError } from '../errors.js';
import { serializeError } from '../wire/errorWire.js';
import { FrameWriter, readFrame, type Frame } from '../wire/frames.js';
import type { SystemId } from '../wire/ids.js';
import { isTooLarge, tooLarge, type MsgpackCodec } from '../wire/msgpackCodec.js';
import type { Envelope } from '../wire/protocol.js';
import type { Endpoint } from './Endpoint.js';
import type { Bucket } from './natsBucket.js';

/** How the connection logs in (passed to the NATS client). @internal */
export interface NatsAuth {
  readonly user?: string;
  readonly pass?: string;
  readonly token?: string;
  readonly nkeySeed?: string;
  readonly tls?: object;
}

/** @internal */
export interface NatsLinkOptions {
  readonly servers: readonly string[];
  /** The client's name on the server (for its monitoring pages). */
  readonly clientName: string;
  readonly auth: NatsAuth;
  readonly reconnectWait: number;
  /** `<prefix>.<cluster>`: every subject of the link starts with it. */
  readonly root: string;
  /** This system: its data and control subjects end with it. */
  readonly self: SystemId;
  readonly codec: MsgpackCodec;
}

/** What the link reports. @internal */
export interface NatsLinkEvents {
  /** The connection to the server dropped (`false`) or came back (`true`). */
  connection(up: boolean): void;
  /** A message on a control subject (`hello`, `beat`, `bye`, or this system's own `ctl`). */
  control(kind: 'hello' | 'beat' | 'bye' | 'ctl', data: Uint8Array, reply: string | undefined): void;
  /** Bytes that could not be read, or came from a system that is not joined. */
  badFrame(from: SystemId | undefined, reason: string): void;
  /** A data message is about to be read (membership checks first that this node was not paused). */
  awake(): void;
  /** Data came from `system`, which is not joined (an incarnation declared down, perhaps). */
  stranger(system: SystemId): void;
}

/** A peer's endpoint, with the end membership calls when it declares the peer down. @internal */
export interface NatsPeerEndpoint extends Endpoint {
  /** Ends the link to the peer: its `onClose` listeners hear `error`. */
  end(error: Error): void;
  /**
   * Refuses (`NODE_DOWN`, with `reason`) what is posted to the peer until called with
   * `undefined`: after this node's connection came back, until the peer is heard again,
   * what is published to it could fall into the void (it may not have reconnected yet).
   */
  hold(reason: string | undefined): void;
}

interface PeerLink {
  receiver: ((frame: Frame) => void) | undefined;
  readonly closers: Array<(error: Error) => void>;
}

const SYSTEM_TOKEN = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * A system's connection to the cluster's NATS servers. Data to a peer goes to
 * `<root>.data.<peer>.<self>`: the sender is the subject's last token, so that server
 * permissions can pin each node to its own sender token.
 * @internal
 */
export class NatsLink {
  readonly #nc: NatsConnection;
  readonly #options: NatsLinkOptions;
  readonly #events: NatsLinkEvents;
  readonly #peers = new Map<SystemId, PeerLink>();
  readonly #subscriptions: Subscription[] = [];
  readonly #listeners = new Set<(up: boolean) => void>();
  /** Settles when the connection is next up (or closed for good), for whoever waits meanwhile. */
  #back: { readonly promise: Promise<void>; resolve(): void; reject(error: Error): void } | undefined;
  #connected = true;
  #closed = false;

  private constructor(nc: NatsConnection, options: NatsLinkOptions, events: NatsLinkEvents) {
    this.#nc = nc;
    this.#options = options;
    this.#events = events;
  }

  /** Connects and subscribes; resolves once the server has the subscriptions. */
  static async open(options: NatsLinkOptions, events: NatsLinkEvents): Promise<NatsLink> {
    const nats = await import('@nats-io/transport-node');
    const { user, pass, token, nkeySeed, tls } = options.auth;
    const nc = await nats.connect({
      servers: [...options.servers],
      name: options.clientName,
      noEcho: true, // a node does not hear its own beats
      noAsyncTraces: true, // a request does not capture a stack it is never asked for (an Error per request)
      maxReconnectAttempts: -1,
      reconnectTimeWait: options.reconnectWait,
      ...(user === undefined ? {} : { user }),
      ...(pass === undefined ? {} : { pass }),
      ...(token === undefined ? {} : { token }),
      ...(nkeySeed === undefined ? {} : { authenticator: nats.nkeyAuthenticator(new TextEncoder().encode(nkeySeed)) }),
      ...(tls === undefined ? {} : { tls }),
    });
    const link = new NatsLink(nc, options, events);
    link.#listen();
    await nc.flush();
    return link;
  }

  /** Whether the connection to the server is up now. */
  get connected(): boolean {
    return this.#connected && !this.#closed;
  }

  /** The connection itself, for JetStream (durable channels open their streams over it). */
  get connection(): NatsConnection {
    return this.#nc;
  }

  /** The most bytes the server takes in one message. */
  get maxPayload(): number {
    return this.#nc.info?.max_payload ?? 1024 * 1024;
  }

  #listen(): void {
    const root = this.#options.root;
    const self = this.#options.self;
    this.#subscriptions.push(this.#nc.subscribe(`${root}.data.${self}.*`, { callback: (_error, msg) => this.#data(msg) }));
    for (const kind of ['hello', 'beat', 'bye'] as const) this.#subscriptions.push(this.#nc.subscribe(`${root}.${kind}`, { callback: (_error, msg) => this.#events.control(kind, msg.data, msg.reply) }));
    this.#subscriptions.push(this.#nc.subscribe(`${root}.ctl.${self}`, { callback: (_error, msg) => this.#events.control('ctl', msg.data, msg.reply) }));
    void this.#watch();
  }

  async #watch(): Promise<void> {
    void this.#nc.closed().then(() => this.#ended());
    for await (const status of this.#nc.status()) {
      if (status.type === 'disconnect' && this.#connected) {
        this.#connected = false;
        this.#events.connection(false);
        this.#tell(false);
      } else if (status.type === 'reconnect' && !this.#connected) {
        this.#connected = true;
        this.#events.connection(true);
        this.#back?.resolve();
        this.#back = undefined;
        this.#tell(true);
      }
    }
  }

  /** Tells the listeners; one that throws does not keep the others from hearing. */
  #tell(up: boolean): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(up);
      } catch {
        // isolated: a listener's failure is its own
      }
    }
  }

  /** The connection is closed for good: whoever waits for it to come back hears so. */
  #ended(): void {
    this.#closed = true;
    this.#back?.reject(new MultitaskError('NODE_DOWN', "this node's connection to the NATS server is closed"));
    this.#back = undefined;
  }

  /**
   * Calls `listener` each time the connection drops (`false`) or comes back (`true`).
   * @returns the removal
   */
  onConnection(listener: (up: boolean) => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  /**
   * Resolves once the connection is up: at once when it is, else when it comes back.
   * @throws (rejects with) {@link MultitaskError} `NODE_DOWN` once the connection is closed for good
   */
  whenConnected(): Promise<void> {
    if (this.#closed || this.#nc.isClosed()) return Promise.reject(new MultitaskError('NODE_DOWN', "this node's connection to the NATS server is closed"));
    if (this.#connected) return Promise.resolve();
    if (this.#back === undefined) {
      let resolve!: () => void;
      let reject!: (error: Error) => void;
      const promise = new Promise<void>((yes, no) => ((resolve = yes), (reject = no)));
      promise.catch(() => undefined); // heard by whoever waits
      this.#back = { promise, resolve, reject };
    }
    return this.#back.promise;
  }

  #data(msg: Msg): void {
    this.#events.awake();
    const from = msg.subject.slice(msg.subject.lastIndexOf('.') + 1) as SystemId;
    const peer = this.#peers.get(from);
    if (peer?.receiver === undefined) {
      const known = SYSTEM_TOKEN.test(from);
      if (known) this.#events.stranger(from);
      return this.#events.badFrame(known ? from : undefined, 'from a node that is not joined');
    }
    let frame: Frame;
    try {
      frame = this.#options.codec.decode(msg.data);
    } catch (error) {
      return this.#events.badFrame(from, error instanceof Error ? error.message : String(error));
    }
    try {
      peer.receiver(frame);
    } catch (error) {
      // A frame that decodes but is not made of envelopes (a rogue sender's): what was read of it stands.
      this.#events.badFrame(from, `not a frame of envelopes (${error instanceof Error ? error.message : String(error)})`);
    }
  }

  /** The endpoint to `peer` (one per peer; a later call replaces the earlier one). */
  endpoint(peer: SystemId, name: string): NatsPeerEndpoint {
    const link: PeerLink = { receiver: undefined, closers: [] };
    this.#peers.set(peer, link);
    const subject = `${this.#options.root}.data.${peer}.${this.#options.self}`;
    let ended = false;
    let held: string | undefined;
    const end = (error: Error): void => {
      if (ended) return;
      ended = true;
      if (this.#peers.get(peer) === link) this.#peers.delete(peer);
      for (const closer of link.closers) closer(error);
    };
    return {
      packsRuns: true, // the peer runs this codec version (a frame of another is refused)
      post: (frame) => {
        if (held !== undefined && this.connected) throw new MultitaskError('NODE_DOWN', `node '${name}' cannot be reached: ${held}`);
        this.#post(subject, name, frame);
      },
      hold: (reason) => void (held = reason),
      onReceive: (receiver) => void (link.receiver = receiver),
      onClose: (listener) => void link.closers.push(listener),
      close: () => end(new MultitaskError('NODE_DOWN', `the link to node '${name}' was closed`)),
      end,
    };
  }

  #post(subject: string, name: string, frame: Frame): void {
    if (!this.connected) throw new MultitaskError('NODE_DOWN', `node '${name}' cannot be reached: this node's connection to the NATS server is down`);
    let messages: Uint8Array[];
    try {
      messages = this.#fitting(frame);
    } catch (error) {
      // A reply that cannot travel is answered with its error, so that its asker is not left waiting.
      const instead = failInstead(frame, error);
      if (instead === undefined) throw error;
      messages = [this.#options.codec.encode(instead)];
    }
    try {
      for (const bytes of messages) this.#nc.publish(subject, bytes);
    } catch (error) {
      throw new MultitaskError('NODE_DOWN', `node '${name}' cannot be reached: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }

  /**
   * The frame as messages the server takes: one, or (a batch too large together) its
   * envelopes in halves, in order. Every part is encoded before any is published, so a
   * refusal (one envelope too large on its own) leaves nothing half sent.
   */
  #fitting(frame: Frame): Uint8Array[] {
    try {
      const bytes = this.#options.codec.encode(frame);
      if (bytes.length <= this.maxPayload) return [bytes];
      throw tooLarge(`a message of ${bytes.length} bytes is more than the NATS server's max_payload (${this.maxPayload} bytes): send large data in parts, or raise max_payload`);
    } catch (error) {
      const envelopes: Envelope[] = [];
      if (isTooLarge(error)) readFrame(frame, (envelope) => envelopes.push(envelope));
      if (envelopes.length < 2) throw error;
      const half = Math.ceil(envelopes.length / 2);
      return [...this.#fitting(frameOf(envelopes.slice(0, half))), ...this.#fitting(frameOf(envelopes.slice(half)))];
    }
  }

  /** Publishes a control message (JSON) on `<root>.<kind>`, or to a reply subject. */
  publish(kind: 'hello' | 'beat' | 'bye' | { readonly reply: string }, body: unknown, replyTo?: 'ctl'): void {
    if (!this.connected) return;
    const subject = typeof kind === 'string' ? `${this.#options.root}.${kind}` : kind.reply;
    const reply = replyTo === undefined ? undefined : `${this.#options.root}.ctl.${this.#options.self}`;
    try {
      this.#nc.publish(subject, JSON.stringify(body), reply === undefined ? undefined : { reply });
    } catch {
      // the connection is closing or dropped: membership hears of it through the status
    }
  }

  /** Publishes a control message (JSON) on `peer`'s own control subject. */
  publishTo(peer: SystemId, body: unknown): void {
    if (!this.connected) return;
    try {
      this.#nc.publish(`${this.#options.root}.ctl.${peer}`, JSON.stringify(body));
    } catch {
      // the connection is closing or dropped: membership hears of it through the status
    }
  }

  /**
   * Asks `peer`'s control subject whether it is there.
   * @returns `'gone'` when the server says nobody listens there (its process is gone), else `'alive'` or `'unknown'`
   */
  async probe(peer: SystemId, body: unknown, timeout: number): Promise<'alive' | 'gone' | 'unknown'> {
    if (!this.connected) return 'unknown';
    try {
      await this.#nc.request(`${this.#options.root}.ctl.${peer}`, JSON.stringify(body), { timeout });
      return 'alive';
    } catch (error) {
      return isNoResponders(error) ? 'gone' : 'unknown';
    }
  }

  /** Opens (creating if needed) the key-value bucket `name` over this connection (JetStream). */
  async bucket(name: string): Promise<Bucket> {
    const { openBucket } = await import('./natsBucket.js');
    return openBucket(this.#nc, name);
  }

  /** Closes the connection (after what was published has left). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#ended();
    try {
      await this.#nc.drain();
    } catch {
      await this.#nc.close().catch(() => undefined);
    }
  }
}

function frameOf(envelopes: readonly Envelope[]): Frame {
  const writer = new FrameWriter();
  for (const envelope of envelopes) writer.write(envelope);
  return writer.finish();
}

/** A frame of one reply, turned into a frame of one fail with `error` (else `undefined`). */
function failInstead(frame: Frame, error: unknown): Frame | undefined {
  const envelopes: Envelope[] = [];
  readFrame(frame, (envelope) => envelopes.push(envelope));
  const [only] = envelopes;
  if (envelopes.length !== 1 || only?.kind !== 'reply') return undefined;
  const writer = new FrameWriter();
  writer.write({ kind: 'fail', dst: only.dst, cid: only.cid, error: serializeError(error) });
  return writer.finish();
}

function isNoResponders(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'NoRespondersError') return true;
  const request = error as { isNoResponders?: () => boolean };
  if (typeof request.isNoResponders === 'function' && request.isNoResponders()) return true;
  return error.cause instanceof Error && error.cause.name === 'NoRespondersError';
}
