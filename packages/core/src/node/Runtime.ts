import { match } from 'ts-pattern';
import type { Clock } from '../clock.js';
import { MultitaskError } from '../errors.js';
import { reviveError, serializeError } from '../wire/errorWire.js';
import { everyNodeOf, isSupervised, matches, nodeOf, systemOf, type ActorId, type CorrelationId, type NodeId, type NodePattern } from '../wire/ids.js';
import { Parking, type ActorEnvelope } from './Parking.js';
import { Routes, type RouteResolver } from './Routes.js';
import { TellLedger } from './TellLedger.js';
import type { Encoded, Envelope, FenceEnvelope, RequestEnvelope, RestartEnvelope, SpawnEnvelope, StopEnvelope, SystemEnvelope, TellEnvelope, WatchEnvelope } from '../wire/protocol.js';
import type { SerializedDown } from '../wire/errorWire.js';
import { reviveDown, serializeDown, type DownReason } from '../actor/DownReason.js';
import type { ActorServices } from '../actor/ActorServices.js';
import { DOWN_TYPE } from '../actor/Context.js';
import { Watches, type Watcher } from './Watches.js';
import { readFrame, type Frame, type TellReader } from '../wire/frames.js';
import type { Endpoint, Transferable } from '../transport/Endpoint.js';
import { stoppedError, type ActorCell } from '../actor/ActorCell.js';
import type { Grace } from '../actor/Graces.js';
import type { CellHost } from '../actor/CellHost.js';
import { describeActor } from '../actor/actorErrors.js';
import { LocalActors } from './LocalActors.js';
import { ActorRef, type RefRouter } from '../actor/ActorRef.js';
import { loadDefinition } from '../actor/loadDefinition.js';
import type { Letter } from '../actor/Mailbox.js';
import { ChannelTable, type ChannelNode } from '../channel/ChannelTable.js';
import { scan } from '../wire/cloneCheck.js';
import { copyAcross, decode, encode, type RefLike, type WireChannel } from '../wire/messageCodec.js';
import { abortError, type PendingLimits } from '../limits.js';
import { PendingTable } from './PendingTable.js';
import { copyingReplier } from './copyingReplier.js';
import { RemoteReplier } from './Repliers.js';

/** The limits of a send with no signal. */
const NO_LIMITS: PendingLimits = Object.freeze({ what: undefined });
import type { AskOptions, SendOptions } from '../actor/types.js';
import type { NodeObserver } from './NodeObserver.js';

/** Where a node's reports go: the system's events on its root node, the parent elsewhere. @internal */
export interface RuntimeSink {
  /** `definition`: the recipient's definition key, for a message it has no handler for. */
  deadLetter(to: ActorId, type: string, payload: unknown, error: Error, definition?: string): void;
  failure(actor: ActorId, type: string, error: unknown): void;
  /**
   * A supervised actor crashed (`error`) or stopped itself (`null`), in its `generation`;
   * `madeHere` when it is known whether this node made the actor's id (saves reading it);
   * `childHere` when it was the child of an actor on this node, which started it here
   * (`ctx.spawn`) and has seen it end.
   */
  crashed(actor: ActorId, error: unknown, generation: number, madeHere?: boolean, childHere?: boolean): void;
  /** A node asks for a route to a peer (its system's root answers). */
  connect(from: NodeId, peer: NodeId): void;
  /**
   * A request for the system rather than this node: a spawn that asks for a placement, a
   * stop sent by another system, a request of a node to its root. The system answers it
   * (or refuses it).
   */
  request(envelope: SpawnEnvelope | StopEnvelope | SystemEnvelope): void;
}

/** What the system layer does for the actors of a node: the part of `ctx` beyond the node. @internal */
export type SystemServices = Pick<ActorServices, 'spawn' | 'stop' | 'lookup' | 'supervise'>;

const NO_SYSTEM: SystemServices = {
  spawn: () => Promise.reject(new MultitaskError('ACTOR_STOPPED', 'this node runs no system: it cannot spawn')),
  stop: () => Promise.resolve(),
  lookup: () => Promise.resolve(undefined),
  supervise: () => Promise.reject(new MultitaskError('ACTOR_STOPPED', 'this node runs no system: it cannot supervise')),
};

