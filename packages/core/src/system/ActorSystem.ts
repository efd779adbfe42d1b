import { EventEmitter } from 'eventemitter3';
import { systemClock, type Clock } from '../clock.js';
import { MultitaskError } from '../errors.js';
import { serializeError } from '../wire/errorWire.js';
import { isSupervised, isSystemId, newSystemId, nodeAddress, nodeOf, systemOf, sequenceOf, type ActorId, type NodeId, type SystemId } from '../wire/ids.js';
import { errorMessage } from '../actor/errorMessage.js';
import { describeActor, stoppedError } from '../actor/actorErrors.js';
import type { ActorRef } from '../actor/ActorRef.js';
import type { AnyActorDefinition } from '../actor/defineActor.js';
import { HostTable, type HostRecord } from './HostTable.js';
import type { DownReason } from '../actor/DownReason.js';
import { Supervisor } from '../supervisor/Supervisor.js';
import type { ChildOps } from '../supervisor/ChildOps.js';
import type { ActorChildSpec, ChildSpec, SupervisorSpec } from '../supervisor/spec.js';
import { Runtime, type RuntimeSink } from '../node/Runtime.js';
import { Spawner, type SpawnOpts } from './Spawner.js';
import { SupervisedActors, type Supervised } from './SupervisedActors.js';
import { DeathWatch } from './DeathWatch.js';
import { LocalNames } from './NameRegistry.js';
import { PeerSystems, type PeerInfo, type PeersHost } from './PeerSystems.js';
import { RootRequests } from './RootRequests.js';
import { ActorSupervisors } from './ActorSupervisors.js';
import type { Endpoint } from '../transport/Endpoint.js';
import type { ClusterHook, ClusterHost } from './ClusterHook.js';
import type { SystemEvents, SystemOptions } from './systemTypes.js';
import type { SpawnArgs } from '../actor/spawnTypes.js';
import { UnknownMessageWarnings } from './UnknownMessageWarnings.js';
import { servedEntries } from './Servable.js';
import { DurableHandle } from '../channel/DurableChannel.js';
import { DurableRelay } from './DurableRelay.js';
import type { InspectedPool } from './SystemInspection.js';
import { SystemObservation } from './SystemObservation.js';
import type { SystemSnapshot } from '../observe/snapshotTypes.js';
import { checkTelemetry, type Telemetry } from '../observe/Telemetry.js';
import { monitorElsewhere } from './monitorElsewhere.js';

const STOPPED: DownReason = Object.freeze({ kind: 'stopped' });

/**
 * A set of actors and the threads and processes that host them. Create one with
 * {@link createSystem}; end it with {@link ActorSystem.shutdown} (or `await using`).
 *
 * @example
 * ```ts
 * import { createSystem } from '@multitask/core';
 * import { Counter } from './counter.js';
 *
 * await using system = createSystem();
 * const counter = await system.spawn(Counter, { placement: 'thread', args: 0 });
 * counter.tell('add', 2);
 * console.log(await counter.ask('get')); // 2
 * ```
 */
