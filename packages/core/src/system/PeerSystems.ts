import { MultitaskError } from '../errors.js';
import { reviveError, serializeError } from '../wire/errorWire.js';
import { everyNodeOf, systemOf, type ActorId, type NodeId, type SystemId } from '../wire/ids.js';
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

/** Envelope kinds another system may send in (anything else is dropped and counted). */
const FROM_PEERS = new Set<Envelope['kind']>(['tell', 'ask', 'send', 'reply', 'fail', 'channel', 'channel-cancel', 'ack', 'fence', 'fenced', 'down', 'spawn', 'stop', 'watch', 'unwatch', 'gone', 'inspect']);

/** What the peers need from their system. @internal */
export interface PeersHost {
  readonly runtime: Runtime;
  /** Starts a definition this system serves, for another system. */
  start(definition: AnyActorDefinition, envelope: SpawnEnvelope, args: unknown): Promise<Started>;
  /** Stops an actor of this system for another system. */
  stop(ref: ActorRef): Promise<void>;
  /** Sends an envelope to every host of this system. */
  broadcast(build: (dst: NodeId) => Envelope): void;
  /** An actor this system started on a peer is gone with it. */
  lost(ref: ActorRef, error: Error): void;
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
  /** Actors started here for it: they belong to it, and stop when it goes. */
  readonly here: Map<ActorId, ActorRef>;
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

  constructor(host: PeersHost, serves: readonly ServedEntry[]) {
    this.#host = host;
    for (const entry of serves) this.#serves.set(entry.key, entry);
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
    const peer: Peer = { info, endpoint, there: new Map(), here: new Map(), refused: 0 };
    this.#bySystem.set(info.system, peer);
    this.#byName.set(info.node, peer);
    const runtime = this.#host.runtime;
    const gate: Endpoint = {
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
    this.#host.nodeUp(info.node);
    return () => detach(new MultitaskError('NODE_DOWN', `node '${info.node}' left`));
  }

  /** Lets in what a peer may send: its own addresses only, to this system's nodes only, no control of hosts. */
  #admit(peer: Peer, e: Envelope): void {
    const mine = systemOf(this.#host.runtime.node);
    const from = 'from' in e ? e.from : peer.info.root;
    const ok = FROM_PEERS.has(e.kind) && typeof e.dst === 'string' && typeof from === 'string' && systemOf(e.dst) === mine && systemOf(from) === peer.info.system;
    if (!ok) {
      peer.refused += 1;
      return;
    }
    if (e.kind === 'down') return this.#peerNodeDown(peer, e);
    if ((e.kind === 'spawn' || e.kind === 'stop' || e.kind === 'inspect') && e.dst !== this.#host.runtime.node) {
      peer.refused += 1; // hosts take these from their root only
      return;
    }
    this.#host.runtime.receiveEnvelope(e);
  }

  /**
   * An envelope from a peer with a field that could not be read: whoever waits on it (here
   * or on the peer) is told with `BAD_FRAME`, a tell becomes a dead letter; the rest is dropped.
   */
  #unreadable(peer: Peer, e: Envelope, bad: BadValue): void {
    peer.refused += 1;
    this.#host.badFrame(peer.info.node, `a ${String(e.kind)} envelope: ${bad.reason}`);
    const error = new MultitaskError('BAD_FRAME', `a ${String(e.kind)} from node '${peer.info.node}' could not be read: ${bad.reason}`);
    const runtime = this.#host.runtime;
    const mine = systemOf(runtime.node);
    const fields = e as unknown as Record<string, unknown>;
    const cid = fields.cid;
    const address = (key: string): string | undefined => (typeof fields[key] === 'string' ? (fields[key] as string) : undefined);
    const dst = address('dst');
    const from = address('from');
    if (dst === undefined || systemOf(dst) !== mine) return;
    if ((e.kind === 'reply' || e.kind === 'fail') && typeof cid === 'number') {
      runtime.receiveEnvelope({ kind: 'fail', dst: dst as never, cid: cid as never, error: serializeError(error) });
    } else if ((e.kind === 'ask' || e.kind === 'send' || e.kind === 'channel' || e.kind === 'spawn') && typeof cid === 'number' && from !== undefined && systemOf(from) === peer.info.system) {
      runtime.fail(from as never, cid as never, error);
    } else if (e.kind === 'tell' && address('to') !== undefined && typeof fields.type === 'string') {
      runtime.deadLetter(address('to') as never, { type: fields.type, payload: undefined }, error);
    }
  }

