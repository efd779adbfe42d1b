import { MultitaskError } from '../errors.js';
import { isSupervised, systemOf, type ActorId, type NodeId } from '../wire/ids.js';
import { scan } from '../wire/cloneCheck.js';
import { errorMessage } from '../actor/errorMessage.js';
import type { ActorRef } from '../actor/ActorRef.js';
import type { ActorCell } from '../actor/ActorCell.js';
import { definitionKey, isActorDefinition, type AnyActorDefinition } from '../actor/defineActor.js';
import type { HostTable } from './HostTable.js';
import { checkMailboxOptions } from '../actor/Mailbox.js';
import { encode } from '../wire/messageCodec.js';
import type { Runtime } from '../node/Runtime.js';
import type { LocalPlacement, Placement, RemotePlacement, SpawnOptionsBase } from '../actor/spawnTypes.js';
import type { NameRegistry } from './NameRegistry.js';
import type { PeerInfo, PeerSystems } from './PeerSystems.js';
import type { HostedIn, PlacementWire, SpawnEnvelope } from '../wire/protocol.js';

const LOCAL: readonly LocalPlacement[] = ['inline', 'thread', 'process'];
const refOf = (started: Started): ActorRef => started.ref;

/** An unnamed actor for this thread: started without names to claim. */
function isPlain(opts: SpawnOpts): boolean {
  return (opts.placement === undefined || opts.placement === 'inline') && opts.name === undefined;
}
/** The mailbox options of an actor spawned without any. @internal */
export const NO_MAILBOX = Object.freeze({});

/**
 * Checks a spawn's definition and options, on any node; resolves its placement.
 * @throws MultitaskError `INVALID_ARGUMENT`, `NOT_SERIALIZABLE` (arguments)
 * @internal
 */
export function checkSpawn(definition: AnyActorDefinition, opts: SpawnOpts): Placement {
  if (!isActorDefinition(definition)) throw new MultitaskError('INVALID_ARGUMENT', 'spawn: definition must be a value returned by defineActor');
  const placement = checkPlacement(opts.placement);
  if (opts.name !== undefined && (typeof opts.name !== 'string' || opts.name.length === 0)) {
    throw new MultitaskError('INVALID_ARGUMENT', 'options.name must be a non-empty string');
  }
  checkMailboxOptions(opts.mailbox);
  scan(opts.args, 'args');
  return placement;
}

/** Spawn options as the system passes them on; `path` names a supervised child in errors. @internal */
export type SpawnOpts = Partial<SpawnOptionsBase & { args: unknown; path: string }>;

/** What starting actors needs from the system. @internal */
export interface SpawnerHost {
  readonly runtime: Runtime;
  readonly hosts: HostTable;
  readonly peers: PeerSystems;
  readonly names: NameRegistry;
  readonly spawnTimeout: number;
  readonly shutdownTimeout: number;
  /** Whether the system is shut down (nothing starts any more). */
  shutDown(): boolean;
  /** An actor started (the system's `actor:started` event). */
  started(ref: ActorRef): void;
}

/** An actor that started, and the node it runs on. @internal */
export interface Started {
  readonly ref: ActorRef;
  readonly node: NodeId;
  /** It stopped itself as it started (`ctx.stop()` in `onStart`): it has no name to bind. */
  readonly ended?: boolean;
}

/**
 * Starting actors where their placement says: this node, a new host, a pool's running host,
 * or another system; and registering their names (a name is claimed while its actor starts,
 * bound once it runs, given up if it fails to).
 * @internal
 */
export class Spawner {
  readonly #host: SpawnerHost;

  constructor(host: SpawnerHost) {
    this.#host = host;
  }

