import type { Clock } from '../clock.js';
import type { ActorId } from '../wire/ids.js';
import type { ActorRef } from './ActorRef.js';
import type { AnyActorDefinition } from './defineActor.js';
import type { FamilyCell } from './Family.js';
import type { SpawnOptionsBase } from './spawnTypes.js';

/** Spawn options as a context passes them on. @internal */
export type ChildSpawnOptions = Partial<SpawnOptionsBase & { args: unknown }>;

/**
 * What an actor's context asks of the node it runs on, whatever node that is: the system
 * layer gives every node its own (the root starts hosts itself; a host asks its root).
 * @internal
 */
export interface ActorServices {
  /**
   * Starts a child of `parent` where `options.placement` says (default: this node): its ref
   * at once when it started at once (an unnamed actor here whose `init` returned its state),
   * else a promise of it. Bad options throw.
   */
  spawn(parent: ActorId, definition: AnyActorDefinition, options: ChildSpawnOptions): ActorRef | Promise<ActorRef>;
  /** Stops an actor, wherever it runs (a child of a stopping parent). */
  stop(ref: ActorRef): Promise<void>;
  /** The actor registered under `name` in the system (`key`: it must be of this definition). */
  lookup(name: string, key: string | undefined): Promise<ActorRef | undefined>;
  /** `watcher` (a cell here) watches `target`: told through its mailbox (`as`), or, as its parent (`child`), its family is. */
  watch(watcher: ActorId, target: ActorId, as: string | undefined, child: boolean): void;
  unwatch(watcher: ActorId, target: ActorId, child: boolean): void;
  /**
   * `parent` (a cell here) takes `child` at `slot` of its children (again, when its list
   * is compacted): true when the child's cell is here and tells its parent itself when it
   * ends; false (nothing done) when it is not here: the parent watches it as its child.
   */
  adopt(parent: FamilyCell, child: ActorRef, slot: number): boolean;
  /** `parent` no longer has `child` (it stops it). */
  disown(parent: FamilyCell, child: ActorRef): void;
  /** Starts a supervisor of `parent`'s own (the spec and the handle are typed by the supervisor layer). */
  supervise(parent: ActorId, spec: unknown): Promise<unknown>;
  /** The clock of this node's timers. */
  readonly clock: Clock;
}
