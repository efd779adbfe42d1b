import type { Clock } from '../clock.js';
import { MultitaskError } from '../errors.js';
import { nodeOf, systemOf, type ActorId, type NodeId } from '../wire/ids.js';
import type { ChildOps } from '../supervisor/ChildOps.js';
import type { ActorChildSpec } from '../supervisor/spec.js';
import type { Supervisor } from '../supervisor/Supervisor.js';
import type { ActorRef } from '../actor/ActorRef.js';
import { definitionKey, type AnyActorDefinition } from '../actor/defineActor.js';
import type { Placement } from '../actor/spawnTypes.js';
import type { HostRecord, HostTable } from './HostTable.js';
import type { PeerSystems } from './PeerSystems.js';
import type { DownReason } from '../actor/DownReason.js';
import type { Runtime } from '../node/Runtime.js';
import type { SpawnOpts } from './Spawner.js';
import { describeActor, goneError } from '../actor/actorErrors.js';
import { watchHandlers } from './watchdog.js';

/** What the supervised actors need from their system. @internal */
export interface SupervisionHost {
  readonly runtime: Runtime;
  readonly hosts: HostTable;
  /** The other systems: a supervised actor may run on one of them. */
  readonly peers: PeerSystems;
  readonly clock: Clock;
  readonly shutdownTimeout: number;
  readonly spawnTimeout: number;
  /** Starts an actor (again under the id `again`; on the running host `on`). */
  start(definition: AnyActorDefinition, opts: SpawnOpts, again: ActorId | undefined, generation: number | undefined, on?: NodeId): Promise<{ ref: ActorRef; node: NodeId }>;
  /** The actor is gone for good (`actor:stopped`). */
  forget(ref: ActorRef, reason: DownReason): void;
  /** The actor went down (monitors and links). */
  down(ref: ActorRef, reason: DownReason): void;
  restarted(ref: ActorRef, restarts: number): void;
  escalated(supervisor: Supervisor, reason: DownReason): void;
  shuttingDown(): boolean;
}

/** A supervised actor, as the system tracks it. @internal */
export interface Supervised {
  readonly ref: ActorRef;
  readonly supervisor: Supervisor;
  readonly spec: ActorChildSpec;
  /** What errors call it: its path, its supervisor's id then its own (`orders/worker`); a pool's actor, its name. */
  readonly label: string | undefined;
  /** Where it runs now. */
  readonly node: NodeId;
  /** Cancels its `handlerTimeout` watch, if it has one. */
  unwatch: () => void;
}

/**
 * The system's supervised actors: where each runs, and the operations their supervisors
 * perform on them (start again under the same id, halt and restart in place, stop, give
 * up), whatever their placement.
 * @internal
 */
export class SupervisedActors {
  readonly #host: SupervisionHost;
  readonly #entries = new Map<ActorId, Supervised>();
  /** What supervisors call. */
  readonly ops: ChildOps;

  constructor(host: SupervisionHost, random: () => number) {
    this.#host = host;
    this.ops = this.#makeOps(random);
  }

  get(id: ActorId): Supervised | undefined {
    return this.#entries.size === 0 ? undefined : this.#entries.get(id);
  }

  /** What errors call an actor: a supervised one by its path, another by its name. */
  labelOf(ref: ActorRef): string | undefined {
    const entry = this.#entries.get(ref.id);
    return entry === undefined ? ref.name : entry.label;
  }

  /** Stops every `handlerTimeout` watch (shutdown). */
  unwatchAll(): void {
    for (const entry of this.#entries.values()) entry.unwatch();
  }

  /** The supervised actors of a dead host: hold their messages, their supervisor may restart them. */
  hold(record: HostRecord): ActorId[] {
    const held: ActorId[] = [];
    for (const id of record.actors.keys()) {
      const entry = this.#entries.get(id);
      if (entry === undefined || entry.node !== record.node) continue;
      entry.unwatch();
      this.#host.runtime.parking.holdFor(id, entry.spec.options.mailbox ?? {}, entry.label);
      held.push(id);
    }
    return held;
  }

  /**
   * Supervised actors that ran on another system, which went down (or whose node there
   * did): their messages are held here from now on, and every node sends them here.
   */
  holdAway(refs: readonly ActorRef[]): void {
    for (const ref of refs) {
      const entry = this.#entries.get(ref.id);
      if (entry !== undefined) this.#holdHere(entry);
    }
  }

  /** Holds `entry`'s messages on this node (the root), and tells every node to send them here. */
  #holdHere(entry: Supervised): void {
    const runtime = this.#host.runtime;
    entry.unwatch();
    runtime.parking.holdFor(entry.ref.id, entry.spec.options.mailbox ?? {}, entry.label);
    if (nodeOf(entry.ref.id) !== runtime.node) return;
    this.#host.hosts.broadcast((dst) => ({ kind: 'relocate', dst, id: entry.ref.id, node: runtime.node }));
    this.#host.peers.relocated(entry.ref.id, runtime.node);
  }

  /** Whether `node` belongs to another system. */
  #away(node: NodeId): boolean {
    return systemOf(node) !== systemOf(this.#host.runtime.node);
  }

