import { match } from 'ts-pattern';
import type { Clock } from '../clock.js';
import { MultitaskError } from '../errors.js';
import { reviveError, serializeError } from '../errorWire.js';
import { MAIN_NODE, type ActorId, type CorrelationId, type NodeId } from '../ids.js';
import { readFrame, type Envelope, type Frame, type LinkEnvelope, type RequestEnvelope, type SpawnEnvelope, type StopEnvelope, type TellEnvelope } from '../protocol.js';
import type { Endpoint, Transferable } from '../transport/Endpoint.js';
import { Outbox } from '../transport/Outbox.js';
import { portEndpoint } from '../transport/threadTransport.js';
import { ActorCell, stoppedError, type CellHost } from './ActorCell.js';
import { ActorRef, type RefRouter } from './ActorRef.js';
import { loadDefinition } from './loadDefinition.js';
import type { Letter } from './Mailbox.js';
import type { ChannelHandle, ChannelWaitOptions } from '../channel/Channel.js';
import type { ChannelAnswer, ChannelLink, ChannelOp } from '../channel/RemoteChannel.js';
import { ChannelTable, type ChannelNode } from './ChannelTable.js';
import { scan } from '../cloneCheck.js';
import { decode, encode, type RefLike, type WireChannel } from './messageCodec.js';
import { abortError } from '../limits.js';
import { PendingTable, type PendingLimits } from './PendingTable.js';
import type { AskOptions, SendOptions } from './types.js';

/** Where a node runs. @internal */
export type NodeKind = 'main' | 'thread' | 'process';

/** Where a node's reports go: the system's events on the main thread, the main thread elsewhere. @internal */
export interface RuntimeSink {
  deadLetter(to: ActorId, type: string, payload: unknown, error: Error): void;
  failure(actor: ActorId, type: string, error: unknown): void;
  /** Main thread only: a thread asks for a route to a peer. */
  connect(from: NodeId, peer: NodeId): void;
}

/** @internal */
export interface RuntimeOptions {
  readonly node: NodeId;
  readonly kind: NodeKind;
  readonly clock: Clock;
  readonly askTimeout: number;
  /** Milliseconds a stopping actor's running handler may take before it is abandoned. */
  readonly stopGrace: number;
  /** The endpoint to the parent (threads and processes). */
  readonly parent: Endpoint | undefined;
  readonly sink: RuntimeSink;
}

/**
 * One node of a system (the main thread, a worker thread, a child process): its actors,
 * its routes to other nodes, and the requests it waits on. Refs on this node send through it.
 * @internal
 */
export class Runtime implements RefRouter, CellHost, ChannelNode, ChannelLink {
  readonly node: NodeId;
  readonly kind: NodeKind;
  readonly pending: PendingTable;
  readonly cells = new Map<ActorId, ActorCell>();
  readonly channels: ChannelTable = new ChannelTable(this);
  readonly #links = new Map<NodeId, Outbox>();
  readonly #connecting = new Map<NodeId, Array<{ envelope: Envelope; transfer: readonly Transferable[] | undefined }>>();
  readonly #down = new Map<NodeId, Error>();
  readonly #parent: Outbox | undefined;
  readonly #askTimeout: number;
  readonly #stopGrace: number;
  readonly #clock: Clock;
  readonly #sink: RuntimeSink;

  constructor(options: RuntimeOptions) {
    this.node = options.node;
    this.kind = options.kind;
    this.pending = new PendingTable(options.clock);
    this.#askTimeout = options.askTimeout;
    this.#stopGrace = options.stopGrace;
    this.#clock = options.clock;
    this.#sink = options.sink;
    if (options.parent !== undefined) {
      this.#parent = this.attach(MAIN_NODE, options.parent);
    }
  }

