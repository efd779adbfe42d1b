import { match } from 'ts-pattern';
import type { Clock } from '../clock.js';
import { MultitaskError } from '../errors.js';
import { reviveError, serializeError } from '../wire/errorWire.js';
import { isSupervised, MAIN_NODE, type ActorId, type CorrelationId, type NodeId } from '../wire/ids.js';
import { Parking } from './Parking.js';
import { Routes, type NodeKind } from './Routes.js';
import { TellLedger } from './TellLedger.js';
import { type Envelope, type RequestEnvelope, type RestartEnvelope, type SpawnEnvelope, type StopEnvelope, type TellEnvelope } from '../wire/protocol.js';
import { readFrame, type Frame } from '../wire/frames.js';
import type { Endpoint, Transferable } from '../transport/Endpoint.js';
import { stoppedError, type CellHost } from '../actor/ActorCell.js';
import { LocalActors } from './LocalActors.js';
import { ActorRef, type RefRouter } from '../actor/ActorRef.js';
import { loadDefinition } from '../actor/loadDefinition.js';
import type { Letter } from '../actor/Mailbox.js';
import type { ChannelHandle } from '../channel/Channel.js';
import { ChannelTable, type ChannelNode } from '../channel/ChannelTable.js';
import { scan } from '../wire/cloneCheck.js';
import { decode, encode, type RefLike, type WireChannel } from '../wire/messageCodec.js';
import { abortError } from '../limits.js';
import { PendingTable } from './PendingTable.js';
import type { PendingLimits } from '../limits.js';
import type { AskOptions, SendOptions } from '../actor/types.js';



/** Where a node's reports go: the system's events on the main thread, the main thread elsewhere. @internal */
export interface RuntimeSink {
  deadLetter(to: ActorId, type: string, payload: unknown, error: Error): void;
  failure(actor: ActorId, type: string, error: unknown): void;
  /** A supervised actor crashed (`error`) or stopped itself (`null`), in its `generation`. */
  crashed(actor: ActorId, error: unknown, generation: number): void;
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
export class Runtime implements RefRouter, CellHost, ChannelNode {
  readonly node: NodeId;
  readonly kind: NodeKind;
  readonly pending: PendingTable;
  /** The actors hosted on this node. */
  readonly actors: LocalActors;
  readonly channels: ChannelTable = new ChannelTable(this);
  readonly #routes: Routes;
  /** Where supervised actors moved, and (main thread) what is held for those restarting. */
  readonly parking: Parking;
  /** Tells to supervised actors: kept here until acknowledged, and acknowledged when received here. */
  readonly #tells: TellLedger;
  readonly #askTimeout: number;
  readonly #clock: Clock;
  readonly #sink: RuntimeSink;

