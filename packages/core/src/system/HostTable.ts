import { MultitaskError } from '../errors.js';
import { serializeError } from '../wire/errorWire.js';
import { nodeAddress, nodeOf, systemOf, type ActorId, type NodeId } from '../wire/ids.js';
import { ownFile } from '../ownFile.js';
import type { DownEnvelope, Envelope } from '../wire/protocol.js';
import type { Host, HostExit } from '../transport/Endpoint.js';
import { spawnProcess } from '../transport/processTransport.js';
import { openPortPair, spawnThread } from '../transport/threadTransport.js';
import type { ActorRef } from '../actor/ActorRef.js';
import { describeActor, stoppedError } from '../actor/actorErrors.js';
import { serializeDown, type DownReason } from '../actor/DownReason.js';
import type { ThreadLimits } from '../actor/spawnTypes.js';
import type { HostData } from './hostMain.js';
import type { Runtime } from '../node/Runtime.js';
import type { TelemetryOptions } from '../observe/Telemetry.js';

/** A thread or process started by a system's root node, and the actors it hosts. @internal */
export interface HostRecord {
  readonly node: NodeId;
  readonly kind: 'thread' | 'process';
  readonly host: Host;
  readonly actors: Map<ActorId, ActorRef>;
  stopping: boolean;
  /** Set when the main thread ended the host on purpose (a handler past its timeout). */
  killed: DownReason | undefined;
  readonly gone: Promise<void>;
}

/** @internal */
export interface HostTableOptions {
  readonly askTimeout: number;
  readonly stopGrace: number;
  readonly execArgv: readonly string[] | undefined;
  /** The supervised actors of a host that is gone, whose messages the main thread now holds. */
  readonly hold: (record: HostRecord) => readonly ActorId[];
  readonly onGone: (record: HostRecord, reason: DownReason) => void;
  /** What errors call an actor (its supervised path, or its name), if the user named it. */
  readonly labelOf: (ref: ActorRef) => string | undefined;
  /** Other systems hear of a host's death too (they may wait on its actors). */
  readonly tellPeers: (down: Omit<DownEnvelope, 'dst'>) => void;
  /** What hosts observe (`SystemOptions.telemetry` and `diagnostics`). */
  readonly telemetry: TelemetryOptions | undefined;
  readonly diagnostics: boolean;
}

const hostMainUrl = ownFile(import.meta.url, 'hostMain', './dist/system/hostMain.js');

/**
 * The node directory of one machine: the hosts of a system, kept by its root node. It starts
 * them, hands threads direct ports to each other, stops them, and reports their deaths to
 * the system, to its other hosts and to other systems.
 * @internal
 */
export class HostTable {
  readonly #records = new Map<NodeId, HostRecord>();
  readonly #linked = new Set<string>();
  readonly #runtime: Runtime;
  readonly #options: HostTableOptions;
  #nextNode = 0;
  /**
   * A booted thread with no actor yet, kept while supervised thread actors exist: a restart
   * takes it instead of waiting for a new thread to load the runtime (about half the cost
   * of a cold start on 2 cores), and a new spare boots behind it.
   */
  #spare: HostRecord | undefined;
  /** Actor modules spares import ahead of time (those of supervised thread actors). */
  readonly #preload = new Set<string>();
  #keepSpare = false;
  /** The spare `start` gave out last, until the spawn it was taken for settles (`placed`). */
  #taken: HostRecord | undefined;

  constructor(runtime: Runtime, options: HostTableOptions) {
    this.#runtime = runtime;
    this.#options = options;
  }

  get(node: NodeId): HostRecord | undefined {
    return this.#records.get(node);
  }