  /** Routes traffic for `node` over `endpoint` and receives from it. */
  attach(node: NodeId, endpoint: Endpoint): Outbox {
    const outbox = new Outbox(endpoint, (envelope, error) => this.#unsendable(envelope, error));
    this.#links.set(node, outbox);
    endpoint.onReceive(this.receive);
    return outbox;
  }

  /** Envelopes this node received and passed on to another node (processes reach others this way). */
  forwarded = 0;

  readonly receive = (frame: Frame): void => {
    readFrame(frame, this.#route);
  };

  readonly #route = (envelope: Envelope): void => {
    if (envelope.dst !== this.node) this.forwarded += 1;
    this.route(envelope);
  };

  /** Delivers here, or forwards toward `envelope.dst`. */
  route(envelope: Envelope, transfer?: readonly Transferable[]): void {
    const dst = envelope.dst;
    if (dst === this.node) return this.#dispatch(envelope);
    const link = this.#links.get(dst);
    if (link !== undefined) return link.push(envelope, transfer);
    const gone = this.#down.get(dst);
    if (gone !== undefined) return this.#undeliverable(envelope, gone);
    if (this.kind === 'process' && this.#parent !== undefined) return this.#parent.push(envelope, transfer);
    if (this.kind === 'thread' && this.#parent !== undefined) return this.#connect(dst, envelope, transfer);
    this.#undeliverable(envelope, new MultitaskError('ACTOR_STOPPED', `node ${dst} is not running`));
  }

  /** Threads reach other threads directly: ask the main thread for a port, queue until then. */
  #connect(dst: NodeId, envelope: Envelope, transfer: readonly Transferable[] | undefined): void {
    const queue = this.#connecting.get(dst);
    if (queue !== undefined) return void queue.push({ envelope, transfer });
    this.#connecting.set(dst, [{ envelope, transfer }]);
    this.#parent?.push({ kind: 'connect', dst: MAIN_NODE, from: this.node, peer: dst });
  }

  #link(envelope: LinkEnvelope): void {
    if (envelope.port === null) this.#links.set(envelope.peer, this.#parent as Outbox);
    else this.attach(envelope.peer, portEndpoint(envelope.port));
    this.#flushConnecting(envelope.peer);
  }

  #flushConnecting(peer: NodeId): void {
    const queue = this.#connecting.get(peer);
    this.#connecting.delete(peer);
    for (const { envelope, transfer } of queue ?? []) this.route(envelope, transfer);
  }

  /** `node` is gone: settle everything that waits on it. */
  nodeDown(node: NodeId, error: Error): void {
    this.#down.set(node, error);
    if (node !== MAIN_NODE) this.#links.delete(node); // a direct port, or an alias of the parent link
    this.pending.rejectNode(node, error);
    this.channels.nodeDown(node);
    this.#flushConnecting(node);
  }

