import { MultitaskError } from '../errors.js';
import { reviveError, serializeError } from '../wire/errorWire.js';
import { everyNodeOf, isSupervised, systemOf, type ActorId, type NodeId, type SystemId } from '../wire/ids.js';
import { readFrame } from '../wire/frames.js';
import { badFieldOf, hasBadValues, type BadValue } from '../wire/BadValue.js';
import type { DownEnvelope, Envelope, SpawnEnvelope, StopEnvelope } from '../wire/protocol.js';
import { decode } from '../wire/messageCodec.js';
import type { Endpoint } from '../transport/Endpoint.js';
import type { ActorRef } from '../actor/ActorRef.js';
import { reviveDown, serializeDown, type DownReason } from '../actor/DownReason.js';
import type { AnyActorDefinition } from '../actor/defineActor.js';
import type { ServedEntry } from './Servable.js';
import type { Route } from '../node/Routes.js';
import type { Runtime } from '../node/Runtime.js';
import type { Started } from './Spawner.js';
import { settleUnreadable } from './settleUnreadable.js';
import { HostedForPeers } from './HostedForPeers.js';

/** What a system tells the systems it joins about itself. @internal */
export interface PeerInfo {
  readonly system: SystemId;
  /** Its node name, by which placements and `nodes()` name it. */
  readonly node: string;
  /** The address of its root node: the gateway to its other nodes. */
  readonly root: NodeId;
  /** The keys of the definitions it serves. */
  readonly serves: readonly string[];
}

/**
 * Envelope kinds another system may send in (anything else is dropped and counted).
 * `crashed`, `restart` and `relocate` only about actors it supervises (see `#admit`).
 */
const FROM_PEERS = new Set<Envelope['kind']>(['tell', 'ask', 'send', 'reply', 'fail', 'channel', 'channel-cancel', 'ack', 'fence', 'fenced', 'down', 'spawn', 'stop', 'watch', 'unwatch', 'gone', 'crashed', 'restart', 'relocate', 'inspect']);

/** What the peers need from their system. @internal */
export interface PeersHost {
  readonly runtime: Runtime;
  /** This system's node name. */
  readonly name: string;
  /** Starts a definition this system serves, for another system (on its running host `on`, when given). */
  start(definition: AnyActorDefinition, envelope: SpawnEnvelope, args: unknown, on: NodeId | undefined): Promise<Started>;
  /** Stops an actor this system runs (on `node`) for another system. */
  stop(ref: ActorRef, node: NodeId): Promise<void>;
  /** Sends an envelope to every host of this system. */
  broadcast(build: (dst: NodeId) => Envelope): void;
  /** Actors this system started on a peer are about to be lost with it: the supervised ones' messages are held from now on. */
  hold(refs: readonly ActorRef[]): void;
  /** An actor this system started on a peer is gone with it (or with its node there). */
  lost(ref: ActorRef, reason: DownReason): void;
  /** Where this system's actors run that are away from the nodes their ids name (a peer that joins learns them). */
  relocations(): ReadonlyArray<readonly [ActorId, NodeId]>;
  nodeUp(node: string): void;
  nodeDown(node: string, error: Error): void;
  /** A frame (or part of one) from a peer could not be read. */
  badFrame(node: string, reason: string): void;
}

interface Peer {
  readonly info: PeerInfo;
  readonly endpoint: Endpoint;
  /** Actors this system started there. */
  readonly there: Map<ActorId, ActorRef>;
  /** Envelopes from it that were refused (kinds or addresses it may not use). */
  refused: number;
}

/**
 * The other systems this one is joined to (the nodes of a cluster; two systems in a test),
 * each reached through its root node over an endpoint that carries bytes: the remote half
 * of the node directory, and the route resolver of this system's root. A peer may only run
 * what this system serves, by key, and only send kinds of envelopes a peer needs.
 * @internal
 */
export class PeerSystems {
  readonly #host: PeersHost;
  readonly #serves = new Map<string, ServedEntry>();
  readonly #bySystem = new Map<SystemId, Peer>();
  readonly #byName = new Map<string, Peer>();
  /** The peer each actor this system started on a peer runs on (a supervised one's id names this system, not the peer). */
  readonly #thereOf = new Map<ActorId, Peer>();
  /** Actors started here for peers: they belong to them, and stop when they go. */
  readonly #hosted = new HostedForPeers();

