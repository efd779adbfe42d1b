import { MultitaskError } from '../errors.js';
import { actorId, MAIN_NODE, type ActorId, type NodeId } from '../wire/ids.js';
import { scan } from '../wire/cloneCheck.js';
import { errorMessage } from '../actor/ActorCell.js';
import type { ActorRef } from '../actor/ActorRef.js';
import { isActorDefinition, type AnyActorDefinition } from '../actor/defineActor.js';
import type { HostTable } from './HostTable.js';
import { checkMailboxOptions } from '../actor/Mailbox.js';
import { encode } from '../wire/messageCodec.js';
import type { Runtime } from '../node/Runtime.js';
import type { Placement, SpawnOptionsBase } from '../actor/spawnTypes.js';

const PLACEMENTS: readonly Placement[] = ['inline', 'thread', 'process'];

/** Spawn options as the system passes them on. @internal */
export type SpawnOpts = Partial<SpawnOptionsBase & { args: unknown }>;

/** What starting actors needs from the system. @internal */
export interface SpawnerHost {
  readonly runtime: Runtime;
  readonly hosts: HostTable;
  readonly spawnTimeout: number;
  readonly shutdownTimeout: number;
  /** Whether the system is shut down (nothing starts any more). */
  shutDown(): boolean;
  /** An actor started (the system's `actor:started` event). */
  started(ref: ActorRef): void;
}

/**
 * Starting actors where their placement says (this thread, a new host, or a pool's running
 * host), and the names they are registered under: a name is taken while its actor starts,
 * bound once it runs, and released when it is gone for good.
 * @internal
 */
export class Spawner {
  readonly #host: SpawnerHost;
  readonly #names = new Map<string, ActorRef | null>();
  #inlineSeq = 0;

  constructor(host: SpawnerHost) {
    this.#host = host;
  }

  /** The actor registered under `name`, if it is running. */
  lookup(name: string): ActorRef | undefined {
    return this.#names.get(name) ?? undefined;
  }

  /** `ref` is gone for good: its name is free again. */
  release(ref: ActorRef): void {
    if (ref.name !== undefined && this.#names.get(ref.name)?.id === ref.id) this.#names.delete(ref.name);
  }

  /** Starts an actor (again, under the id `again`, for a supervisor; on the running host `on`, for a pool). */
  async start(definition: AnyActorDefinition, opts: SpawnOpts, again: ActorId | undefined, generation: number | undefined, on?: NodeId): Promise<{ ref: ActorRef; node: NodeId }> {
    // On a running host (a pool's worker) the host's own kind applies; `thread` only passes the checks.
    const placement = this.#checkSpawn(definition, on === undefined ? opts : { ...opts, placement: 'thread' }, again);
    const name = opts.name;
    if (name !== undefined) this.#names.set(name, null);
    try {
      const started = placement === 'inline' ? await this.#spawnInline(definition, opts, again, generation) : await this.#spawnHosted(placement, definition, opts, again, generation, on);
      if (name !== undefined) this.#names.set(name, started.ref);
      this.#host.started(started.ref);
      return started;
    } catch (error) {
      if (name !== undefined) this.#names.delete(name);
      throw error;
    }
  }

  #checkSpawn(definition: AnyActorDefinition, opts: SpawnOpts, again: ActorId | undefined): Placement {
    if (this.#host.shutDown()) throw new MultitaskError('ACTOR_STOPPED', 'the actor system is shut down');
    if (!isActorDefinition(definition)) throw new MultitaskError('INVALID_ARGUMENT', 'spawn: definition must be a value returned by defineActor');
    const placement = opts.placement ?? 'inline';
    if (!PLACEMENTS.includes(placement)) throw new MultitaskError('INVALID_ARGUMENT', `options.placement must be 'inline', 'thread' or 'process' (got ${String(placement)})`);
    if (opts.name !== undefined && (typeof opts.name !== 'string' || opts.name.length === 0)) {
      throw new MultitaskError('INVALID_ARGUMENT', 'options.name must be a non-empty string');
    }
    if (opts.name !== undefined && this.#names.has(opts.name) && (again === undefined || this.#names.get(opts.name)?.id !== again)) {
      throw new MultitaskError('NAME_TAKEN', `an actor named '${opts.name}' already exists`);
    }
    checkMailboxOptions(opts.mailbox);
    scan(opts.args, 'args');
    return placement;
  }

  async #spawnInline(definition: AnyActorDefinition, opts: SpawnOpts, again: ActorId | undefined, generation: number | undefined): Promise<{ ref: ActorRef; node: NodeId }> {
    const id = again ?? actorId(MAIN_NODE, ++this.#inlineSeq, generation !== undefined);
    await this.#host.runtime.actors.start(id, opts.name, definition, opts.mailbox ?? {}, opts.args, generation);
    return { ref: this.#host.runtime.makeRef(id, opts.name), node: MAIN_NODE };
  }

  async #spawnHosted(kind: 'thread' | 'process', definition: AnyActorDefinition, opts: SpawnOpts, again: ActorId | undefined, generation: number | undefined, on?: NodeId): Promise<{ ref: ActorRef; node: NodeId }> {
    const shared = on === undefined ? undefined : this.#host.hosts.get(on);
    if (on !== undefined && shared === undefined) throw new MultitaskError('WORKER_CRASHED', `node ${on} is not running`);
    const record = shared ?? this.#host.hosts.start(kind, opts.resourceLimits);
    const id = again ?? actorId(record.node, ++record.seq, generation !== undefined);
    const wire = encode(opts.args, this.#host.runtime);
    try {
      await this.#host.runtime.request(
        record.node,
        (cid) => ({ kind: 'spawn', dst: record.node, from: MAIN_NODE, cid, id, url: definition.url, definition: definition.name, args: wire.value, enc: wire.enc, mailbox: opts.mailbox ?? {}, name: opts.name, supervised: generation !== undefined, generation: generation ?? 0 }),
        { timeout: this.#host.spawnTimeout, what: `spawn of ${definition.name}` },
      );
    } catch (error) {
      if (shared === undefined) await this.#host.hosts.stop(record.node, this.#host.shutdownTimeout);
      if (error instanceof MultitaskError && error.code === 'SPAWN_FAILED') throw error;
      throw new MultitaskError('SPAWN_FAILED', `actor ${definition.name} (${definition.url}) failed to start on a ${kind}: ${errorMessage(error)}`, { cause: error });
    }
    const ref = this.#host.runtime.makeRef(id, opts.name);
    record.actors.set(id, ref);
    return { ref, node: record.node };
  }
}