  /** Stops a supervised actor that runs on another system (while its messages are held here), if that system is still there. */
  async #stopAway(entry: Supervised, timeout: number): Promise<void> {
    this.#holdHere(entry);
    this.#host.peers.forgetThere(entry.ref);
    const root = this.#host.peers.rootOf(entry.node);
    if (root === undefined) return;
    const runtime = this.#host.runtime;
    await runtime.request(root, (cid) => ({ kind: 'stop', dst: root, from: runtime.node, cid, to: entry.ref.id }), { timeout, what: `stopping actor ${entry.ref.id}` }).catch(() => undefined);
  }

  #makeOps(random: () => number): ChildOps {
    return {
      clock: this.#host.clock,
      random,
      shutdownTimeout: this.#host.shutdownTimeout,
      spawn: (spec, again, generation, owner) => this.#spawnChild(spec, again, generation, owner, undefined),
      halt: (ref, timeout) => this.#restartPhase(ref, 'halt', 0, timeout),
      resume: (ref, generation) => this.#restartPhase(ref, 'start', generation, this.#host.spawnTimeout),
      stop: (ref, timeout) => this.#stop(ref, timeout),
      abandon: (ref, reason) => this.#abandon(ref, reason),
      restarted: (ref, restarts) => this.#host.restarted(ref, restarts),
      escalated: (supervisor, reason) => this.#host.escalated(supervisor, reason),
      halted: (ref) => this.#host.down(ref, { kind: 'stopped' }),
    };
  }

  /** Ends a supervised actor where it runs (its host with it, unless others share it); its messages are held here. */
  async #stop(ref: ActorRef, timeout: number): Promise<void> {
    const entry = this.#entries.get(ref.id);
    if (entry === undefined) return;
    entry.unwatch();
    const runtime = this.#host.runtime;
    const node = entry.node;
    if (this.#away(node)) return this.#stopAway(entry, timeout);
    const record = node === runtime.node ? undefined : this.#host.hosts.get(node);
    if (record !== undefined && record.actors.size > 1) {
      // A host shared with other actors (a pool's worker, a parent and the children it
      // supervises there): stop this actor only. It counts as there until it has stopped:
      // a child the stopping actor stops meanwhile must not end the host the actor is
      // stopping on (each would wait for the other until the timeout). The last one out
      // ends the host.
      runtime.parking.holdFor(ref.id, entry.spec.options.mailbox ?? {}, entry.label);
      this.#host.hosts.broadcast((dst) => ({ kind: 'relocate', dst, id: ref.id, node: runtime.node }));
      await runtime.request(node, (cid) => ({ kind: 'stop', dst: node, from: runtime.node, cid, to: ref.id }), { timeout, what: `stopping actor ${ref.id}` }).catch(() => undefined);
      record.actors.delete(ref.id);
      if (record.actors.size === 0) await this.#host.hosts.stop(node, timeout);
      return;
    }
    if (node !== runtime.node) return this.#host.hosts.stop(node, timeout);
    if (!runtime.actors.has(ref.id)) return;
    runtime.parking.holdFor(ref.id, entry.spec.options.mailbox ?? {}, entry.label);
    await runtime.actors.stop(ref.id);
  }

  /** A supervised actor is not coming back: what waits for it, and what is sent to it later, fails with `reason`. */
  #abandon(ref: ActorRef, reason: DownReason): void {
    const entry = this.#entries.get(ref.id);
    if (entry === undefined) return;
    entry.unwatch();
    this.#entries.delete(ref.id);
    const root = this.#host.runtime.node;
    // Its messages, from any node, come here to fail with the reason (its id's node, if alive, passes them on).
    const forgotten = this.#host.runtime.parking.abandon(ref.id, goneError(ref.id, entry.label, reason));
    if (nodeOf(ref.id) !== root) this.#host.hosts.broadcast((dst) => ({ kind: 'relocate', dst, id: ref.id, node: root }));
    else if (this.#away(entry.node)) this.#host.peers.relocated(ref.id, root); // other systems send here again, to fail
    if (forgotten !== undefined && nodeOf(forgotten) !== root) this.#host.hosts.broadcast((dst) => ({ kind: 'relocate', dst, id: forgotten, node: nodeOf(forgotten) }));
    this.#host.forget(ref, reason);
  }

  /**
   * One half of a restart in place, where `ref` runs (this thread, or its host by a
   * `restart` envelope): halting it, or starting it again as `generation`. False when it is
   * not there any more.
   * @throws MultitaskError `SPAWN_FAILED` when it fails to start again
   */
  async #restartPhase(ref: ActorRef, phase: 'halt' | 'start', generation: number, timeout: number): Promise<boolean> {
    const node = this.#entries.get(ref.id)?.node;
    if (node === undefined) return false;
    if (node === this.#host.runtime.node) return phase === 'halt' ? this.#host.runtime.actors.halt(ref.id, timeout) : this.#host.runtime.actors.restart(ref.id, generation);
    // A host of another system that died there (a pool's worker) is gone although its system is not.
    if (this.#away(node) ? this.#host.peers.rootOf(node) === undefined || this.#host.runtime.isDown(node) : this.#host.hosts.get(node) === undefined) return false;
    const what = `${phase === 'halt' ? 'halting' : 'restarting'} actor ${ref.id}`;
    try {
      await this.#host.runtime.request(node, (cid) => ({ kind: 'restart', dst: node, from: this.#host.runtime.node, cid, to: ref.id, phase, generation }), { timeout, what });
      return true;
    } catch (error) {
      if (phase === 'start' && error instanceof MultitaskError && error.code === 'SPAWN_FAILED') throw error;
      return false;
    }
  }

  /** Starts a supervised actor (again, keeping its id): on a new host, or on the running host `on` (a pool's worker). */
  async #spawnChild(spec: ActorChildSpec, again: ActorRef | undefined, generation: number, owner: Supervisor, on: NodeId | undefined, pooled = on !== undefined): Promise<ActorRef> {
    // A pool's actor (on a running host `on`) has no path the user wrote: its child id is the pool's.
    const label = pooled ? spec.options.name : `${owner.id}/${spec.id}`;
    const placement = this.#placementFor(spec, again);
    const opts = { ...spec.options, ...(placement === undefined ? {} : { placement }), ...(label === undefined ? {} : { path: label }) };
    const { ref, node } = await this.#host.start(spec.definition as AnyActorDefinition, opts, again?.id, generation, on);
    const limit = spec.options.handlerTimeout;
    const before = this.#entries.get(ref.id)?.node;
    const watched = limit === undefined || this.#away(node) ? undefined : limit; // a handlerTimeout holds where this system can end the host
    const entry: Supervised = { ref, supervisor: owner, spec, label, node, unwatch: watched === undefined ? () => undefined : this.#watch(ref, node, watched, label) };
    this.#entries.set(ref.id, entry);
    if (again !== undefined || this.#away(node)) {
      if (node !== this.#host.runtime.node) this.#host.hosts.broadcast((dst) => ({ kind: 'relocate', dst, id: ref.id, node }));
      if (this.#away(node) || (before !== undefined && this.#away(before))) this.#host.peers.relocated(ref.id, node);
      this.#host.runtime.parking.release(ref.id, node);
    }
    if (on === undefined && spec.options.placement === 'thread' && spec.options.resourceLimits === undefined && !this.#host.shuttingDown()) {
      this.#host.hosts.keepSpare(true, (spec.definition as AnyActorDefinition).url);
    }
    return ref;
  }

  /**
   * Where a child starts: where its spec says; a restart of one placed on another node
   * that is gone starts it on another that serves its definition (see `PeerSystems.placeFor`).
   */
  #placementFor(spec: ActorChildSpec, again: ActorRef | undefined): Placement | undefined {
    const placement = spec.options.placement;
    if (again === undefined || typeof placement !== 'object') return placement;
    const node = this.#host.peers.placeFor(definitionKey(spec.definition as AnyActorDefinition), placement.node);
    if (node === undefined || node === placement.node) return placement;
    return node === this.#host.peers.selfName ? (placement.in ?? 'inline') : { node, in: placement.in ?? 'inline' };
  }

  /**
   * Supervision operations whose actors start on the running hosts `place` picks (a
   * pool's workers) instead of hosts of their own.
   * @internal
   */
  opsOn(place: (spec: ActorChildSpec) => Promise<ActorRef>): ChildOps {
    return { ...this.ops, spawn: (spec, again, generation, owner) => place(spec).then((worker) => this.#spawnChild(spec, again, generation, owner, nodeOf(worker.id))) };
  }

  /**
   * Supervision operations for a supervisor that an actor on `node` started: its inline
   * children run on that node (beside their parent), the others where their placement says.
   * @internal
   */
  opsFor(node: NodeId): ChildOps {
    if (node === this.#host.runtime.node) return this.ops;
    return {
      ...this.ops,
      spawn: (spec, again, generation, owner) => this.#spawnChild(spec, again, generation, owner, (spec.options.placement ?? 'inline') === 'inline' ? node : undefined, false),
    };
  }

  /** Watches the handlers of supervised actor `ref` on `node` (see {@link watchHandlers}); ends the host when one overruns. */
  #watch(ref: ActorRef, node: NodeId, limit: number, label: string | undefined): () => void {
    return watchHandlers({
      clock: this.#host.clock,
      limit,
      ping: (timeout) => this.#host.runtime.request(node, (cid) => ({ kind: 'ping', dst: node, from: this.#host.runtime.node, cid }), { timeout, what: `ping of node ${node}` }) as Promise<number>,
      current: () => this.#entries.get(ref.id)?.node === node && this.#host.hosts.get(node) !== undefined,
      overrun: () => {
        const error = new MultitaskError('HANDLER_TIMEOUT', `a handler of ${describeActor(ref.id, label)} ran past its handlerTimeout of ${limit} ms`, { actor: ref.id });
        void this.#host.hosts.kill(node, { kind: 'timeout', error });
      },
    });
  }
}