  /** A node of a peer went down: settle here and on every host what waited on it. */
  #peerNodeDown(peer: Peer, e: DownEnvelope): void {
    if (systemOf(e.node) !== peer.info.system) {
      peer.refused += 1;
      return;
    }
    const error = reviveError(e.error);
    this.#host.runtime.nodeDown(e.node, error, reviveDown(e.reason), e.actors, []);
    for (const id of e.actors) peer.there.delete(id);
    this.#host.broadcast((dst) => ({ ...e, dst, moved: [] }));
  }

  /** A host of this system went down: peers hear of it (their nodes may wait on its actors). */
  tellPeers(down: Omit<DownEnvelope, 'dst'>): void {
    for (const peer of this.#bySystem.values()) this.#host.runtime.route({ ...down, dst: peer.info.root, moved: [] });
  }

  /** This system started `ref` on `peer`. */
  spawnedThere(peer: PeerInfo, ref: ActorRef): void {
    this.#bySystem.get(peer.system)?.there.set(ref.id, ref);
  }

  /** The node name of the joined peer whose system `id` belongs to. */
  nameOf(id: ActorId): string | undefined {
    return this.#bySystem.get(systemOf(id))?.info.node;
  }

  /** Whether `id` is an actor this system started on a peer that is still joined. */
  isThere(id: ActorId): boolean {
    return this.#bySystem.get(systemOf(id))?.there.has(id) === true;
  }

  /** `ref`, started on a peer, was stopped. */
  forgetThere(ref: ActorRef): void {
    this.#bySystem.get(systemOf(ref.id))?.there.delete(ref.id);
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
    const ref = envelope.to === undefined ? undefined : peer.here.get(envelope.to);
    if (ref === undefined) return runtime.reply(envelope.from, envelope.cid, undefined);
    peer.here.delete(ref.id);
    this.#host.stop(ref).then(
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
      const args = decode(envelope.args, envelope.enc, runtime);
      const started = await this.#host.start(served.definition, envelope, served.args === undefined ? args : served.args(args));
      if (!this.#bySystem.has(peer.info.system)) return void this.#host.stop(started.ref); // it left meanwhile
      peer.here.set(started.ref.id, started.ref);
      runtime.reply(envelope.from, envelope.cid, [started.ref.id, started.node]);
    } catch (error) {
      runtime.fail(envelope.from, envelope.cid, error);
    }
  }

  /** Stops what this system started on peers (it is shutting down). */
  async stopThere(timeout: number): Promise<void> {
    const runtime = this.#host.runtime;
    const stops: Array<Promise<unknown>> = [];
    for (const peer of this.#bySystem.values()) {
      for (const ref of peer.there.values()) {
        stops.push(runtime.request(peer.info.root, (cid) => ({ kind: 'stop', dst: peer.info.root, from: runtime.node, cid, to: ref.id }), { timeout, what: `stopping actor ${ref.id}` }).catch(() => undefined));
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
    this.#host.runtime.nodeDown(pattern, down, reason);
    this.#host.broadcast((dst) => ({ kind: 'down', dst, node: pattern, error: serializeError(down), reason: serializeDown(reason), actors: [], moved: [] }));
    for (const ref of peer.there.values()) this.#host.lost(ref, down);
    for (const ref of peer.here.values()) void this.#host.stop(ref);
    peer.endpoint.close();
    this.#host.nodeDown(peer.info.node, down);
  }
}