/** @internal */
export interface RuntimeOptions {
  readonly node: NodeId;
  readonly clock: Clock;
  readonly askTimeout: number;
  /** Milliseconds a stopping actor's running handler may take before it is abandoned. */
  readonly stopGrace: number;
  /** The node that started this one, and the link to it (threads and processes). */
  readonly parent: { readonly node: NodeId; readonly endpoint: Endpoint } | undefined;
  /** How this node reaches nodes it has no link to (see {@link RouteResolver}). */
  readonly resolver: RouteResolver;
  readonly sink: RuntimeSink;
  /** Copy what actors on this node send each other as a thread would (`SystemOptions.copyInline`). */
  readonly copyInline?: boolean;
}

/**
 * One node of a system (its root thread, a worker thread, a child process): its actors,
 * its routes to other nodes, and the requests it waits on. Refs on this node send through it.
 * It knows its own address and its parent's, nothing of which node is a system's root.
 * @internal
 */
export class Runtime implements RefRouter, CellHost, ChannelNode {
  readonly node: NodeId;
  readonly pending: PendingTable;
  /** The actors hosted on this node. */
  readonly actors: LocalActors;
  readonly channels: ChannelTable = new ChannelTable(this);
  readonly #routes: Routes;
  /** Where supervised actors moved, what is held here for those restarting, and fences. */
  readonly parking: Parking;
  /** Tells to supervised actors: kept here until acknowledged, and acknowledged when received here. */
  readonly #tells: TellLedger;
  readonly #askTimeout: number;
  /** The limits of an ask with no options: one object for all of them. */
  readonly #defaultAsk: PendingLimits;
  readonly #clock: Clock;
  readonly #sink: RuntimeSink;
  /** Who watches the actors here, and which actors the cells here watch. */
  readonly watches: Watches;
  /** What the system layer does for actors here (set by the system once it is built). */
  system: SystemServices = NO_SYSTEM;
  /** What `ctx` asks of this node. */
  readonly services: ActorServices;
  readonly #copyInline: boolean;
  /** Who looks at this node's messages and handlers; `undefined` (the usual case): nobody. */
  observer: NodeObserver | undefined = undefined;
  /** This node's part of the system's snapshot (an `inspect` request), set by the layer that builds it. */
  describe: ((from: NodeId) => unknown) | undefined = undefined;