  /** Starts an actor (again, under the id `again`, for a supervisor; on the running host `on`, for a pool). */
  start(definition: AnyActorDefinition, opts: SpawnOpts, again: ActorId | undefined, generation: number | undefined, on?: NodeId): Promise<Started> {
    if (!isPlain(opts) || on !== undefined || again !== undefined || generation !== undefined) return this.#start(definition, opts, again, generation, on);
    try {
      const started = this.spawn(definition, opts);
      const node = this.#host.runtime.node;
      return started instanceof Promise ? started.then((ref) => ({ ref, node })) : Promise.resolve({ ref: started, node });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Starts an actor for the system or a context: the ref itself, at once, for an unnamed
   * actor on this thread whose `init` returned its state (no names to claim, no hook to
   * wait for, no promise on the way: the way most actors of an actor tree start); else a
   * promise of it. Bad options throw.
   */
  spawn(definition: AnyActorDefinition, opts: SpawnOpts): ActorRef | Promise<ActorRef> {
    if (!isPlain(opts)) return this.#start(definition, opts, undefined, undefined).then(refOf);
    this.#checkSpawn(definition, opts);
    const started = this.#startHere(definition, opts, undefined, undefined);
    if (started instanceof Promise) return started.then((cell) => this.#started(cell.ref));
    return this.#started(started.ref);
  }

  #started(ref: ActorRef): ActorRef {
    this.#host.started(ref);
    return ref;
  }

  async #start(definition: AnyActorDefinition, opts: SpawnOpts, again: ActorId | undefined, generation: number | undefined, on?: NodeId): Promise<Started> {
    // On a running host (a pool's worker) the host's own kind applies; `thread` only passes the checks.
    const placement = this.#checkSpawn(definition, on === undefined ? opts : { ...opts, placement: 'thread' });
    const name = opts.name;
    if (name !== undefined) await this.#host.names.claim(name, again);
    try {
      const started =
        on !== undefined && systemOf(on) !== systemOf(this.#host.runtime.node)
          ? await this.#spawnOnPeerHost(on, definition, opts, again, generation)
          : typeof placement === 'object'
          ? await this.#spawnRemote(placement, definition, opts, again, generation)
          : placement === 'inline'
            ? this.#startedHere(await this.#startHere(definition, opts, again, generation))
            : await this.#spawnHosted(placement, definition, opts, again, generation, on);
      // An actor that stopped as it started was released already, or will not be: its name goes back.
      if (name !== undefined && started.ended === true) this.#host.names.unclaim(name);
      else if (name !== undefined) {
        this.#host.names.bind(name, started.ref, definitionKey(definition));
        // Another system tells this one nothing of an unsupervised actor's end: a watch does.
        if (generation === undefined && systemOf(started.node) !== systemOf(this.#host.runtime.node)) this.#releaseOnEnd(started.ref);
      }
      this.#host.started(started.ref);
      return started;
    } catch (error) {
      if (name !== undefined) this.#host.names.unclaim(name);
      throw error;
    }
  }

  /** Releases the name of `ref`, an actor another system runs, when it ends (if the name is still its). */
  #releaseOnEnd(ref: ActorRef): void {
    this.#host.runtime.monitor(ref.id, () => this.#host.names.release(ref));
  }

  /** An actor started on this node: `ended` when it stopped itself as it started (a supervised one halts instead). */
  #startedHere(cell: ActorCell): Started {
    return { ref: cell.ref, node: this.#host.runtime.node, ended: !cell.alive && !isSupervised(cell.id) };
  }

  #checkSpawn(definition: AnyActorDefinition, opts: SpawnOpts): Placement {
    if (this.#host.shutDown()) throw new MultitaskError('ACTOR_STOPPED', 'the actor system is shut down');
    return checkSpawn(definition, opts);
  }

  /**
   * Starts an actor on this thread: its cell, at once when it started at once, else a
   * promise of it. Its ref (`cell.ref`, its `ctx.self`) is the one ref of the actor.
   * @throws MultitaskError `NOT_SERIALIZABLE` for arguments `copyInline` cannot copy
   */
  #startHere(definition: AnyActorDefinition, opts: SpawnOpts, again: ActorId | undefined, generation: number | undefined): ActorCell | Promise<ActorCell> {
    const runtime = this.#host.runtime;
    const args = runtime.inlineArgs(opts.args, definition.name);
    return runtime.actors.startCellNow(again, opts.name, definition, opts.mailbox ?? NO_MAILBOX, args, generation, undefined, opts.path ?? opts.name);
  }


  async #spawnHosted(kind: 'thread' | 'process', definition: AnyActorDefinition, opts: SpawnOpts, again: ActorId | undefined, generation: number | undefined, on?: NodeId): Promise<Started> {
    const shared = on === undefined ? undefined : this.#host.hosts.get(on);
    if (on !== undefined && shared === undefined) throw new MultitaskError('WORKER_CRASHED', `node ${on} is not running`);
    const runtime = this.#host.runtime;
    const wire = encode(opts.args, runtime);
    const record = shared ?? this.#host.hosts.start(kind, opts.resourceLimits);
    let id: ActorId;
    let ended: boolean | undefined;
    try {
      [id, , ended] = (await runtime.request(record.node, (cid) => spawnEnvelope(record.node, runtime.node, cid, definition, opts, again, generation, undefined, wire), {
        timeout: this.#host.spawnTimeout,
        what: `spawn of ${definition.name}`,
      })) as [ActorId, NodeId, boolean?];
    } catch (error) {
      this.#host.hosts.placed(record);
      if (shared === undefined) await this.#host.hosts.stop(record.node, this.#host.shutdownTimeout);
      if (error instanceof MultitaskError && error.code === 'SPAWN_FAILED') throw error;
      throw new MultitaskError('SPAWN_FAILED', `actor ${definition.name} (${definition.url}) failed to start on a ${kind}: ${errorMessage(error)}`, { cause: error });
    }
    this.#host.hosts.placed(record);
    const ref = runtime.makeRef(id, opts.name);
    if (ended === true && generation === undefined) {
      // It stopped itself as it started, before this node knew it ran there: a host of its own ends with it.
      if (shared === undefined) void this.#host.hosts.stop(record.node, this.#host.shutdownTimeout);
      return { ref, node: record.node, ended };
    }
    record.actors.set(id, ref);
    return { ref, node: record.node };
  }

  #spawnRemote(placement: RemotePlacement, definition: AnyActorDefinition, opts: SpawnOpts, again: ActorId | undefined, generation: number | undefined): Promise<Started> {
    const peer = this.#host.peers.byName(placement.node);
    if (peer === undefined) return Promise.reject(new MultitaskError('NODE_DOWN', `spawn of ${definition.name}: no node named '${placement.node}' is connected`));
    return this.#spawnOnPeer(peer, placement.in ?? 'inline', undefined, definition, opts, again, generation);
  }