  /**
   * The hot kinds (one per message) are a plain switch: ts-pattern's `match` builds a
   * matcher per call and took 23% of a channel owner's time. Every other kind goes through
   * `match(...).exhaustive()` in #control, so a new kind still fails to compile until handled.
   */
  #dispatch(envelope: Envelope): void {
    switch (envelope.kind) {
      case 'tell':
        return this.#deliverTell(envelope);
      case 'send':
      case 'ask':
        return this.#deliverRequest(envelope);
      case 'reply': {
        const value = decode(envelope.value, envelope.enc, this);
        if (!this.pending.resolve(envelope.cid, value)) this.channels.leftover(envelope.cid, value, true);
        return;
      }
      case 'fail':
        if (!this.pending.reject(envelope.cid, reviveError(envelope.error))) this.channels.leftover(envelope.cid, undefined, false);
        return;
      case 'channel':
        return this.channels.serve(envelope);
      default:
        return this.#control(envelope);
    }
  }

  #control(envelope: Exclude<Envelope, TellEnvelope | RequestEnvelope | { kind: 'reply' | 'fail' | 'channel' }>): void {
    match(envelope)
      .with({ kind: 'spawn' }, (e) => void this.#spawn(e))
      .with({ kind: 'stop' }, (e) => void this.#stop(e))
      .with({ kind: 'connect' }, (e) => this.#sink.connect(e.from, e.peer))
      .with({ kind: 'link' }, (e) => this.#link(e))
      .with({ kind: 'down' }, (e) => this.nodeDown(e.node, reviveError(e.error)))
      .with({ kind: 'dead-letter' }, (e) => this.#sink.deadLetter(e.to, e.type, decode(e.payload, e.enc, this), reviveError(e.error)))
      .with({ kind: 'failure' }, (e) => this.#sink.failure(e.actor, e.type, reviveError(e.error)))
      .with({ kind: 'channel-cancel' }, (e) => this.channels.cancel(e))
      .exhaustive();
  }

  async #spawn(envelope: SpawnEnvelope): Promise<void> {
    try {
      const definition = await loadDefinition(envelope.url, envelope.definition);
      const cell = ActorCell.create(this, envelope.id, envelope.name, definition, envelope.mailbox);
      this.cells.set(envelope.id, cell);
      await cell.start(decode(envelope.args, envelope.enc, this)).catch((error: unknown) => {
        this.cells.delete(envelope.id);
        throw error;
      });
      this.reply(envelope.from, envelope.cid, undefined);
    } catch (error) {
      this.fail(envelope.from, envelope.cid, error);
    }
  }

  async #stop(envelope: StopEnvelope): Promise<void> {
    const ids = envelope.to === undefined ? [...this.cells.keys()] : [envelope.to];
    await Promise.all(ids.map((id) => this.stopLocal(id)));
    this.reply(envelope.from, envelope.cid, undefined);
  }

  /** Stops a local actor and forgets it. */
  async stopLocal(id: ActorId): Promise<void> {
    const cell = this.cells.get(id);
    if (cell === undefined) return;
    await cell.stop(this.#stopGrace, this.#clock);
    this.cells.delete(id);
  }

  #deliverTell(envelope: TellEnvelope): void {
    const payload = decode(envelope.payload, envelope.enc, this);
    const cell = this.cells.get(envelope.to);
    if (cell === undefined) return this.deadLetter(envelope.to, { type: envelope.type, payload }, stoppedError(envelope.to));
    cell.deliver({ type: envelope.type, payload, replier: undefined, accepted: undefined, refused: undefined });
  }

  #deliverRequest(envelope: RequestEnvelope): void {
    const { from, cid } = envelope;
    const cell = this.cells.get(envelope.to);
    if (cell === undefined) return this.fail(from, cid, stoppedError(envelope.to));
    const payload = decode(envelope.payload, envelope.enc, this);
    const refused = (error: Error): void => this.fail(from, cid, error);
    if (envelope.kind === 'ask') {
      const replier = { resolve: (value: unknown) => this.reply(from, cid, value), reject: (error: unknown) => this.fail(from, cid, error) };
      cell.deliver({ type: envelope.type, payload, replier, accepted: undefined, refused });
    } else {
      cell.deliver({ type: envelope.type, payload, replier: undefined, accepted: () => this.reply(from, cid, undefined), refused });
    }
  }

  reply(dst: NodeId, cid: CorrelationId, value: unknown): void {
    let wire: ReturnType<typeof encode>;
    try {
      wire = encode(value, this);
    } catch (error) {
      return this.fail(dst, cid, error);
    }
    this.route({ kind: 'reply', dst, cid, value: wire.value, enc: wire.enc });
  }

  fail(dst: NodeId, cid: CorrelationId, error: unknown): void {
    if (dst === this.node) return void this.pending.reject(cid, error);
    this.route({ kind: 'fail', dst, cid, error: serializeError(error) });
  }

  /** An envelope whose destination cannot be reached: settle whoever waits on it. */
  #undeliverable(envelope: Envelope, error: Error): void {
    switch (envelope.kind) {
      case 'tell':
        return this.deadLetter(envelope.to, { type: envelope.type, payload: envelope.payload }, error);
      case 'send':
      case 'ask':
      case 'spawn':
      case 'stop':
      case 'channel':
        return this.fail(envelope.from, envelope.cid, error);
      default:
        return;
    }
  }

  /** The endpoint refused to copy an envelope (call sites check payloads first, so this is a last resort). */
  #unsendable(envelope: Envelope, cause: unknown): void {
    this.#undeliverable(envelope, new MultitaskError('NOT_SERIALIZABLE', `a ${envelope.kind} message could not be copied to node ${envelope.dst}`, { cause }));
  }

  // ---- CodecHost and ChannelLink: refs and channels inside messages ----------------------

  reviveRef(ref: RefLike): ActorRef {
    return this.makeRef(ref.id, ref.name);
  }

  channelWire(handle: ChannelHandle): WireChannel {
    return this.channels.wire(handle);
  }

  makeChannel(wire: WireChannel): unknown {
    return this.channels.revive(wire, this);
  }

  sendOnCredit(owner: number, channel: string, item: unknown, transfer: readonly ArrayBuffer[] | undefined): boolean {
    return this.channels.sendOnCredit(owner, channel, item, transfer);
  }

  takeBuffered(owner: number, channel: string): { readonly item: unknown } | undefined {
    return this.channels.takeBuffered(owner, channel);
  }

  channelRequest(owner: number, channel: string, op: ChannelOp, item: unknown, options: ChannelWaitOptions | undefined, transfer: readonly ArrayBuffer[] | undefined): Promise<ChannelAnswer> {
    return this.channels.request(owner, channel, op, item, options, transfer);
  }

  // ---- RefRouter: what refs on this node call ------------------------------------------

  tell(to: ActorId, node: NodeId, type: string, payload: unknown): void {
    if (node === this.node) {
      scan(payload);
      const cell = this.cells.get(to);
      const letter: Letter = { type, payload, replier: undefined, accepted: undefined, refused: undefined };
      if (cell === undefined) return this.deadLetter(to, letter, stoppedError(to));
      return cell.deliver(letter);
    }
    const wire = encode(payload, this);
    this.route({ kind: 'tell', dst: node, to, type, payload: wire.value, enc: wire.enc });
  }

  send(to: ActorId, node: NodeId, type: string, payload: unknown, options: SendOptions | undefined): Promise<void> {
    return this.#request('send', to, node, type, payload, { signal: options?.signal, what: `send '${type}' to actor ${to}` }) as Promise<void>;
  }

  ask(to: ActorId, node: NodeId, type: string, payload: unknown, options: AskOptions | undefined): Promise<unknown> {
    const timeout = options?.timeout ?? this.#askTimeout;
    if (!(timeout > 0)) return Promise.reject(new MultitaskError('INVALID_ARGUMENT', 'options.timeout must be a positive number of milliseconds'));
    return this.#request('ask', to, node, type, payload, { timeout, signal: options?.signal, what: `ask '${type}' to actor ${to}` });
  }

  #request(kind: 'send' | 'ask', to: ActorId, node: NodeId, type: string, payload: unknown, limits: PendingLimits): Promise<unknown> {
    if (limits.signal?.aborted === true) return Promise.reject(abortError(limits.signal, limits.what));
    let wire: ReturnType<typeof encode>;
    try {
      wire = node === this.node ? (scan(payload), { value: payload, enc: 0 }) : encode(payload, this);
    } catch (error) {
      return Promise.reject(error);
    }
    const { cid, promise } = this.pending.open(node, limits);
    if (node !== this.node) {
      this.route({ kind, dst: node, to, type, payload: wire.value, enc: wire.enc, from: this.node, cid });
      return promise;
    }
    const cell = this.cells.get(to);
    if (cell === undefined) {
      this.pending.reject(cid, stoppedError(to));
      return promise;
    }
    const refused = (error: Error): void => void this.pending.reject(cid, error);
    if (kind === 'ask') {
      const replier = { resolve: (value: unknown) => void this.pending.resolve(cid, value), reject: refused };
      cell.deliver({ type, payload, replier, accepted: undefined, refused });
    } else {
      cell.deliver({ type, payload, replier: undefined, accepted: () => void this.pending.resolve(cid, undefined), refused });
    }
    return promise;
  }

  /** Sends a control request to `node` and waits for its answer. */
  request(node: NodeId, build: (cid: CorrelationId) => Envelope, limits: PendingLimits, transfer?: readonly Transferable[]): Promise<unknown> {
    const { cid, promise } = this.pending.open(node, limits);
    this.route(build(cid), transfer);
    return promise;
  }

  // ---- CellHost ------------------------------------------------------------------------

  deadLetter(to: ActorId, letter: Pick<Letter, 'type' | 'payload'>, error: Error): void {
    this.#sink.deadLetter(to, letter.type, letter.payload, error);
  }

  failure(actor: ActorId, type: string, error: unknown): void {
    this.#sink.failure(actor, type, error);
  }

  makeRef(id: ActorId, name: string | undefined): ActorRef {
    return new ActorRef(this, id, name);
  }
}