export class ActorSystem extends EventEmitter<SystemEvents> {
  readonly #runtime: Runtime;
  readonly #hosts: HostTable;
  readonly #spawner: Spawner;
  readonly #shutdownTimeout: number;
  readonly #spawnTimeout: number;
  readonly #clock: Clock;
  readonly #supervised: SupervisedActors;
  readonly #supervisors = new Set<Supervisor>();
  readonly #deaths = new DeathWatch();
  readonly #names = new LocalNames();
  readonly #unknownWarnings = new UnknownMessageWarnings();
  readonly #peers: PeerSystems;
  #requests!: RootRequests;
  readonly #actorSupervisors: ActorSupervisors;
  /** Durable channels worked for this system's threads and processes. */
  readonly #durables = new DurableRelay((name, capacity, ackWait) => {
    const cluster = this.#cluster;
    if (cluster?.durable === undefined) return Promise.reject(new MultitaskError('INVALID_ARGUMENT', `durable channel '${name}': this system joins no cluster`));
    return cluster.durable({ name, capacity, ackWait }, this.#runtime);
  });
  readonly #id: SystemId;
  readonly #node: string;
  #supervisorSeq = 0;
  /** Its snapshot, telemetry and diagnostics channels. */
  readonly #observation: SystemObservation;
  #shutdown: Promise<void> | undefined;
  #cluster: ClusterHook | undefined;

  /** @internal */
  constructor(options: SystemOptions = {}) {
    super();
    const askTimeout = positive(options.askTimeout, 30_000, 'options.askTimeout');
    this.#shutdownTimeout = positive(options.shutdownTimeout, 5_000, 'options.shutdownTimeout');
    this.#spawnTimeout = positive(options.spawnTimeout, 60_000, 'options.spawnTimeout');
    const stopGrace = this.#shutdownTimeout / 2;
    this.#clock = options.clock ?? systemClock;
    if (options.id !== undefined && !isSystemId(options.id)) throw new MultitaskError('INVALID_ARGUMENT', 'options.id must be 1 to 64 letters, digits, _ or -');
    this.#id = (options.id as SystemId | undefined) ?? newSystemId();
    if (options.node !== undefined && (typeof options.node !== 'string' || options.node.length === 0)) throw new MultitaskError('INVALID_ARGUMENT', 'options.node must be a non-empty string');
    this.#node = options.node ?? this.#id;
    const resolver = { resolve: (dst: NodeId) => this.#peers.resolve(dst) };
    const copyInline = checkBoolean(options.copyInline, 'options.copyInline');
    const telemetry = checkTelemetry(options.telemetry);
    const diagnostics = checkBoolean(options.diagnostics, 'options.diagnostics');
    this.#runtime = new Runtime({ node: nodeAddress(this.#id, 0), clock: this.#clock, askTimeout, stopGrace, parent: undefined, resolver, sink: this.#sink(), copyInline });
    this.#peers = new PeerSystems(this.#peersHost(), servedEntries(options.serve));
    this.#hosts = new HostTable(this.#runtime, {
      askTimeout,
      stopGrace,
      execArgv: options.execArgv,
      hold: (record) => this.#supervised.hold(record),
      onGone: (record, reason) => this.#hostGone(record, reason),
      labelOf: (ref) => this.#supervised.labelOf(ref),
      tellPeers: (down) => this.#peers.tellPeers(down),
      telemetry,
      diagnostics,
    });
    this.#spawner = new Spawner({
      runtime: this.#runtime,
      hosts: this.#hosts,
      peers: this.#peers,
      names: this.#names,
      spawnTimeout: this.#spawnTimeout,
      shutdownTimeout: this.#shutdownTimeout,
      shutDown: () => this.#shutdown !== undefined,
      started: (ref) => this.#emit('actor:started', ref),
    });
    this.#actorSupervisors = new ActorSupervisors({
      opsFor: (node) => this.#supervised.opsFor(node),
      escalate: (parent, reason) => this.#escalate(parent, reason),
      escalated: (supervisor, reason) => this.#emit('supervisor:escalated', supervisor, reason),
    });
    const requests = new RootRequests({
      runtime: this.#runtime,
      names: this.#names,
      peers: this.#peers,
      supervisors: this.#actorSupervisors,
      start: (definition, opts, again, generation) => this.#spawner.start(definition, opts, again, generation),
      spawn: (definition, opts) => this.#spawner.spawn(definition, opts),
      stop: (ref) => this.stop(ref),
      durable: (from, request) => this.#durables.handle(from, request),
    });
    this.#requests = requests;
    this.#runtime.system = requests.services();
    this.#supervised = new SupervisedActors(
      {
        runtime: this.#runtime,
        hosts: this.#hosts,
        peers: this.#peers,
        clock: this.#clock,
        shutdownTimeout: this.#shutdownTimeout,
        spawnTimeout: this.#spawnTimeout,
        start: (definition, opts, again, generation, on) => this.#spawner.start(definition, opts, again, generation, on),
        forget: (ref, reason) => this.#forget(ref, reason),
        down: (ref, reason) => this.#down(ref, reason),
        restarted: (ref, restarts) => this.#emit('actor:restarted', ref, restarts),
        escalated: (supervisor, reason) => this.#emit('supervisor:escalated', supervisor, reason),
        shuttingDown: () => this.#shutdown !== undefined,
      },
      options.random ?? Math.random,
    );
    const observed = {
      runtime: this.#runtime,
      hosts: this.#hosts,
      system: this.#id,
      node: this.#node,
      supervisors: () => [...[...this.#supervisors].map((sup) => [sup, undefined] as const), ...this.#actorSupervisors.list()],
      labelOf: (id: ActorId) => this.#supervised.get(id)?.label,
      peers: () => this.#peers.joined,
      definitionOf: (id: ActorId) => this.#supervised.get(id)?.spec.definition.name ?? this.#runtime.actors.get(id)?.definitionName,
    };
    this.#observation = new SystemObservation(observed, telemetry, diagnostics);
  }

  /**
   * The root's telemetry, when on (a pool records its tasks with it).
   * @internal
   */
  get telemetry(): Telemetry | undefined {
    return this.#observation.telemetry;
  }

  /**
   * The system as it is now: the tree of supervisors and actors, every actor on every host
   * (its definition, placement, node, status, mailbox depth and capacity, messages handled,
   * restarts and last crash), the hosts with their memory, the channels shared between
   * nodes, the pools, and the dead letters by reason. Each thread and process host is
   * asked for its part at once; a host that does not answer within 2 s (a handler blocks
   * its thread) shows as `responsive: false`, without its actors.
   *
   * @remarks
   * Costs nothing until called: the counters it reads (messages handled, channel items) are
   * kept anyway. A system of 100 000 idle actors takes tens of milliseconds (see the
   * observability guide), so once a second is fine.
   *
   * @example
   * ```ts
   * const snapshot = await system.inspect();
   * for (const actor of snapshot.actors) console.log(actor.label ?? actor.id, actor.status, actor.mailbox.depth);
   * ```
   */
  inspect(): Promise<SystemSnapshot> {
    return this.#observation.snapshot();
  }

  /**
   * Shows a pool in the snapshot until the returned function is called.
   * @internal
   */
  addInspected(pool: InspectedPool): () => void {
    return this.#observation.addPool(pool);
  }

  /**
   * How many envelopes the main thread has passed on between other nodes.
   * @internal
   */
  get forwardedCount(): number {
    return this.#runtime.forwarded;
  }

  /**
   * How many top-level supervisors are running.
   * @internal
   */
  get supervisorCount(): number {
    return this.#supervisors.size;
  }

  /** True once {@link ActorSystem.shutdown} has been called. */
  get isShutDown(): boolean {
    return this.#shutdown !== undefined;
  }

  /**
   * Starts an actor and resolves with a typed ref to it once its `onStart` has run.
   *
   * @param definition - what {@link defineActor} returned
   * @param options - `placement`, `args` (for `init`), `name`, `mailbox`, `resourceLimits`
   * @throws (rejects with) {@link MultitaskError} `SPAWN_FAILED` (module or export missing,
   * `init`/`onStart` threw), `NAME_TAKEN`, `NOT_SERIALIZABLE` (args), `INVALID_ARGUMENT`,
   * `ACTOR_STOPPED` (the system is shut down)
   */
  async spawn<D extends AnyActorDefinition>(definition: D, ...options: SpawnArgs<D>): Promise<ActorRef<D>> {
    const opts: SpawnOpts = options[0] ?? {};
    if (this.#observation.ready !== undefined) await this.#observation.ready;
    // A node of the cluster is known once the join is through: a spawn there waits for it.
    if (this.#cluster !== undefined && typeof opts.placement === 'object') await this.#cluster.joined.catch(() => undefined);
    return (await this.#spawner.spawn(definition, opts)) as ActorRef<D>;
  }

  /**
   * The actor registered under `name`, if it is running. In a cluster, on any node: what
   * this node knows now of the cluster's names (a name just taken on another node is found
   * a few milliseconds later; `ctx.lookup` asks the cluster's registry at once).
   * @param name - the `name` given at spawn
   */
  lookup(name: string): ActorRef | undefined {
    return this.#names.find(name);
  }

  /**
   * Stops an actor: its running handler finishes, `onStop` runs, messages still queued are
   * refused with `ACTOR_STOPPED`, and its thread or process ends. Resolves when it is gone.
   * A supervised actor is stopped for good: its supervisor does not restart it.
   * @param ref - the actor to stop; stopping a stopped actor does nothing
   */
  async stop(ref: ActorRef): Promise<void> {
    const supervised = this.#supervised.get(ref.id);
    if (supervised !== undefined) return supervised.supervisor.stopChild(ref);
    if (this.#peers.isThere(ref.id)) return this.#stopThere(ref);
    const hosted = this.#peers.hostedAt(ref.id);
    if (hosted !== undefined && nodeOf(ref.id) !== hosted) {
      // Run here for another system, under an id of that system's (it supervises it).
      await this.#stopAt(ref, hosted);
      return this.#peers.stoppedHere(ref.id);
    }
    const node = nodeOf(ref.id);
    if (node !== this.#runtime.node) {
      // An actor this root started on a host of its own ends with its host; a child an actor
      // started there is stopped where it runs.
      if (this.#hosts.get(node)?.actors.has(ref.id) !== false) return this.#hosts.stop(node, this.#shutdownTimeout);
      const runtime = this.#runtime;
      await runtime.request(node, (cid) => ({ kind: 'stop', dst: node, from: runtime.node, cid, to: ref.id }), { timeout: this.#shutdownTimeout, what: `stopping actor ${ref.id}` }).catch(() => undefined);
      return;
    }
    if (!this.#runtime.actors.has(ref.id)) return;
    await this.#runtime.actors.stop(ref.id);
    this.#forget(ref, { kind: 'stopped' });
  }

  /** {@link ActorSystem.stop} at once, without a ref or a promise, for a plain idle actor of this thread; false when it needs `stop`. */
  #stopIdle(id: ActorId): boolean {
    if (this.#supervised.get(id) !== undefined || this.#peers.hostedAt(id) !== undefined || !this.#runtime.actors.stopIdle(id)) return false;
    this.#forgetId(id, STOPPED);
    return true;
  }

  /**
   * Ends the thread or process of an unsupervised hosted actor at once, for `reason` (a
   * pool replacing a worker whose task ran past its timeout).
   * @internal
   */
  async kill(ref: ActorRef, reason: DownReason): Promise<void> {
    const node = nodeOf(ref.id);
    if (node !== this.#runtime.node && this.#supervised.get(ref.id) === undefined) await this.#hosts.kill(node, reason);
  }

  /**
   * Stops an actor this system runs on `node` for another system (whose id may name that
   * system: one it supervises).
   */
  async #stopAt(ref: ActorRef, node: NodeId): Promise<void> {
    if (node === this.#runtime.node) {
      if (!this.#runtime.actors.has(ref.id)) return;
      await this.#runtime.actors.stop(ref.id);
      return this.#forget(ref, STOPPED);
    }
    const record = this.#hosts.get(node);
    if (record?.actors.has(ref.id) === true && record.actors.size === 1) return this.#hosts.stop(node, this.#shutdownTimeout);
    record?.actors.delete(ref.id);
    const runtime = this.#runtime;
    await runtime.request(node, (cid) => ({ kind: 'stop', dst: node, from: runtime.node, cid, to: ref.id }), { timeout: this.#shutdownTimeout, what: `stopping actor ${ref.id}` }).catch(() => undefined);
  }

  /** Stops an actor this system started on another system. */
  async #stopThere(ref: ActorRef): Promise<void> {
    const peer = this.#peers.byName(this.#peers.nameOf(ref.id) ?? '');
    this.#peers.forgetThere(ref);
    if (peer !== undefined) {
      const runtime = this.#runtime;
      await runtime.request(peer.root, (cid) => ({ kind: 'stop', dst: peer.root, from: runtime.node, cid, to: ref.id }), { timeout: this.#shutdownTimeout, what: `stopping actor ${ref.id}` }).catch(() => undefined);
    }
    this.#forget(ref, { kind: 'stopped' });
  }

  /**
   * What this system tells the systems it joins about itself.
   * @internal
   */
  get peerInfo(): PeerInfo {
    return { system: this.#id, node: this.#node, root: this.#runtime.node, serves: this.#peers.serves };
  }

  /**
   * Joins another system over `endpoint` (a network adapter's link to it): from then on
   * actors here reach actors there and the reverse, and `{ node: info.node }` placements
   * start actors there. Returns the leave. When the link ends, everything waiting on the
   * other system settles with `NODE_DOWN` and `node:down` fires.
   * @internal
   */
  attachPeer(info: PeerInfo, endpoint: Endpoint): () => void {
    if (this.#shutdown !== undefined) throw new MultitaskError('ACTOR_STOPPED', 'the actor system is shut down');
    return this.#peers.attach(info, endpoint);
  }

  /**
   * The names of the live nodes this system is joined to, its own first.
   *
   * @example
   * ```ts
   * const system = createSystem({ node: 'a', cluster: { servers: 'nats://127.0.0.1:4222', name: 'shop' } });
   * await system.ready();
   * console.log(system.nodes()); // ['a', 'b', 'c']
   * ```
   */
  nodes(): string[] {
    return [this.#node, ...this.#peers.names()];
  }

  /**
   * A handle of the durable channel `name` over this system's cluster connection: its
   * stream is made if it is not there yet (by `createChannel`, or by a handle that arrived
   * in a message before its creator had made it). Its timeouts and pauses run on `clock`.
   * @throws {@link MultitaskError} `INVALID_ARGUMENT` for a bad name or ackWait, or a system that joins no cluster
   * @internal
   */
  openDurable(name: string, capacity: number, ackWait: number, clock: Clock = this.#clock): DurableHandle<unknown> {
    if (typeof name !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(name)) throw new MultitaskError('INVALID_ARGUMENT', 'options.durable must be 1 to 64 letters, digits, _ or -');
    if (!(typeof ackWait === 'number' && ackWait > 0 && Number.isFinite(ackWait))) throw new MultitaskError('INVALID_ARGUMENT', 'options.ackWait must be a positive number of milliseconds');
    const cluster = this.#cluster;
    if (cluster?.durable === undefined) throw new MultitaskError('INVALID_ARGUMENT', `durable channel '${name}': options.system must join a cluster (createSystem({ cluster })), whose NATS server keeps the items`);
    if (this.#shutdown !== undefined) throw new MultitaskError('ACTOR_STOPPED', 'the actor system is shut down');
    return new DurableHandle(name, capacity, ackWait, cluster.durable({ name, capacity, ackWait }, this.#runtime), clock);
  }

  /**
   * Whether the live node `node` (this one included) serves what has the key `key`.
   * @internal
   */
  nodeServes(node: string, key: string): boolean {
    if (node === this.#node) return this.#peers.serves.includes(key);
    return this.#peers.byName(node)?.serves.includes(key) === true;
  }

  /**
   * Resolves once the system is ready: at once for a single machine; with a cluster,
   * once this node has taken its name, announced itself and heard the nodes already there.
   * @throws (rejects with) {@link MultitaskError} `NODE_DOWN` (no NATS server could be
   * reached, nor the cluster's names, or the system was shut down while it waited for its name),
   * `NAME_TAKEN` (another node of the cluster has this node's name)
   *
   * @example
   * ```ts
   * const system = createSystem({ node: 'b', serve: [Counter], cluster: { servers: 'nats://127.0.0.1:4222', name: 'shop' } });
   * await system.ready();
   * ```
   */
  ready(): Promise<void> {
    return this.#cluster?.joined ?? Promise.resolve();
  }

  /**
   * Starts the cluster adapter of this system (`createSystem({ cluster })` calls it).
   * @internal
   */
  useCluster(start: (host: ClusterHost) => ClusterHook): void {
    if (this.#cluster !== undefined) throw new MultitaskError('INVALID_ARGUMENT', 'the system has a cluster already');
    this.#cluster = start({
      info: this.peerInfo,
      clock: this.#clock,
      attach: (info, endpoint) => this.attachPeer(info, endpoint),
      badFrame: (node, reason) => this.#emit('bad-frame', { node, reason }),
      connection: (up) => (up ? this.#emit('cluster:reconnected') : this.#emit('cluster:disconnected')),
      checkPayloads: (check) => void (this.#runtime.wireCheck = check),
      useNames: (names) => this.#names.share(names, (id, name) => this.#runtime.makeRef(id, name)),
    });
    this.#cluster.joined.catch(() => undefined); // reported by ready(); never an unhandled rejection
    this.#runtime.durable = (name, capacity, ackWait) => this.openDurable(name, capacity, ackWait);
  }

  /**
   * Starts a supervisor under the system's root and resolves once all its children have
   * started (in order). If a child fails to start, those already started are stopped and
   * this rejects with its `SPAWN_FAILED`. The root never restarts a supervisor: one that
   * gives up (`supervisor:escalated`) stays stopped, and refs to its children then fail
   * with `SUPERVISOR_ESCALATED`.
   *
   * @param spec - strategy, intensity, backoff, and the children made with {@link child}
   * @throws (rejects with) {@link MultitaskError} `SPAWN_FAILED`, `INVALID_ARGUMENT`, `NAME_TAKEN`, `ACTOR_STOPPED` (the system is shut down)
   *
   * @example
   * ```ts
   * const sup = await system.supervise({
   *   strategy: 'rest-for-one',
   *   children: [child('store', Store, { placement: 'thread' }), child('web', Web, { args: 8080 })],
   * });
   * await sup.ref('store').ask('get', 'key');
   * ```
   */
  async supervise<const C extends readonly ChildSpec[]>(spec: SupervisorSpec<C>): Promise<Supervisor<C>> {
    if (this.#shutdown !== undefined) throw new MultitaskError('ACTOR_STOPPED', 'the actor system is shut down');
    if (this.#observation.ready !== undefined) await this.#observation.ready;
    const supervisor = new Supervisor<C>(spec.id ?? `supervisor-${++this.#supervisorSeq}`, spec, this.#supervised.ops, undefined);
    this.#supervisors.add(supervisor as Supervisor);
    supervisor.onStopped = () => this.#supervisors.delete(supervisor as Supervisor); // stopped, or gave up
    try {
      await supervisor.start();
    } catch (error) {
      this.#supervisors.delete(supervisor as Supervisor);
      throw error;
    }
    return supervisor;
  }

  /**
   * Calls `listener` once, when the actor next goes down, with the reason: a crash (also
   * when its supervisor restarts it), a stop, or the death of its thread or process, or of
   * the node of a cluster it runs on (`NODE_DOWN`). The actor may run anywhere: one that
   * another node of the cluster started, or that an actor on one of this system's threads
   * or processes started there, is watched where it runs. For an actor that is not
   * running it is called at once (asynchronously) with `stopped`.
   * @param ref - the actor to watch
   * @param listener - receives the {@link DownReason}
   * @returns a function that cancels the monitor
   *
   * @example
   * ```ts
   * system.monitor(worker, (reason) => console.log(`worker down: ${reason.kind}`));
   * ```
   */
  monitor(ref: ActorRef, listener: (reason: DownReason) => void): () => void {
    if (!this.#alive(ref.id)) {
      // Not known here as running: where it may run says, else it is gone.
      if (this.#elsewhere(ref.id) || this.#onHost(ref.id)) return monitorElsewhere(this.#runtime, ref.id, listener);
      let cancelled = false;
      queueMicrotask(() => cancelled || listener({ kind: 'stopped' }));
      return () => void (cancelled = true);
    }
    return this.#deaths.monitor(ref.id, listener);
  }

  /**
   * Links two actors: when one goes down abnormally (not a stop), the other goes down
   * too, with a `LINKED_EXIT` error. A supervised actor is then restarted by its
   * supervisor; an unsupervised one is stopped. The link lasts for one such death. Both
   * must be actors this system runs, started (on any node) or supervises.
   * @param a - one actor
   * @param b - the other
   * @returns a function that removes the link
   * @throws {@link MultitaskError} `ACTOR_STOPPED` when either is not running,
   * `INVALID_ARGUMENT` when either is an actor another node of the cluster started, or a
   * child an actor on one of this system's threads or processes started (monitor those)
   */
  link(a: ActorRef, b: ActorRef): () => void {
    for (const ref of [a, b]) {
      if (this.#alive(ref.id)) continue;
      if (this.#elsewhere(ref.id)) {
        const node = this.#peers.nameOf(ref.id) ?? 'another node';
        throw new MultitaskError('INVALID_ARGUMENT', `cannot link: ${describeActor(ref.id, ref.name)} runs on node '${node}' for another system; link actors this system started or supervises, and monitor the others`, { actor: ref.id });
      }
      const host = this.#onHost(ref.id) ? this.#hosts.get(nodeOf(ref.id)) : undefined;
      if (host !== undefined) {
        // Its host tracks it, not the root: whether it still runs is known there.
        throw new MultitaskError('INVALID_ARGUMENT', `cannot link: ${describeActor(ref.id, ref.name)} was started by an actor on ${host.host.label}, which tracks it; link actors this system started or supervises, and monitor the others (system.monitor, or ctx.watch from an actor)`, { actor: ref.id });
      }
      throw new MultitaskError('ACTOR_STOPPED', `cannot link: ${describeActor(ref.id, this.#supervised.labelOf(ref))} is not running`, { actor: ref.id });
    }
    return this.#deaths.link(a.id, b.id);
  }

  /**
   * Whether `id` may be an actor on one of this system's running threads or processes that
   * the root did not start (a child an actor there spawned): the host knows, the root does not.
   */
  #onHost(id: ActorId): boolean {
    return systemOf(id) === this.#id && this.#hosts.get(nodeOf(id)) !== undefined;
  }

  /** Whether `id` may be an actor of another system this one is joined to (it runs there, or its id names one). */
  #elsewhere(id: ActorId): boolean {
    if (systemOf(id) === this.#id) return false;
    const where = this.#runtime.parking.whereIs(id);
    return this.#peers.rootOf(nodeOf(id)) !== undefined || (where !== undefined && this.#peers.rootOf(where) !== undefined);
  }

  /**
   * Stops every actor (supervisors first, each stopping its children in reverse order;
   * then the others, running their `onStop` hooks), ends every thread and process, and
   * rejects whatever still waits with `ACTOR_STOPPED`. Afterwards nothing of the system
   * keeps the process alive. Idempotent.
   */
  shutdown(): Promise<void> {
    this.#shutdown ??= this.#shutdownNow();
    return this.#shutdown;
  }

  async #shutdownNow(): Promise<void> {
    this.#hosts.keepSpare(false);
    // Supervisors first, so that nothing restarts what the rest of shutdown stops.
    if (this.#supervisors.size > 0) await Promise.all([...this.#supervisors].map((supervisor) => supervisor.stop()));
    this.#supervised.unwatchAll();
    // The actors on this thread that are no other's child: each stops its children first.
    const inline: Array<Promise<void>> = [];
    for (const cell of this.#runtime.actors.tops()) {
      if (this.#stopIdle(cell.id)) continue;
      inline.push(this.stop(this.#runtime.makeRef(cell.id, cell.name)));
    }
    const hosted = this.#hosts.nodes.map((node) => this.#hosts.stop(node, this.#shutdownTimeout));
    await Promise.all([...inline, ...hosted, this.#peers.stopThere(this.#shutdownTimeout)]);
    await this.#actorSupervisors.stopAll(); // those whose parent's node is gone
    await this.#cluster?.leave();
    this.#peers.detachAll();
    this.#runtime.pending.rejectAll(new MultitaskError('ACTOR_STOPPED', 'the actor system is shut down'));
    this.#observation.close();
  }

  /** Shuts the system down: `await using system = createSystem()`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown();
  }

  #alive(id: ActorId): boolean {
    return this.#runtime.actors.has(id) || this.#supervised.get(id) !== undefined || this.#hosts.get(nodeOf(id))?.actors.has(id) === true || this.#peers.isThere(id);
  }

  // ---- deaths ----------------------------------------------------------------------------

  #hostGone(record: HostRecord, reason: DownReason): void {
    this.#durables.nodeGone(record.node);
    this.#names.releaseWhere((id) => nodeOf(id) === record.node && this.#supervised.get(id) === undefined);
    for (const ref of record.actors.values()) {
      this.#peers.ended(ref.id);
      const entry = this.#supervised.get(ref.id);
      if (entry === undefined) {
        if (reason.kind !== 'stopped') this.#emit('actor:crashed', ref, reason);
        this.#forget(ref, reason);
      } else if (entry.node === record.node && reason.kind !== 'stopped') {
        // A stop of a supervised actor's host is its supervisor's doing: it knows already.
        this.#crashed(entry, reason, undefined);
      }
    }
  }

  /** A supervised actor went down on its own: tell the world, then its supervisor. */
  #crashed(entry: Supervised, reason: DownReason, generation: number | undefined): void {
    if (reason.kind !== 'stopped') this.#emit('actor:crashed', entry.ref, reason);
    this.#down(entry.ref, reason);
    entry.supervisor.actorDown(entry.ref, reason, generation);
  }

  /** An unsupervised actor is gone for good. */
  /**
   * An actor of this thread is gone for good: its name is free; a ref is made only for
   * those who listen (an actor tree of a million short-lived actors has nobody listening).
   */
  #forgetId(id: ActorId, reason: DownReason): void {
    const name = this.#names.releaseId(id);
    if (name !== undefined) this.#runtime.parking.abandon(id, stoppedError(id, name));
    if (this.listenerCount('actor:stopped') === 0 && !this.#deaths.watches(id)) return;
    const ref = this.#runtime.makeRef(id, name);
    this.#emit('actor:stopped', ref, reason);
    this.#down(ref, reason);
  }

  #forget(ref: ActorRef, reason: DownReason): void {
    this.#names.release(ref);
    // Later messages to a named inline actor fail here, naming it (a supervised one's supervisor saw to its own).
    if (ref.name !== undefined && !isSupervised(ref.id) && nodeOf(ref.id) === this.#runtime.node) this.#runtime.parking.abandon(ref.id, stoppedError(ref.id, ref.name));
    this.#emit('actor:stopped', ref, reason);
    this.#down(ref, reason);
  }

  /** Fires the monitors of an actor that went down, and takes its links down with it. */
  #down(ref: ActorRef, reason: DownReason): void {
    const cause = reason.kind === 'stopped' ? undefined : reason.error;
    for (const peer of this.#deaths.down(ref.id, reason)) {
      const entry = this.#supervised.get(peer);
      const other = this.#refTo(peer);
      const error = new MultitaskError('LINKED_EXIT', `${describeActor(peer, this.#supervised.labelOf(other))} went down with its linked ${describeActor(ref.id, this.#supervised.labelOf(ref))} (${reason.kind})`, { cause, actor: peer });
      if (entry !== undefined) this.#crashed(entry, { kind: 'error', error }, undefined);
      else if (this.#alive(peer)) void this.stop(other);
    }
  }

  #sink(): RuntimeSink {
    return {
      deadLetter: (to, type, payload, error, definition) => {
        const heard = this.listenerCount('dead-letter') > 0; // before a listener that takes one event goes
        this.#emit('dead-letter', { recipient: this.#refTo(to), type, payload, error });
        if (!heard && definition !== undefined) this.#unknownWarnings.warn(definition, type, error);
      },
      failure: (actor, type, error) => this.#emit('actor:failed', this.#refTo(actor), error instanceof Error ? error : new Error(errorMessage(error)), type),
      crashed: (actor, error, generation, madeHere) => {
        if (this.#peers.reportCrash(actor, error, generation)) return; // run here for another system's supervisor
        const entry = this.#supervised.get(actor);
        if (entry !== undefined) {
          const reason: DownReason = error === null ? { kind: 'stopped' } : { kind: 'error', error: error instanceof Error ? error : new Error(errorMessage(error)) };
          return this.#crashed(entry, reason, generation);
        }
        // An unsupervised actor stopped itself: its cell is gone; end its host, when this
        // root started the actor there (a child another actor started there stops alone).
        if (madeHere ?? sequenceOf(actor, this.#runtime.node) >= 0) return this.#forgetId(actor, STOPPED);
        if (this.#hosts.get(nodeOf(actor))?.actors.has(actor) === true) void this.#hosts.stop(nodeOf(actor), this.#shutdownTimeout);
      },
      connect: (from, peer) => this.#hosts.connect(from, peer),
      request: (envelope) => this.#requests.handle(envelope),
    };
  }

  /** A supervisor actor `parent` started gave up: the actor crashes, where it runs. */
  #escalate(parent: ActorId, reason: DownReason): void {
    const error = reason.kind === 'stopped' ? new MultitaskError('SUPERVISOR_ESCALATED', `a supervisor of actor ${parent} gave up`) : reason.error;
    const dst = this.#runtime.parking.whereIs(parent) ?? nodeOf(parent);
    this.#runtime.route({ kind: 'escalate', dst, actor: parent, error: serializeError(error) });
  }

  #peersHost(): PeersHost {
    return {
      runtime: this.#runtime,
      name: this.#node,
      start: (definition, envelope, args, on) => {
        const opts = { placement: envelope.placement ?? 'inline', args, mailbox: envelope.mailbox, ...(envelope.label === undefined ? {} : { path: envelope.label }) } as const;
        return this.#spawner.start(definition, opts, envelope.id, envelope.supervised ? envelope.generation : undefined, on);
      },
      stop: (ref, node) => this.#stopAt(ref, node),
      broadcast: (build) => this.#hosts.broadcast(build),
      hold: (refs) => this.#supervised.holdAway(refs),
      lost: (ref, reason) => {
        const entry = this.#supervised.get(ref.id);
        if (entry !== undefined) return this.#crashed(entry, reason, undefined); // its supervisor starts it again elsewhere
        this.#emit('actor:crashed', ref, reason);
        this.#forget(ref, reason);
      },
      relocations: () => this.#runtime.parking.relocations().filter(([id]) => systemOf(id) === this.#id),
      nodeUp: (node) => this.#emit('node:up', node),
      nodeDown: (node, error) => this.#emit('node:down', node, error),
      badFrame: (node, reason) => this.#emit('bad-frame', { node, reason }),
    };
  }

  #refTo(id: ActorId): ActorRef {
    const supervised = this.#supervised.get(id);
    if (supervised !== undefined) return supervised.ref;
    const cell = this.#runtime.actors.get(id);
    return this.#runtime.makeRef(id, cell?.name ?? this.#hosts.get(nodeOf(id))?.actors.get(id)?.name);
  }

  /**
   * Supervision operations whose actors start on the running hosts `place` picks (a
   * pool's workers) instead of hosts of their own.
   * @internal
   */
  childOpsOn(place: (spec: ActorChildSpec) => Promise<ActorRef>): ChildOps {
    return this.#supervised.opsOn(place);
  }

  /** Calls each listener on its own: one that throws does not keep the others from the event. */
  #emit<E extends keyof SystemEvents>(event: E, ...args: SystemEvents[E]): void {
    this.#observation.event(event, args);
    if (this.listenerCount(event) === 0) return; // most events have no listener: nothing to build
    for (const listener of this.listeners(event)) {
      try {
        (listener as (...a: SystemEvents[E]) => void)(...args);
      } catch (error) {
        process.emitWarning(`a '${event}' listener threw: ${errorMessage(error)}`, { code: 'MULTITASK_LISTENER' });
      }
    }
  }
}

/**
 * Creates an actor system.
 * @param options - default ask timeout, shutdown and spawn timeouts, `execArgv` for hosts, clock
 * @throws {@link MultitaskError} `INVALID_ARGUMENT` for a bad option
 *
 * @example
 * ```ts
 * import { createSystem } from '@multitask/core';
 * const system = createSystem({ askTimeout: 5_000 });
 * // ... spawn actors ...
 * await system.shutdown();
 * ```
 */
export function createSystem(options?: SystemOptions): ActorSystem {
  return new ActorSystem(options);
}

function checkBoolean(value: boolean | undefined, what: string): boolean {
  if (value !== undefined && typeof value !== 'boolean') throw new MultitaskError('INVALID_ARGUMENT', `${what} must be true or false`);
  return value === true;
}

function positive(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value > 0)) throw new MultitaskError('INVALID_ARGUMENT', `${what} must be a positive number of milliseconds`);
  return value;
}