  get nodes(): NodeId[] {
    return [...this.#records.keys()];
  }

  /**
   * Keeps a spare thread booted (with `url` imported), or stops keeping one when `url` is
   * `undefined` and `keep` is false.
   */
  keepSpare(keep: boolean, url?: string): void {
    this.#keepSpare = keep;
    if (url !== undefined && !this.#preload.has(url)) {
      this.#preload.add(url);
      if (this.#spare !== undefined) this.#runtime.route({ kind: 'preload', dst: this.#spare.node, url });
    }
    if (keep) this.#spare ??= this.#bootSpare();
    else if (this.#spare !== undefined) {
      const spare = this.#spare;
      this.#spare = undefined;
      void this.stop(spare.node, 1_000);
    }
  }

  /**
   * A host for a new actor: the spare thread when it fits, else a new one. The caller says
   * `placed` once the actor's spawn there has settled: a spare taken is replaced then, not
   * before, so that the new spare's boot (a worker importing the runtime and the actor
   * modules) does not compete for the cores with the restart it was kept for.
   */
  start(kind: 'thread' | 'process', limits: ThreadLimits | undefined): HostRecord {
    const spare = this.#spare;
    if (kind === 'thread' && limits === undefined && spare !== undefined) {
      this.#spare = undefined;
      this.#taken = spare;
      return spare;
    }
    return this.#boot(kind, limits);
  }

  /**
   * The spawn `record` (a host of `start`) was taken for has settled: when it was the spare,
   * the next spare boots, after what the spawn's caller does next in this turn (a restart
   * releases the messages it held).
   */
  placed(record: HostRecord): void {
    if (record !== this.#taken) return;
    this.#taken = undefined;
    setImmediate(() => {
      if (this.#keepSpare) this.#spare ??= this.#bootSpare();
    });
  }

  #bootSpare(): HostRecord {
    const record = this.#boot('thread', undefined, true);
    for (const url of this.#preload) this.#runtime.route({ kind: 'preload', dst: record.node, url });
    return record;
  }

  #boot(kind: 'thread' | 'process', limits: ThreadLimits | undefined, spare = false): HostRecord {
    const node = nodeAddress(systemOf(this.#runtime.node), ++this.#nextNode);
    const data: HostData = {
      node,
      parent: this.#runtime.node,
      askTimeout: this.#options.askTimeout,
      stopGrace: this.#options.stopGrace,
      copyInline: this.#runtime.copiesInline,
      moved: this.#runtime.parking.relocations(), // a host started after an actor moved reaches it too
      telemetry: this.#options.telemetry,
      diagnostics: this.#options.diagnostics,
      spare,
    };
    const start = { main: hostMainUrl(), data, ...(this.#options.execArgv === undefined ? {} : { execArgv: this.#options.execArgv }) };
    const host = kind === 'thread' ? spawnThread(start, limits === undefined ? {} : { resourceLimits: limits }) : spawnProcess(start);
    let done!: () => void;
    const record: HostRecord = { node, kind, host, actors: new Map(), stopping: false, killed: undefined, gone: new Promise((resolve) => (done = resolve)) };
    this.#records.set(node, record);
    this.#runtime.attach(node, host.endpoint);
    host.onExit((exit) => {
      if (this.#spare === record) this.#spare = undefined;
      this.#exited(record, exit);
      done();
    });
    return record;
  }

  /** Thread `from` wants a route to `peer`: a direct port between two threads, else via the root. */
  connect(from: NodeId, peer: NodeId): void {
    const a = this.#records.get(from);
    if (a === undefined) return;
    const b = this.#records.get(peer);
    if (b === undefined) {
      // Gone (or never known): where its actors that moved are now, then that it is down, so
      // that what waited for a port to it reaches them.
      for (const [id, where] of this.#runtime.parking.relocations()) if (nodeOf(id) === peer) this.#runtime.route({ kind: 'relocate', dst: from, id, node: where });
      const error = new MultitaskError('ACTOR_STOPPED', `node ${peer} is not running`);
      const reason = serializeDown({ kind: 'stopped' });
      return this.#runtime.route({ kind: 'down', dst: from, node: peer, error: serializeError(error), reason, actors: [], moved: [] });
    }
    if (a.kind !== 'thread' || b.kind !== 'thread') return this.#runtime.route({ kind: 'link', dst: from, peer, port: null, via: this.#runtime.node });
    const pair = from < peer ? `${from}|${peer}` : `${peer}|${from}`;
    if (this.#linked.has(pair)) return; // both ends already have their port on the way
    this.#linked.add(pair);
    const ports = openPortPair();
    this.#runtime.route({ kind: 'link', dst: from, peer, port: ports.a, via: undefined }, [ports.a]);
    this.#runtime.route({ kind: 'link', dst: peer, peer: from, port: ports.b, via: undefined }, [ports.b]);
  }

  /**
   * Stops every actor of the host (running handlers get the grace, then `onStop` runs),
   * waits for that at most `timeout`, then ends the host.
   */
  async stop(node: NodeId, timeout: number): Promise<void> {
    const record = this.#records.get(node);
    if (record === undefined) return;
    if (!record.stopping) {
      record.stopping = true;
      await this.#runtime
        .request(node, (cid) => ({ kind: 'stop', dst: node, from: this.#runtime.node, cid, to: undefined }), { timeout, what: `stopping ${record.host.label}` })
        .catch(() => undefined);
      await record.host.kill();
    }
    await record.gone;
  }

  /** Ends a host now, for `reason` (a handler past its timeout): a process is not given the grace of a stop. */
  async kill(node: NodeId, reason: DownReason): Promise<void> {
    const record = this.#records.get(node);
    if (record === undefined) return;
    record.killed ??= reason;
    await record.host.kill(true);
    await record.gone;
  }

  /** Sends an envelope to every host. */
  broadcast(build: (dst: NodeId) => Envelope): void {
    for (const node of this.#records.keys()) this.#runtime.route(build(node));
  }

  /** The actor a host serves alone, when the user named it: its death is named after it (`thread 5 of actor orders/worker (…)`). */
  #named(record: HostRecord): { id: ActorId; label: string; host: string } | undefined {
    const ref = record.actors.size === 1 ? record.actors.values().next().value : undefined;
    const label = ref === undefined ? undefined : this.#options.labelOf(ref);
    if (ref === undefined || label === undefined) return undefined;
    return { id: ref.id, label, host: `${record.host.label} of ${describeActor(ref.id, label)}` };
  }

  #exited(record: HostRecord, exit: HostExit): void {
    this.#records.delete(record.node);
    const named = this.#named(record);
    const reason = record.stopping ? ({ kind: 'stopped' } as const) : (record.killed ?? crashReason(named?.host ?? record.host.label, exit, named?.id));
    const error = reason.kind !== 'stopped' ? reason.error : named === undefined ? new MultitaskError('ACTOR_STOPPED', `${record.host.label} was stopped`) : stoppedError(named.id, named.label);
    const heldAt = this.#runtime.node;
    const moved = this.#options.hold(record).map((id) => [id, heldAt] as const);
    const actors = [...record.actors.keys()];
    this.#runtime.nodeDown(record.node, error, reason, actors, moved);
    const down = { kind: 'down', node: record.node, error: serializeError(error), reason: serializeDown(reason), actors, moved } as const;
    for (const other of this.#records.values()) this.#runtime.route({ ...down, dst: other.node });
    this.#options.tellPeers(down);
    for (const pair of this.#linked) if (pair.startsWith(`${record.node}|`) || pair.endsWith(`|${record.node}`)) this.#linked.delete(pair);
    this.#options.onGone(record, reason);
  }
}

/** Why a host died; `actor`: the actor it served alone, whom the error names. */
function crashReason(label: string, exit: HostExit, actor: ActorId | undefined): Exclude<DownReason, { kind: 'stopped' }> {
  switch (exit.kind) {
    case 'exit':
      return { kind: 'exit', code: exit.code, error: new MultitaskError('WORKER_CRASHED', `${label} exited with code ${exit.code}`, { actor }) };
    case 'signal':
      return { kind: 'signal', signal: exit.signal, error: new MultitaskError('WORKER_CRASHED', `${label} was killed by ${exit.signal}`, { actor }) };
    case 'out-of-memory':
      return { kind: 'out-of-memory', error: new MultitaskError('WORKER_CRASHED', `${label} ran out of memory`, { cause: exit.error, actor }) };
    case 'error':
      return { kind: 'error', error: new MultitaskError('WORKER_CRASHED', `${label} crashed: ${exit.error.message}`, { cause: exit.error, actor }) };
  }
}