  constructor(host: PeersHost, serves: readonly ServedEntry[]) {
    this.#host = host;
    for (const entry of serves) this.#serves.set(entry.key, entry);
  }

  /** This system's node name. */
  get selfName(): string {
    return this.#host.name;
  }

  /** The keys of the definitions this system serves. */
  get serves(): string[] {
    return [...this.#serves.keys()];
  }

  /** The route to a node of another system: through that system's root. */
  resolve(dst: NodeId): Route {
    const peer = this.#bySystem.get(systemOf(dst));
    return peer === undefined ? undefined : { via: peer.info.root };
  }

  /** The peer with this node name, if it is joined. */
  /** The joined systems, for the snapshot (which asks each root for its part). */
  get joined(): PeerInfo[] {
    return [...this.#bySystem.values()].map((peer) => peer.info);
  }

  byName(name: string): PeerInfo | undefined {
    return this.#byName.get(name)?.info;
  }

  /** The joined peer that `node` (one of its nodes) belongs to. */
  infoOf(node: NodeId): PeerInfo | undefined {
    return this.#bySystem.get(systemOf(node))?.info;
  }

  /** The joined peers' node names. */
  names(): string[] {
    return [...this.#byName.keys()];
  }

  /** How many envelopes `system` sent that were refused. @internal */
  refusedFrom(system: SystemId): number {
    return this.#bySystem.get(system)?.refused ?? 0;
  }

  /** Joins `info`'s system over `endpoint`; returns the detach (its death, as far as this system is concerned). */
  attach(info: PeerInfo, endpoint: Endpoint): () => void {
    if (this.#bySystem.has(info.system) || this.#byName.has(info.node)) throw new MultitaskError('INVALID_ARGUMENT', `a node named '${info.node}' is joined already`);
    const peer: Peer = { info, endpoint, there: new Map(), refused: 0 };
    this.#bySystem.set(info.system, peer);
    this.#byName.set(info.node, peer);
    const runtime = this.#host.runtime;
    const gate: Endpoint = {
      packsRuns: endpoint.packsRuns === true,
      post: (frame, transfer) => endpoint.post(frame, transfer),
      // Every envelope from a peer is checked before the runtime sees it.
      onReceive: () =>
        endpoint.onReceive((frame) => {
          try {
            if (!hasBadValues(frame)) return readFrame(frame, (e) => this.#admit(peer, e));
            readFrame(frame, (e) => {
              const bad = badFieldOf(e);
              if (bad === undefined) this.#admit(peer, e);
              else this.#unreadable(peer, e, bad);
            });
          } catch (error) {
            // What came before the element that is not well formed was let in; the rest is refused.
            if (!(error instanceof MultitaskError) || error.code !== 'BAD_FRAME') throw error;
            peer.refused += 1;
            this.#host.badFrame(peer.info.node, error.message);
          }
        }),
      close: () => endpoint.close(),
    };
    runtime.attach(info.root, gate);
    const detach = (error: Error): void => this.#down(peer, error);
    endpoint.onClose?.(detach);
    // Where this system's actors run that are away from their ids' nodes: the newcomer sends to them there.
    for (const [id, node] of this.#host.relocations()) runtime.route({ kind: 'relocate', dst: info.root, id, node });
    this.#host.nodeUp(info.node);
    return () => detach(new MultitaskError('NODE_DOWN', `node '${info.node}' left`));
  }

  /**
   * Lets in what a peer may send: to this system's nodes only, in its own name (or passing
   * on a message for an actor of its system or of this one), no control of hosts, and
   * supervision only of the actors it supervises here.
   */
  #admit(peer: Peer, e: Envelope): void {
    const runtime = this.#host.runtime;
    if (!FROM_PEERS.has(e.kind) || typeof e.dst !== 'string' || systemOf(e.dst) !== systemOf(runtime.node) || !this.#speaksFor(peer, e)) {
      peer.refused += 1;
      return;
    }
    switch (e.kind) {
      case 'down':
        return this.#peerNodeDown(peer, e);
      case 'spawn':
      case 'stop':
      case 'inspect':
        if (e.dst !== runtime.node) return void (peer.refused += 1); // hosts take these from their root only
        break;
      case 'crashed': // a report on an actor this system started there
        if (e.dst !== runtime.node || this.#thereOf.get(e.actor) !== peer) return void (peer.refused += 1);
        break;
      case 'restart': { // a supervisor's restart of an actor it started here
        const hosted = this.#hosted.get(e.to);
        // One of its actors that no longer runs here (stopped here): told at once, so that it starts it again.
        if (hosted === undefined && systemOf(e.to) === peer.info.system) return runtime.fail(e.from, e.cid, new MultitaskError('ACTOR_STOPPED', `actor ${e.to} does not run on node '${this.#host.name}' any more`));
        if (hosted?.owner !== peer.info.system || hosted.supervisor === undefined) return void (peer.refused += 1);
        if (e.phase === 'start' && typeof e.generation === 'number') hosted.generation = e.generation;
        break;
      }
      case 'relocate': // where an actor of the peer's runs now: this system's hosts learn it too
        if (e.dst !== runtime.node || typeof e.id !== 'string' || typeof e.node !== 'string' || systemOf(e.id) !== peer.info.system) return void (peer.refused += 1);
        this.#host.broadcast((dst) => ({ ...e, dst }));
        break;
    }
    runtime.receiveEnvelope(e);
  }

  /**
   * Whether `e` comes in the peer's own name, or is a message the peer passes on in another
   * node's name: to an actor it supervises that runs here, or back to this system for a
   * supervised actor of this system's (that ran there).
   */
  #speaksFor(peer: Peer, e: Envelope): boolean {
    if (!('from' in e)) return true;
    if (typeof e.from !== 'string') return false;
    if (systemOf(e.from) === peer.info.system) return true;
    const actor = e.kind === 'tell' || e.kind === 'ask' || e.kind === 'send' || e.kind === 'fence' ? e.to : e.kind === 'watch' || e.kind === 'unwatch' ? e.actor : undefined;
    if (typeof actor !== 'string') return false;
    if (systemOf(actor) === peer.info.system) return this.#hosted.isFor(actor, peer.info.system);
    return systemOf(actor) === systemOf(this.#host.runtime.node) && isSupervised(actor);
  }

  /** An envelope from a peer with a field that could not be read: counted, reported, and what waits on it settled. */
  #unreadable(peer: Peer, e: Envelope, bad: BadValue): void {
    peer.refused += 1;
    this.#host.badFrame(peer.info.node, `a ${String(e.kind)} envelope: ${bad.reason}`);
    settleUnreadable(this.#host.runtime, peer.info, e, bad);
  }

  /** A node of a peer went down: settle here and on every host what waited on it. */
  #peerNodeDown(peer: Peer, e: DownEnvelope): void {
    if (systemOf(e.node) !== peer.info.system) {
      peer.refused += 1;
      return;
    }
    const error = reviveError(e.error);
    const reason = reviveDown(e.reason);
    const lost = e.actors.map((id) => peer.there.get(id)).filter((ref) => ref !== undefined);
    this.#host.hold(lost);
    this.#host.runtime.nodeDown(e.node, error, reason, e.actors, []);
    this.#host.broadcast((dst) => ({ ...e, dst, moved: [] }));
    for (const ref of lost) {
      this.#forget(peer, ref.id);
      this.#host.lost(ref, reason);
    }
  }

  /** A host of this system went down: peers hear of it (their nodes may wait on its actors). */
  tellPeers(down: Omit<DownEnvelope, 'dst'>): void {
    for (const peer of this.#bySystem.values()) this.#host.runtime.route({ ...down, dst: peer.info.root, moved: [] });
  }

  /** This system started `ref` on `peer`. */
  spawnedThere(info: PeerInfo, ref: ActorRef): void {
    const peer = this.#bySystem.get(info.system);
    if (peer === undefined) return;
    this.#forget(this.#thereOf.get(ref.id), ref.id);
    peer.there.set(ref.id, ref);
    this.#thereOf.set(ref.id, peer);
  }

  #forget(peer: Peer | undefined, id: ActorId): void {
    if (peer === undefined) return;
    peer.there.delete(id);
    if (this.#thereOf.get(id) === peer) this.#thereOf.delete(id);
  }

  /** The node name of the joined peer that runs actor `id` for this system, or whose system `id` belongs to. */
  nameOf(id: ActorId): string | undefined {
    return (this.#thereOf.get(id) ?? this.#bySystem.get(systemOf(id)))?.info.node;
  }

  /** Whether `id` is an actor this system started on a peer that is still joined. */
  isThere(id: ActorId): boolean {
    return this.#thereOf.has(id);
  }

  /** `ref`, started on a peer, was stopped (or is being moved). */
  forgetThere(ref: ActorRef): void {
    this.#forget(this.#thereOf.get(ref.id), ref.id);
  }

  /** The root of the joined system `node` belongs to, if it is joined. */
  rootOf(node: NodeId): NodeId | undefined {
    return this.#bySystem.get(systemOf(node))?.info.root;
  }

  /** Actor `id` of this system now runs on `node`: every peer sends its messages there (see `relocate`). */
  relocated(id: ActorId, node: NodeId): void {
    for (const peer of this.#bySystem.values()) this.#host.runtime.route({ kind: 'relocate', dst: peer.info.root, id, node });
  }

  /**
   * An actor this system runs for a peer's supervisor crashed (`error`) or stopped itself
   * (`null`): the report goes to that supervisor. False when it is not one of those.
   */
  reportCrash(actor: ActorId, error: unknown, generation: number): boolean {
    const report = this.#hosted.crashReport(actor, error, generation);
    if (report !== undefined) this.#host.runtime.route(report);
    return report !== undefined;
  }

  /**
   * Where to start again a supervised actor whose placement named node `preferred`: that
   * node while it is joined; else the joined node that serves `key` where this system runs
   * the fewest actors (by name on a tie); else this node, when it serves `key` itself.
   */
  placeFor(key: string, preferred: string): string | undefined {
    if (this.#byName.has(preferred)) return preferred;
    let best: Peer | undefined;
    for (const peer of [...this.#byName.values()].sort((x, y) => (x.info.node < y.info.node ? -1 : 1))) {
      if (peer.info.serves.includes(key) && (best === undefined || peer.there.size < best.there.size)) best = peer;
    }
    if (best !== undefined) return best.info.node;
    return this.#serves.has(key) ? this.#host.name : undefined;
  }

  /** A spawn or stop a peer asked of this system. */
  request(envelope: SpawnEnvelope | StopEnvelope): void {
    if (envelope.kind === 'spawn' && typeof envelope.placement === 'object') {
      return this.#host.runtime.fail(envelope.from, envelope.cid, new MultitaskError('SPAWN_FAILED', 'a node places actors for another only on itself'));
    }
    const peer = this.#bySystem.get(systemOf(envelope.from));
    const runtime = this.#host.runtime;
    if (peer === undefined) return runtime.fail(envelope.from, envelope.cid, new MultitaskError('NODE_DOWN', 'the request came from a node that is not joined'));
    if (envelope.kind === 'spawn') return void this.#spawn(peer, envelope);
    const hosted = envelope.to === undefined || !this.#hosted.isFor(envelope.to, peer.info.system) ? undefined : this.#hosted.remove(envelope.to);
    if (hosted === undefined) return runtime.reply(envelope.from, envelope.cid, undefined);
    this.#host.stop(hosted.ref, hosted.node).then(
      () => runtime.reply(envelope.from, envelope.cid, undefined),
      (error: unknown) => runtime.fail(envelope.from, envelope.cid, error),
    );
  }

  async #spawn(peer: Peer, envelope: SpawnEnvelope): Promise<void> {
    const runtime = this.#host.runtime;
    try {
      const served = this.#serves.get(envelope.key);
      if (served === undefined) {
        throw new MultitaskError('SPAWN_FAILED', `node '${this.#host.runtime.node}' does not serve '${envelope.key}' (a system runs for others only what it is created with in options.serve)`);
      }
      const on = this.#hostFor(peer, envelope);
      const args = decode(envelope.args, envelope.enc, runtime);
      const started = await this.#host.start(served.definition, envelope, served.args === undefined ? args : served.args(args), on);
      if (this.#bySystem.get(peer.info.system) !== peer) return void this.#host.stop(started.ref, started.node); // it left meanwhile
      if (started.ended === true) return runtime.reply(envelope.from, envelope.cid, [started.ref.id, started.node, true]); // it stopped as it started
      this.#hosted.add({ ref: started.ref, owner: peer.info.system, node: started.node, supervisor: envelope.supervisor, generation: envelope.generation });
      runtime.reply(envelope.from, envelope.cid, [started.ref.id, started.node]);
    } catch (error) {
      runtime.fail(envelope.from, envelope.cid, error);
    }
  }

  /**
   * The running host a spawn asks for (`on`): only one where this system runs actors for
   * that peer (its pool's worker), so that a peer never shares a thread of another's.
   * @throws MultitaskError `SPAWN_FAILED` for any other
   */
  #hostFor(peer: Peer, envelope: SpawnEnvelope): NodeId | undefined {
    const on = envelope.on;
    if (on === undefined) return undefined;
    if (typeof on === 'string' && this.#hosted.runsOn(on, peer.info.system)) return on;
    throw new MultitaskError('SPAWN_FAILED', `node '${this.#host.name}' starts actors for node '${peer.info.node}' only on the threads and processes it runs for it (${String(on)} is not one of them, or it is gone)`);
  }

  /** Where this system runs actor `id` for a peer, if it does. */
  hostedAt(id: ActorId): NodeId | undefined {
    return this.#hosted.get(id)?.node;
  }

  /**
   * An actor this system ran for a peer was stopped here on this system's own account
   * (`system.stop`, a shutdown): it is forgotten, and a supervisor there is told that it
   * stopped (it decides whether to start it again), rather than sending its messages here.
   */
  stoppedHere(id: ActorId): void {
    const report = this.#hosted.crashReport(id, null);
    this.#hosted.remove(id);
    if (report !== undefined) this.#host.runtime.route(report);
  }

  /** An actor this system ran for a peer ended here (its host died): it is not the peer's to stop any more. */
  ended(id: ActorId): void {
    this.#hosted.remove(id);
  }

  /** Stops what this system started on peers (it is shutting down). */
  async stopThere(timeout: number): Promise<void> {
    const runtime = this.#host.runtime;
    const stops: Array<Promise<unknown>> = [];
    for (const peer of this.#bySystem.values()) {
      for (const ref of peer.there.values()) {
        stops.push(runtime.request(peer.info.root, (cid) => ({ kind: 'stop', dst: peer.info.root, from: runtime.node, cid, to: ref.id }), { timeout, what: `stopping actor ${ref.id}` }).catch(() => undefined));
        if (this.#thereOf.get(ref.id) === peer) this.#thereOf.delete(ref.id);
      }
      peer.there.clear();
    }
    await Promise.all(stops);
  }

  /** Leaves every peer (this system is shutting down). */
  detachAll(): void {
    for (const peer of [...this.#bySystem.values()]) this.#down(peer, new MultitaskError('NODE_DOWN', `node '${peer.info.node}' was left: this system shut down`));
  }

  /** A peer is gone: everything that waits on any of its nodes settles, here and on every host. */
  #down(peer: Peer, error: Error): void {
    if (this.#bySystem.get(peer.info.system) !== peer) return;
    this.#bySystem.delete(peer.info.system);
    this.#byName.delete(peer.info.node);
    const pattern = everyNodeOf(peer.info.system);
    const down = new MultitaskError('NODE_DOWN', `node '${peer.info.node}' is down: ${error.message}`, { cause: error });
    const reason: DownReason = { kind: 'error', error: down };
    const lost = [...peer.there.values()];
    this.#host.hold(lost); // before anything settles: what waited for a route there is held, not failed
    this.#host.runtime.nodeDown(pattern, down, reason);
    this.#host.broadcast((dst) => ({ kind: 'down', dst, node: pattern, error: serializeError(down), reason: serializeDown(reason), actors: [], moved: [] }));
    for (const ref of lost) {
      this.#forget(peer, ref.id);
      this.#host.lost(ref, reason);
    }
    for (const hosted of this.#hosted.removeAll(peer.info.system)) void this.#host.stop(hosted.ref, hosted.node);
    peer.endpoint.close();
    this.#host.nodeDown(peer.info.node, down);
  }
}
