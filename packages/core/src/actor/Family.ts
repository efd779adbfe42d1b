import { MultitaskError } from '../errors.js';
import { REF_BRAND } from '../wire/cloneCheck.js';
import type { ActorId } from '../wire/ids.js';
import type { ActorRef } from './ActorRef.js';
import type { ActorServices, ChildSpawnOptions } from './ActorServices.js';
import { definitionKey, isActorDefinition, type AnyActorDefinition } from './defineActor.js';
import { ActorTimers } from './Timers.js';

/** What a family needs from its actor's cell. @internal */
export interface FamilyCell {
  readonly id: ActorId;
  /** Whether the actor takes new work (false once it is stopping). */
  readonly alive: boolean;
  /** Whether its definition has an `onDown` hook. */
  readonly hasOnDown: boolean;
  /** Delivers a message to the actor itself (a timer fired). */
  deliverSelf(type: string, payload: unknown): void;
}

const NONE: readonly ActorRef[] = Object.freeze([]);
const NONE_IDS: readonly ActorId[] = Object.freeze([]);

/**
 * What an actor built around itself, made when it first spawns, watches or starts a timer:
 * most actors never do, and an idle actor's memory is its whole cost. Its children (in
 * start order), its watches and its timers, all ended with the incarnation.
 * @internal
 */
export class Family {
  readonly #cell: FamilyCell;
  readonly #services: ActorServices;
  /** Its children in start order (by id: a child's end is found at once among a hundred thousand), its supervisors, the actors it watches: each made on first use. */
  #children: Map<ActorId, ActorRef> | undefined;
  /** The supervisors this actor started (`ctx.supervise`), each with its stop. */
  #supervisors: Array<{ stop(): Promise<void> }> | undefined;
  #watching: Set<ActorId> | undefined;
  #timers: ActorTimers | undefined;

  constructor(cell: FamilyCell, services: ActorServices) {
    this.#cell = cell;
    this.#services = services;
  }

  get children(): readonly ActorRef[] {
    return this.#children === undefined ? NONE : [...this.#children.values()];
  }

  get timers(): ActorTimers {
    return (this.#timers ??= new ActorTimers(this.#services.clock, (type, payload) => this.#cell.deliverSelf(type, payload)));
  }

  spawn(definition: AnyActorDefinition, options: ChildSpawnOptions): Promise<ActorRef> {
    if (!this.#cell.alive) return Promise.reject(new MultitaskError('ACTOR_STOPPED', `actor ${this.#cell.id} is stopping: it cannot spawn children`));
    let started: ActorRef | Promise<ActorRef>;
    try {
      started = this.#services.spawn(this.#cell.id, definition, options);
    } catch (error) {
      return Promise.reject(error);
    }
    if (started instanceof Promise) return started.then((ref) => this.#adoptLater(ref));
    this.#adopt(started); // started at once: its parent cannot have stopped meanwhile
    return Promise.resolve(started);
  }

  async #adoptLater(ref: ActorRef): Promise<ActorRef> {
    if (!this.#cell.alive) {
      await this.#services.stop(ref); // the parent stopped while its child started
      throw new MultitaskError('ACTOR_STOPPED', `actor ${this.#cell.id} stopped while its child started`);
    }
    this.#adopt(ref);
    return ref;
  }

  #adopt(ref: ActorRef): void {
    (this.#children ??= new Map()).set(ref.id, ref);
    this.#services.watch(this.#cell.id, ref.id, undefined, true);
  }

  /** A child ended: it is no longer one. */
  childGone(id: ActorId): void {
    this.#children?.delete(id);
  }

  async supervise(spec: unknown): Promise<unknown> {
    if (!this.#cell.alive) throw new MultitaskError('ACTOR_STOPPED', `actor ${this.#cell.id} is stopping: it cannot start a supervisor`);
    const supervisor = (await this.#services.supervise(this.#cell.id, spec)) as { stop(): Promise<void> };
    if (!this.#cell.alive) {
      await supervisor.stop();
      throw new MultitaskError('ACTOR_STOPPED', `actor ${this.#cell.id} stopped while its supervisor started`);
    }
    (this.#supervisors ??= []).push(supervisor);
    return supervisor;
  }

  watch(ref: ActorRef, as: string | undefined): void {
    if (typeof ref !== 'object' || ref === null || (ref as unknown as Record<symbol, unknown>)[REF_BRAND] !== true) throw new MultitaskError('INVALID_ARGUMENT', 'watch: ref must be an actor ref');
    if (as !== undefined && (typeof as !== 'string' || as.length === 0)) throw new MultitaskError('INVALID_ARGUMENT', 'watch: options.as must be a message type (a non-empty string)');
    if (as === undefined && !this.#cell.hasOnDown) throw new MultitaskError('INVALID_ARGUMENT', `watch: actor ${this.#cell.id} has no onDown hook; define one, or pass { as: 'messageType' }`);
    if (!this.#cell.alive) return;
    (this.#watching ??= new Set()).add(ref.id);
    this.#services.watch(this.#cell.id, ref.id, as, false);
  }

  unwatch(ref: ActorRef): void {
    if (this.#watching?.delete(ref.id) !== true) return;
    this.#services.unwatch(this.#cell.id, ref.id, false);
  }

  /** A watched actor's notification was taken from the mailbox: that watch is over. */
  notified(id: ActorId): void {
    this.#watching?.delete(id);
  }

  async lookup(name: string, definition: AnyActorDefinition | undefined): Promise<ActorRef | undefined> {
    if (typeof name !== 'string' || name.length === 0) throw new MultitaskError('INVALID_ARGUMENT', 'lookup: name must be a non-empty string');
    if (definition !== undefined && !isActorDefinition(definition)) throw new MultitaskError('INVALID_ARGUMENT', 'lookup: definition must be a value returned by defineActor');
    return this.#services.lookup(name, definition === undefined ? undefined : definitionKey(definition));
  }

  /**
   * The incarnation ended (a stop, a restart, a crash): timers stop, watches end, and its
   * children stop, the last started first.
   */
  async end(): Promise<void> {
    this.#timers?.cancelAll();
    for (const id of this.#watching ?? NONE_IDS) this.#services.unwatch(this.#cell.id, id, false);
    this.#watching = undefined;
    // Its supervisors (and their children) after its plain children: the last started first.
    const supervisors = this.#supervisors ?? [];
    this.#supervisors = undefined;
    for (const supervisor of supervisors.reverse()) await supervisor.stop().catch(() => undefined);
    for (const child of [...(this.#children?.values() ?? NONE)].reverse()) {
      this.#services.unwatch(this.#cell.id, child.id, true);
      await this.#services.stop(child).catch(() => undefined);
    }
    this.#children = undefined;
  }
}