  constructor(options: RuntimeOptions) {
    this.node = options.node;
    this.#copyInline = options.copyInline === true;
    this.pending = new PendingTable(options.clock);
    this.#askTimeout = options.askTimeout;
    this.#defaultAsk = Object.freeze({ timeout: options.askTimeout, what: undefined });
    this.actors = new LocalActors(this.node, this, options.clock, options.stopGrace);
    this.#clock = options.clock;
    this.#sink = options.sink;
    this.parking = new Parking(this.node, {
      refuse: (envelope, error) => this.#undeliverable(envelope, error),
      forward: (envelope, node) => {
        // A request of this node's own, passed on before it left: it waits on the new node now.
        if ((envelope.kind === 'ask' || envelope.kind === 'send') && envelope.from === this.node) this.pending.retarget(envelope.cid, node);
        this.#send({ ...envelope, dst: node });
      },
      sameWay: (a, b) => this.#routes.linkOf(a) !== undefined && this.#routes.linkOf(a) === this.#routes.linkOf(b),
      isDown: (node) => this.#isDown(node),
      released: (id, node) => this.watches.moved(id, node),
    });
    this.watches = new Watches({
      node: this.node,
      send: (envelope) => this.route(envelope),
      whereIs: (id) => this.parking.whereIs(id) ?? nodeOf(id),
      runsHere: (id) => this.actors.has(id),
      isHeld: (id) => this.parking.isHeld(id),
      downReason: (node) => this.#downReason(node),
      notify: (watcher, actor, reason) => this.#notify(watcher, actor, reason),
    });
    const runtime = this;
    this.services = {
      spawn: (parent, definition, options) => runtime.system.spawn(parent, definition, options),
      stop: (ref) => runtime.system.stop(ref),
      lookup: (name, key) => runtime.system.lookup(name, key),
      supervise: (parent, spec) => runtime.system.supervise(parent, spec),
      watch: (watcher, target, as, child) => runtime.watches.watch(target, { cell: watcher, as, child }),
      unwatch: (watcher, target, child) => runtime.watches.unwatch(target, watcher, child),
      adopt: (parent, child, slot) => {
        // A child on its parent's own node tells its parent directly when it ends: no tables.
        const cell = child.cellHere ?? runtime.actors.get(child.id);
        if (cell === undefined) return false;
        cell.adoptedBy(parent, slot);
        return true;
      },
      disown: (parent, child) => {
        const cell = child.cellHere ?? runtime.actors.get(child.id);
        if (cell !== undefined) {
          if (cell.parentCell === parent) cell.adoptedBy(undefined, 0);
        } else runtime.watches.unwatch(child.id, parent.id, true);
      },
      get clock() {
        return runtime.#clock;
      },
    };
    this.#tells = new TellLedger(this.node, (ack) => this.route(ack), (to, letter, error) => this.deadLetter(to, letter, error));
    this.#routes = new Routes(
      {
        receive: this.receive,
        gone: (envelope, error) => this.#redirect(envelope, error),
        unroutable: (envelope, dst) => this.#redirect(envelope, new MultitaskError('ACTOR_STOPPED', `node ${dst} is not running`)),
        unsendable: (envelope, cause) => this.#unsendable(envelope, cause),
        connect: (peer) => this.#connect(peer),
      },
      options.resolver,
    );
    this.#parent = options.parent?.node;
    if (options.parent !== undefined) this.#routes.attach(options.parent.node, options.parent.endpoint, true);
  }

  readonly #parent: NodeId | undefined;
  /** Nodes known to be gone, and why (a short memory: the routes keep the errors). */
  readonly #gone = new Map<NodePattern, SerializedDown>();

  #downReason(node: NodeId): SerializedDown | undefined {
    if (this.#gone.size === 0) return undefined;
    for (const [pattern, reason] of this.#gone) if (matches(pattern, node)) return reason;
    return undefined;
  }

  #isDown(node: NodeId): boolean {
    return this.#downReason(node) !== undefined;
  }

  /** Whether `node` is known to be gone (a request to it would wait out its timeout). */
  isDown(node: NodeId): boolean {
    return this.#isDown(node);
  }

  /** A watched actor ended: the watching cell is told through its mailbox (or, as a parent, forgets its child). */
  #notify(watcher: Watcher, actor: ActorId, reason: SerializedDown): void {
    if (watcher.listener !== undefined) return watcher.listener(reason);
    const cell = this.actors.get(watcher.cell);
    if (cell === undefined) return;
    if (watcher.child) return cell.familyIfAny?.childGoneAway(actor);
    cell.familyIfAny?.notified(actor);
    cell.deliverTell(watcher.as ?? DOWN_TYPE, { ref: this.makeRef(actor, undefined), reason: reviveDown(reason) }, undefined);
  }

  #monitors = 0;

  /**
   * Calls `listener` once, when actor `actor` (on any node) ends, or its node is known to
   * be gone; returns the cancel. The system's monitors of actors it does not run itself.
   */
  monitor(actor: ActorId, listener: (reason: DownReason) => void): () => void {
    const watcher = `${this.node}.m${++this.#monitors}` as ActorId; // no cell: a name for this watch
    this.watches.watch(actor, { cell: watcher, as: undefined, child: false, listener: (reason) => listener(reviveDown(reason)) });
    return () => this.watches.unwatch(actor, watcher, false);
  }

  /** A watch (or its end) for an actor that should run here: passed on to where it moved, or told it is gone. */
  #watchRequest(e: WatchEnvelope): void {
    if (e.kind === 'watch' && this.parking.isHeld(e.actor)) return void this.watches.request('watch', e.actor, e.from, true);
    if (this.watches.request(e.kind, e.actor, e.from)) return;
    const where = this.parking.whereIs(e.actor);
    if (where !== undefined && where !== this.node) return this.#send({ ...e, dst: where });
    this.watches.refuse(e.actor, e.from);
  }

  #connect(peer: NodeId): void {
    if (this.#parent !== undefined) this.route({ kind: 'connect', dst: this.#parent, from: this.node, peer });
  }

  /** Routes traffic for `node` over `endpoint` and receives from it. */
  attach(node: NodeId, endpoint: Endpoint): void {
    this.#gone.delete(everyNodeOf(systemOf(node))); // a system joined again is not gone
    this.#routes.attach(node, endpoint);
  }

  /**
   * Checks a payload for another system before it is accepted (the cluster's codec: what
   * it cannot carry is refused at the call, not later as the batch leaves).
   */
  wireCheck: ((payload: unknown) => void) | undefined;

  /** On a system's main thread in a cluster: opens handles of durable channels that arrive in messages. */
  durable: ((name: string, capacity: number, ackWait: number) => unknown) | undefined;

  /** Envelopes this node received and passed on to another node (processes reach others this way). */
  forwarded = 0;

  readonly receive = (frame: Frame): void => {
    readFrame(frame, this.#route, this.#tellReader);
  };

  /** Tells as they are read from a frame: those for this node go to their cell without an envelope. */
  readonly #tellReader: TellReader = {
    tell: (dst, to, type, payload, enc, from) => {
      if (dst !== this.node) {
        this.forwarded += 1;
        return this.route({ kind: 'tell', dst, to, type, payload, enc, from });
      }
      const cell = this.actors.get(to);
      if (cell === undefined) return this.#deliverTell({ kind: 'tell', dst, to, type, payload, enc, from });
      // A supervised cell acknowledges tells from other nodes to `from` (see TellLedger).
      cell.deliverTell(type, enc === 0 ? payload : decode(payload, enc, this), from === this.node ? undefined : from);
    },
  };

  readonly #route = (envelope: Envelope): void => {
    if (envelope.dst !== this.node) this.forwarded += 1;
    this.route(envelope);
  };

  /** Takes one envelope that arrived here (a gateway passes on those it lets in). */
  receiveEnvelope(envelope: Envelope): void {
    this.#route(envelope);
  }

  /** Delivers here, or forwards toward `envelope.dst`; `urgent` posts at once instead of at the end of the burst. */
  route(envelope: Envelope, transfer?: readonly Transferable[], urgent = false, late = false): void {
    if (envelope.dst === this.node) return this.#dispatch(envelope);
    // A fence under way for the actor: its messages wait here until it is through.
    // Or it runs on another system than its id names: straight there.
    if ((envelope.kind === 'tell' || envelope.kind === 'ask' || envelope.kind === 'send') && (this.parking.hold(envelope) || this.parking.detour(envelope))) return;
    this.#routes.send(envelope, transfer, urgent, late);
  }

  /** Sends without looking at fences (parking already did). */
  #send(envelope: Envelope): void {
    if (envelope.dst === this.node) return this.#dispatch(envelope);
    this.#routes.send(envelope, undefined, false);
  }

  /**
   * The nodes `pattern` names are gone: settle everything that waits on them or on the
   * `actors` they hosted. The `moved` ones are being restarted: their messages go to
   * `heldAt` meanwhile (marked before the routes let go of what waited for a link, so that
   * it is held too, not failed).
   */
  nodeDown(pattern: NodePattern, error: Error, reason: DownReason = { kind: 'error', error }, actors: readonly ActorId[] = [], moved: ReadonlyArray<readonly [ActorId, NodeId]> = []): void {
    const why = serializeDown(reason);
    this.#gone.set(pattern, why);
    if (this.#gone.size > 1024) this.#gone.delete(this.#gone.keys().next().value as NodePattern);
    this.watches.nodeDown(pattern, why); // where the watched actors ran, before they are known to have moved
    // Actors of other systems that ran there: their supervising systems take their messages again.
    const away = this.parking.awayOn(pattern);
    for (const [id, heldAt] of moved) if (heldAt !== this.node) this.parking.moved(id, heldAt);
    this.#routes.down(pattern, error);
    this.parking.down(pattern);
    const lost = away.length === 0 ? actors : [...actors, ...away];
    this.pending.rejectNode(pattern, error, new Set(lost));
    for (const id of lost) this.#tells.lost(id, error);
    if (pattern.endsWith('*')) this.#tells.lostWhere((id) => matches(pattern, id.slice(0, id.lastIndexOf('.')) as NodeId), error);
    this.channels.nodeDown(pattern);
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
      .with({ kind: 'down' }, (e) => this.nodeDown(e.node, reviveError(e.error), reviveDown(e.reason), e.actors, e.moved))
      .with({ kind: 'watch' }, { kind: 'unwatch' }, (e) => this.#watchRequest(e))
      .with({ kind: 'gone' }, (e) => this.watches.gone(e.actor, e.reason))
      .with({ kind: 'system' }, (e) => this.#sink.request(e))
      .with({ kind: 'escalate' }, (e) => this.actors.get(e.actor)?.escalate(reviveError(e.error)))
      .with({ kind: 'relocate' }, (e) => this.#relocate(e.id, e.node))
      .with({ kind: 'fence' }, (e) => this.#fence(e))
      .with({ kind: 'fenced' }, (e) => this.parking.fenced(e.actor, e.node))
      .with({ kind: 'ack' }, (e) => this.#tells.acked(e.actor, e.count))
      .with({ kind: 'restart' }, (e) => void this.#restart(e))
      .with({ kind: 'crashed' }, (e) => this.#sink.crashed(e.actor, e.error === null ? null : reviveError(e.error), e.generation))
      .with({ kind: 'ping' }, (e) => this.reply(e.from, e.cid, this.actors.busiest()))
      .with({ kind: 'inspect' }, (e) => void Promise.resolve(this.describe?.(e.from)).then((part) => this.reply(e.from, e.cid, part), (error: unknown) => this.fail(e.from, e.cid, error)))
      .with({ kind: 'preload' }, (e) => void import(e.url).catch(() => undefined))
      .with({ kind: 'dead-letter' }, (e) => this.#sink.deadLetter(e.to, e.type, decode(e.payload, e.enc, this), reviveError(e.error), e.definition))
      .with({ kind: 'failure' }, (e) => this.#sink.failure(e.actor, e.type, reviveError(e.error)))
      .with({ kind: 'channel-cancel' }, (e) => this.channels.cancel(e))
      .exhaustive();
  }

  /** Actor `id` runs on `node` now: a fence goes the old way first when the way changes. */
  #relocate(id: ActorId, node: NodeId): void {
    const fence = this.parking.relocate(id, node);
    if (fence !== undefined) this.#send(fence);
  }

  /** A fence reached this node: answered here if its actor runs here, else it goes on the way messages would. */
  #fence(e: FenceEnvelope): void {
    if (this.actors.has(e.to)) return this.#send({ kind: 'fenced', dst: e.from, actor: e.to, node: this.node });
    if (!this.parking.orphan(e)) this.#send({ kind: 'fenced', dst: e.from, actor: e.to, node: undefined });
  }

  async #spawn(envelope: SpawnEnvelope): Promise<void> {
    // A placement, or a request from another system: the system decides (and serves by key only).
    if (envelope.placement !== undefined || systemOf(envelope.from) !== systemOf(this.node)) return this.#sink.request(envelope);
    try {
      const definition = await loadDefinition(envelope.url, envelope.definition);
      const args = decode(envelope.args, envelope.enc, this);
      const id = envelope.id ?? this.actors.mint(envelope.supervised);
      await this.actors.start(id, envelope.name, definition, envelope.mailbox, args, envelope.supervised ? envelope.generation : undefined, envelope.supervisor, envelope.label);
      // Third: it stopped itself as it started (its report of that may have reached the spawner first).
      this.reply(envelope.from, envelope.cid, [id, this.node, this.actors.get(id)?.alive !== true]);
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
    if (systemOf(envelope.from) !== systemOf(this.node)) return this.#sink.request(envelope);
    // The whole node: the actors that are no other's child here; each stops its children first.
    const ids = envelope.to === undefined ? this.actors.tops().map((cell) => cell.id) : [envelope.to];
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
    const from = envelope.from === this.node ? undefined : envelope.from;
    if (envelope.trace !== undefined) return cell.deliver({ type: envelope.type, payload, replier: undefined, accepted: undefined, refused: undefined, from, trace: envelope.trace });
    // A supervised cell acknowledges tells from other nodes to `from` (see TellLedger).
    cell.deliverTell(envelope.type, payload, from);
  }

  #deliverRequest(envelope: RequestEnvelope): void {
    const { from, cid } = envelope;
    const cell = this.actors.get(envelope.to);
    if (cell === undefined) return this.parking.orphan(envelope) ? undefined : this.fail(from, cid, stoppedError(envelope.to));
    const payload = decode(envelope.payload, envelope.enc, this);
    if (envelope.kind === 'ask') {
      // The replier answers a refusal too (no `refused` of its own).
      cell.deliver({ type: envelope.type, payload, replier: new RemoteReplier(this, from, cid, cell, envelope.type), accepted: undefined, refused: undefined, trace: envelope.trace });
    } else {
      cell.deliver({ type: envelope.type, payload, replier: undefined, accepted: () => this.reply(from, cid, undefined), refused: (error: Error) => this.fail(from, cid, error), trace: envelope.trace });
    }
  }

  /** @param subject - what the value is, for the `NOT_SERIALIZABLE` that fails the request when it cannot be copied */
  reply(dst: NodeId, cid: CorrelationId, value: unknown, urgent = false, subject?: () => string): void {
    let wire: ReturnType<typeof encode>;
    try {
      wire = encode(value, this, subject);
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
    const forActor = envelope.kind === 'tell' || envelope.kind === 'send' || envelope.kind === 'ask' || envelope.kind === 'fence';
    if (!(forActor && this.parking.redirect(envelope, envelope.dst))) this.#undeliverable(envelope, gone);
  }

  /** An envelope whose destination cannot be reached: settle whoever waits on it. */
  #undeliverable(envelope: Envelope | ActorEnvelope, error: Error): void {
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
      case 'fence':
        return this.#send({ kind: 'fenced', dst: envelope.from, actor: envelope.to, node: undefined });
      default:
        return;
    }
  }

  /** The endpoint refused to copy an envelope (call sites check payloads first, so this is a last resort). */
  #unsendable(envelope: Envelope, cause: unknown): void {
    // A network link that is down says so (NODE_DOWN): that is the reason, not the payload.
    if (cause instanceof MultitaskError && cause.code === 'NODE_DOWN') return this.#undeliverable(envelope, cause);
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

  channelWire(handle: object): WireChannel {
    return this.channels.wire(handle as never);
  }

  makeChannel(wire: WireChannel): unknown {
    return this.channels.revive(wire);
  }

  // ---- RefRouter: what refs on this node call ------------------------------------------

  tell(to: ActorId, node: NodeId, type: string, payload: unknown, supervised: boolean, here?: ActorCell): void {
    const trace = this.observer === undefined ? undefined : this.observer.sent('tell', type);
    const cell = here ?? (node === this.node ? this.actors.get(to) : undefined);
    if (node === this.node && (cell !== undefined || !this.#awayHome(to))) {
      if (this.#copyInline) payload = copyAcross(payload, this);
      else scan(payload);
      if (cell === undefined) return this.#deliverTell({ kind: 'tell', dst: node, to, type, payload, enc: 0, from: node });
      if (trace !== undefined) return cell.deliver({ type, payload, replier: undefined, accepted: undefined, refused: undefined, trace });
      return cell.deliverTell(type, payload, undefined);
    }
    const wire = encode(payload, this);
    if (this.wireCheck !== undefined && (systemOf(node) !== systemOf(this.node) || this.parking.crossing(to))) this.wireCheck(wire.value);
    if (supervised && (node !== this.node || this.parking.crossing(to))) this.#tells.keep(to, type, payload);
    if (trace !== undefined) return this.route({ kind: 'tell', dst: node, to, type, payload: wire.value, enc: wire.enc, from: this.node, trace });
    // The common case: a link to the node is open and no fence holds the actor's messages.
    const link = this.parking.fencing || this.parking.crossing(to) ? undefined : this.#routes.linkOf(node);
    if (link !== undefined) return link.pushTell(node, to, type, wire.value, wire.enc, this.node);
    this.route({ kind: 'tell', dst: node, to, type, payload: wire.value, enc: wire.enc, from: this.node });
  }

  /**
   * Whether `to`, whose id names this node, is not here but elsewhere or held here while it
   * restarts (a supervised actor this node's system placed on another): what is sent to it
   * is encoded as for another node, since it will travel.
   */
  #awayHome(to: ActorId): boolean {
    return this.parking.whereIs(to) !== undefined || this.parking.isHeld(to);
  }

  /** CellHost: a tell from `from` to a supervised actor here was handled or reported. */
  handled(actor: ActorId, from: NodeId): void {
    this.#tells.handled(actor, from);
  }

  send(to: ActorId, node: NodeId, type: string, payload: unknown, options: SendOptions | undefined, name?: string, here?: ActorCell): Promise<void> {
    return this.#request('send', to, node, type, payload, options?.signal === undefined ? NO_LIMITS : { signal: options.signal, what: undefined }, name, here) as Promise<void>;
  }

  ask(to: ActorId, node: NodeId, type: string, payload: unknown, options: AskOptions | undefined, name?: string, here?: ActorCell): Promise<unknown> {
    const timeout = options?.timeout ?? this.#askTimeout;
    if (!(timeout > 0)) return Promise.reject(new MultitaskError('INVALID_ARGUMENT', 'options.timeout must be a positive number of milliseconds'));
    // The description is written only if the ask fails (a string per ask was a fifth of its garbage).
    const limits: PendingLimits = options?.signal === undefined && timeout === this.#askTimeout ? this.#defaultAsk : { timeout, signal: options?.signal, what: undefined };
    return this.#request('ask', to, node, type, payload, limits, name, here);
  }

  #request(kind: 'send' | 'ask', to: ActorId, node: NodeId, type: string, payload: unknown, limits: PendingLimits, name: string | undefined, here?: ActorCell): Promise<unknown> {
    if (limits.signal?.aborted === true) return Promise.reject(abortError(limits.signal, `${kind} '${type}' to ${describeActor(to, name)}`, to));
    let trace: string | undefined;
    if (this.observer !== undefined) {
      const observer = this.observer;
      trace = observer.sent(kind, type);
      const { signal } = limits;
      if (kind === 'ask') limits = { ...limits, onAbandon: () => observer.abandoned(type, signal?.aborted === true) };
    }
    const cell = here ?? (node === this.node ? this.actors.get(to) : undefined);
    // The payload as it goes (two values, not an object: most asks stay here and are only checked).
    let value = payload;
    let enc: Encoded = 0;
    try {
      if (node !== this.node || (cell === undefined && this.#awayHome(to))) ({ value, enc } = encode(payload, this));
      else if (this.#copyInline) value = copyAcross(payload, this);
      else scan(payload);
      if (this.wireCheck !== undefined && (systemOf(node) !== systemOf(this.node) || this.parking.crossing(to))) this.wireCheck(value);
    } catch (error) {
      return Promise.reject(error);
    }
    if (cell !== undefined && kind === 'ask' && !this.#copyInline) {
      const ask = this.pending.openHere(limits, to, type, value, name, trace);
      cell.deliver(ask);
      return ask.promise;
    }
    const { cid, promise } = this.pending.open(node, limits, to, kind, type, name);
    if (cell === undefined) {
      const envelope: RequestEnvelope = { kind, dst: node, to, type, payload: value, enc, from: this.node, cid };
      this.route(trace === undefined ? envelope : { ...envelope, trace });
      return promise;
    }
    if (kind === 'ask') {
      cell.deliver({ type, payload: value, replier: copyingReplier(this.pending, this, cid, cell, type), accepted: undefined, refused: undefined, trace });
    } else {
      cell.deliver({ type, payload: value, replier: undefined, accepted: () => void this.pending.resolve(cid, undefined), refused: (error: Error) => void this.pending.reject(cid, error), trace });
    }
    return promise;
  }

  /** Whether actors here get copies of what they are sent by actors here (`SystemOptions.copyInline`). */
  get copiesInline(): boolean {
    return this.#copyInline;
  }

  /** The spawn arguments for an actor started here by an actor or the system here: copied under `copyInline`. */
  inlineArgs(args: unknown, definition: string): unknown {
    return this.#copyInline ? this.#copyArgs(args, definition) : args;
  }

  /** Apart from {@link Runtime.inlineArgs}: a closure over `definition` there made a context on every spawn. */
  #copyArgs(args: unknown, definition: string): unknown {
    return copyAcross(args, this, () => `the spawn arguments of ${definition}`);
  }

  /** Sends a control request to `node` and waits for its answer. */
  request(node: NodeId, build: (cid: CorrelationId) => Envelope, limits: PendingLimits, transfer?: readonly Transferable[]): Promise<unknown> {
    const { cid, promise } = this.pending.open(node, limits);
    this.route(build(cid), transfer);
    return promise;
  }

  // ---- CellHost ------------------------------------------------------------------------

  deadLetter(to: ActorId, letter: Pick<Letter, 'type' | 'payload'>, error: Error, definition?: string): void {
    this.#sink.deadLetter(to, letter.type, letter.payload, error, definition);
  }

  failure(actor: ActorId, type: string, error: unknown): void {
    this.#sink.failure(actor, type, error);
  }

  crashed(actor: ActorId, error: unknown, generation: number): void {
    const supervisor = this.actors.supervisorOf(actor);
    if (supervisor === undefined || supervisor === this.node) return this.#sink.crashed(actor, error, generation);
    this.route({ kind: 'crashed', dst: supervisor, actor, error: error === null ? null : serializeError(error), generation });
  }

  stopSelf(actor: ActorId, generation: number): void {
    const supervisor = this.actors.supervisorOf(actor);
    const childHere = this.actors.get(actor)?.parentCell !== undefined;
    // A supervised actor halts and keeps its mailbox, as after a throw: its supervisor restarts it, or stops it for good.
    const ended: Promise<unknown> = isSupervised(actor) ? this.actors.halt(actor) : this.actors.stop(actor);
    void ended.then(() => this.crashedOn(supervisor, actor, generation, undefined, childHere));
  }

  graceSelf(cell: ActorCell): void {
    this.actors.graceSelf(cell);
  }

  endGrace(grace: Grace): void {
    this.actors.endGrace(grace);
  }

  stoppedItself(cell: ActorCell): void {
    const supervisor = this.actors.supervisorOf(cell.id);
    this.actors.forget(cell);
    this.crashedOn(supervisor, cell.id, 0, cell.seq >= 0, cell.parentCell !== undefined);
  }

  /** An actor supervised from `supervisor` stopped itself (`madeHere`, `childHere`: see {@link RuntimeSink.crashed}). */
  crashedOn(supervisor: NodeId | undefined, actor: ActorId, generation: number, madeHere?: boolean, childHere?: boolean): void {
    if (supervisor === undefined || supervisor === this.node) return this.#sink.crashed(actor, null, generation, madeHere, childHere);
    this.route({ kind: 'crashed', dst: supervisor, actor, error: null, generation });
  }

  ended(cell: ActorCell, reason: DownReason): void {
    cell.parentCell?.familyIfAny?.childGone(cell.slot, cell.id);
    if (this.watches.anyWatched) this.watches.ended(cell.id, serializeDown(reason));
  }

  makeRef(id: ActorId, name: string | undefined, cell?: ActorCell, supervised = false): ActorRef {
    // A cell's own ref: its node is this one when this node made the id (a supervised actor restarted here keeps its home's).
    return cell === undefined ? ActorRef.of(this, id, name) : ActorRef.of(this, id, name, cell.seq >= 0 ? this.node : nodeOf(id), supervised, cell);
  }
}