  constructor(options: RuntimeOptions) {
    this.node = options.node;
    this.kind = options.kind;
    this.pending = new PendingTable(options.clock);
    this.#askTimeout = options.askTimeout;
    this.actors = new LocalActors(this, options.clock, options.stopGrace);
    this.#clock = options.clock;
    this.#sink = options.sink;
    this.parking = new Parking(
      this.node,
      (envelope, error) => this.#undeliverable(envelope, error),
      (envelope, node) => this.route({ ...envelope, dst: node }),
    );
    this.#tells = new TellLedger(this.node, (ack) => this.route(ack), (to, letter, error) => this.deadLetter(to, letter, error));
    this.#routes = new Routes(this.node, this.kind, {
      receive: this.receive,
      gone: (envelope, error) => this.#redirect(envelope, error),
      unroutable: (envelope, dst) => this.#redirect(envelope, new MultitaskError('ACTOR_STOPPED', `node ${dst} is not running`)),
      unsendable: (envelope, cause) => this.#unsendable(envelope, cause),
    });
    if (options.parent !== undefined) this.#routes.attachParent(options.parent);
  }

  /** Routes traffic for `node` over `endpoint` and receives from it. */
  attach(node: NodeId, endpoint: Endpoint): void {
    this.#routes.attach(node, endpoint);
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

  /** Delivers here, or forwards toward `envelope.dst`; `urgent` posts at once instead of at the end of the burst. */
  route(envelope: Envelope, transfer?: readonly Transferable[], urgent = false): void {
    if (envelope.dst === this.node) return this.#dispatch(envelope);
    this.#routes.send(envelope, transfer, urgent);
  }

  /**
   * `node` is gone: settle everything that waits on it or on the `actors` it hosted. The
   * `moved` ones are being restarted: their messages go to the main thread meanwhile.
   */
  nodeDown(node: NodeId, error: Error, actors: readonly ActorId[] = [], moved: readonly ActorId[] = []): void {
    this.#routes.down(node, error);
    for (const id of moved) if (this.kind !== 'main') this.parking.moved(id, MAIN_NODE);
    this.pending.rejectNode(node, error, new Set(actors));
    for (const id of actors) this.#tells.lost(id, error);
    this.channels.nodeDown(node);
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
      .with({ kind: 'link' }, (e) => this.#routes.link(e))
      .with({ kind: 'down' }, (e) => this.nodeDown(e.node, reviveError(e.error), e.actors, e.moved))
      .with({ kind: 'relocate' }, (e) => this.parking.moved(e.id, e.node))
      .with({ kind: 'ack' }, (e) => this.#tells.acked(e.actor, e.count))
      .with({ kind: 'restart' }, (e) => void this.#restart(e))
      .with({ kind: 'crashed' }, (e) => this.#sink.crashed(e.actor, e.error === null ? null : reviveError(e.error), e.generation))
      .with({ kind: 'ping' }, (e) => this.reply(e.from, e.cid, this.actors.busiest()))
      .with({ kind: 'preload' }, (e) => void import(e.url).catch(() => undefined))
      .with({ kind: 'dead-letter' }, (e) => this.#sink.deadLetter(e.to, e.type, decode(e.payload, e.enc, this), reviveError(e.error)))
      .with({ kind: 'failure' }, (e) => this.#sink.failure(e.actor, e.type, reviveError(e.error)))
      .with({ kind: 'channel-cancel' }, (e) => this.channels.cancel(e))
      .exhaustive();
  }

  async #spawn(envelope: SpawnEnvelope): Promise<void> {
    try {
      const definition = await loadDefinition(envelope.url, envelope.definition);
      const args = decode(envelope.args, envelope.enc, this);
      await this.actors.start(envelope.id, envelope.name, definition, envelope.mailbox, args, envelope.supervised ? envelope.generation : undefined);
      this.reply(envelope.from, envelope.cid, undefined);
    } catch (error) {
      this.fail(envelope.from, envelope.cid, error);
    }
  }

  async #restart(envelope: RestartEnvelope): Promise<void> {
    try {
      const found = envelope.phase === 'halt' ? await this.actors.halt(envelope.to) : await this.actors.restart(envelope.to, envelope.generation);
      if (!found) throw stoppedError(envelope.to);
      this.reply(envelope.from, envelope.cid, undefined);
    } catch (error) {
      this.fail(envelope.from, envelope.cid, error);
    }
  }

  async #stop(envelope: StopEnvelope): Promise<void> {
    const ids = envelope.to === undefined ? this.actors.all().map((cell) => cell.id) : [envelope.to];
    await Promise.all(ids.map((id) => this.actors.stop(id)));
    // The whole node is stopping, and its host ends once the answer is in: what its channels
    // hold leaves first (items sent on credit, and fetched items nobody took go back).
    if (envelope.to === undefined) this.flushAll();
    this.reply(envelope.from, envelope.cid, undefined);
  }

  #deliverTell(envelope: TellEnvelope): void {
    const cell = this.actors.get(envelope.to);
    if (cell === undefined) {
      if (this.parking.orphan(envelope)) return;
      if (isSupervised(envelope.to)) this.#tells.handled(envelope.to, envelope.from);
      return this.deadLetter(envelope.to, { type: envelope.type, payload: decode(envelope.payload, envelope.enc, this) }, stoppedError(envelope.to));
    }
    const payload = decode(envelope.payload, envelope.enc, this);
    // A supervised cell acknowledges tells from other nodes to `from` (see TellLedger).
    cell.deliverTell(envelope.type, payload, envelope.from === this.node ? undefined : envelope.from);
  }

  #deliverRequest(envelope: RequestEnvelope): void {
    const { from, cid } = envelope;
    const cell = this.actors.get(envelope.to);
    if (cell === undefined) return this.parking.orphan(envelope) ? undefined : this.fail(from, cid, stoppedError(envelope.to));
    const payload = decode(envelope.payload, envelope.enc, this);
    const refused = (error: Error): void => this.fail(from, cid, error);
    if (envelope.kind === 'ask') {
      const replier = { resolve: (value: unknown) => this.reply(from, cid, value), reject: (error: unknown) => this.fail(from, cid, error) };
      cell.deliver({ type: envelope.type, payload, replier, accepted: undefined, refused });
    } else {
      cell.deliver({ type: envelope.type, payload, replier: undefined, accepted: () => this.reply(from, cid, undefined), refused });
    }
  }

  reply(dst: NodeId, cid: CorrelationId, value: unknown, urgent = false): void {
    let wire: ReturnType<typeof encode>;
    try {
      wire = encode(value, this);
    } catch (error) {
      return this.fail(dst, cid, error);
    }
    this.route({ kind: 'reply', dst, cid, value: wire.value, enc: wire.enc }, undefined, urgent);
  }

  fail(dst: NodeId, cid: CorrelationId, error: unknown): void {
    if (dst === this.node) return void this.pending.reject(cid, error);
    this.route({ kind: 'fail', dst, cid, error: serializeError(error) });
  }

  /** A message for a node that is gone (or unknown): to where its actor moved, if it did, else undeliverable. */
  #redirect(envelope: Envelope, gone: Error): void {
    const forActor = envelope.kind === 'tell' || envelope.kind === 'send' || envelope.kind === 'ask';
    if (!(forActor && this.parking.redirect(envelope, envelope.dst))) this.#undeliverable(envelope, gone);
  }

  /** An envelope whose destination cannot be reached: settle whoever waits on it. */
  #undeliverable(envelope: Envelope, error: Error): void {
    switch (envelope.kind) {
      case 'tell':
        if (isSupervised(envelope.to)) this.#tells.handled(envelope.to, envelope.from); // reported here: its sender may forget it
        return this.deadLetter(envelope.to, { type: envelope.type, payload: decode(envelope.payload, envelope.enc, this) }, error);
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

  /**
   * Posts everything batched for later now (the node is ending): acknowledgements of tells,
   * channel items sent on credit, then every route's frame. An acknowledgement goes with the
   * messages its handler sent, so a tell is never both handled and reported lost.
   */
  flushAll(): void {
    this.#tells.flush();
    this.channels.flushAll();
    this.#routes.flushAll();
  }

  /** The clock of this node's timeouts. */
  get clock(): Clock {
    return this.#clock;
  }

  // ---- CodecHost: refs and channels inside messages -------------------------------------

  reviveRef(ref: RefLike): ActorRef {
    return this.makeRef(ref.id, ref.name);
  }

  channelWire(handle: ChannelHandle): WireChannel {
    return this.channels.wire(handle);
  }

  makeChannel(wire: WireChannel): unknown {
    return this.channels.revive(wire);
  }

  // ---- RefRouter: what refs on this node call ------------------------------------------

  tell(to: ActorId, node: NodeId, type: string, payload: unknown, supervised: boolean): void {
    if (node === this.node) {
      scan(payload);
      const cell = this.actors.get(to);
      if (cell === undefined) return this.#deliverTell({ kind: 'tell', dst: node, to, type, payload, enc: 0, from: node });
      return cell.deliverTell(type, payload, undefined);
    }
    const wire = encode(payload, this);
    if (supervised) this.#tells.keep(to, type, payload);
    this.route({ kind: 'tell', dst: node, to, type, payload: wire.value, enc: wire.enc, from: this.node });
  }

  /** CellHost: a tell from `from` to a supervised actor here was handled or reported. */
  handled(actor: ActorId, from: NodeId): void {
    this.#tells.handled(actor, from);
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
    const { cid, promise } = this.pending.open(node, limits, to);
    const cell = node === this.node ? this.actors.get(to) : undefined;
    if (cell === undefined) {
      this.route({ kind, dst: node, to, type, payload: wire.value, enc: wire.enc, from: this.node, cid });
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

  crashed(actor: ActorId, error: unknown, generation: number): void {
    this.#sink.crashed(actor, error, generation);
  }

  stopSelf(actor: ActorId, generation: number): void {
    void this.actors.stop(actor).then(() => this.#sink.crashed(actor, null, generation));
  }

  makeRef(id: ActorId, name: string | undefined): ActorRef {
    return new ActorRef(this, id, name);
  }
}