  /** Starts an actor on `on`, a running host of another system (a pool's worker there), which serves its definition. */
  #spawnOnPeerHost(on: NodeId, definition: AnyActorDefinition, opts: SpawnOpts, again: ActorId | undefined, generation: number | undefined): Promise<Started> {
    const peer = this.#host.peers.infoOf(on);
    if (peer === undefined) return Promise.reject(new MultitaskError('NODE_DOWN', `spawn of ${definition.name}: the node that runs ${on} is not connected`));
    const kind = opts.placement === 'process' ? 'process' : 'thread'; // the host's own kind applies there
    return this.#spawnOnPeer(peer, kind, on, definition, opts, again, generation);
  }

  /** Asks `peer`'s root to start the definition it serves under this one's key: `where` it says, or on its running host `on`. */
  async #spawnOnPeer(peer: PeerInfo, where: HostedIn, on: NodeId | undefined, definition: AnyActorDefinition, opts: SpawnOpts, again: ActorId | undefined, generation: number | undefined): Promise<Started> {
    const runtime = this.#host.runtime;
    const wire = encode(opts.args, runtime);
    // A supervised actor on another system is named by this one: its messages come here while it restarts, wherever it ran.
    const id = again ?? (generation === undefined ? undefined : runtime.actors.mint(true));
    let answer: [ActorId, NodeId, unknown?];
    try {
      answer = (await runtime.request(peer.root, (cid) => spawnEnvelope(peer.root, runtime.node, cid, definition, opts, id, generation, where, wire, on), {
        timeout: this.#host.spawnTimeout,
        what: `spawn of ${definition.name} on node '${peer.node}'`,
      })) as [ActorId, NodeId, unknown?];
    } catch (error) {
      if (error instanceof MultitaskError && (error.code === 'SPAWN_FAILED' || error.code === 'NODE_DOWN')) throw error;
      throw new MultitaskError('SPAWN_FAILED', `actor ${definition.name} failed to start on node '${peer.node}': ${errorMessage(error)}`, { cause: error });
    }
    const ref = runtime.makeRef(answer[0], opts.name);
    // It stopped itself as it started there (a supervised one halts instead): nothing to follow.
    if (answer[2] === true && generation === undefined) return { ref, node: answer[1], ended: true };
    this.#host.peers.spawnedThere(peer, ref);
    return { ref, node: answer[1] };
  }
}

/** The envelope that asks `dst` to start an actor (`placement`: another system places it). @internal */
export function spawnEnvelope(
  dst: NodeId,
  from: NodeId,
  cid: SpawnEnvelope['cid'],
  definition: AnyActorDefinition,
  opts: SpawnOpts,
  again: ActorId | undefined,
  generation: number | undefined,
  placement: PlacementWire | undefined,
  wire: ReturnType<typeof encode>,
  on?: NodeId,
): SpawnEnvelope {
  return {
    ...(on === undefined ? {} : { on }),
    kind: 'spawn',
    dst,
    from,
    cid,
    id: again,
    url: definition.url,
    definition: definition.name,
    key: definitionKey(definition),
    placement,
    args: wire.value,
    enc: wire.enc,
    mailbox: opts.mailbox ?? {},
    name: opts.name,
    supervisor: generation === undefined ? undefined : from,
    label: opts.path ?? opts.name,
    supervised: generation !== undefined,
    generation: generation ?? 0,
  };
}

/** @throws MultitaskError `INVALID_ARGUMENT` for anything but a placement */
function checkPlacement(value: Placement | undefined): Placement {
  const placement = value ?? 'inline';
  if (typeof placement === 'string' && LOCAL.includes(placement)) return placement;
  if (typeof placement === 'object' && placement !== null) {
    const { node, in: where } = placement as Partial<RemotePlacement>;
    if (typeof node !== 'string' || node.length === 0) throw new MultitaskError('INVALID_ARGUMENT', 'options.placement.node must be the name of a node (a non-empty string)');
    if (where !== undefined && !LOCAL.includes(where)) throw new MultitaskError('INVALID_ARGUMENT', `options.placement.in must be 'inline', 'thread' or 'process' (got ${String(where)})`);
    return placement;
  }
  throw new MultitaskError('INVALID_ARGUMENT', `options.placement must be 'inline', 'thread', 'process' or { node, in } (got ${String(placement)})`);
}
