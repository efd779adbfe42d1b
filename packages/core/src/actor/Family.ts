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
  /** Its family, if it was made (a child here that ends tells it). */
  readonly familyIfAny: Family | undefined;
}

const NONE: readonly ActorRef[] = Object.freeze([]);
/** Slots a cell can keep (in the upper bits of its flags): a list that long is compacted first. */
export const MAX_SLOT = 2 ** 22;
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
  /**
   * Its children in start order, each at its slot; one that ended leaves a hole, filled in
   * bulk later. A child here knows its slot (its cell keeps it); one elsewhere is found by
   * id in {@link Family.#away}. A map by id per parent (hashing every child's id on the way
   * in and out) was a twentieth of a tree of short-lived actors' time.
   */
  #children: Array<ActorRef | undefined> | undefined;
  /** How many of {@link Family.#children} are children still. */
  #live = 0;
  /** The slots of the children that run elsewhere (or that this node knows only by id). */
  #away: Map<ActorId, number> | undefined;
  /** The supervisors this actor started (`ctx.supervise`), each with its stop. */
  #supervisors: Array<{ stop(): Promise<void> }> | undefined;
  #watching: Set<ActorId> | undefined;
  #timers: ActorTimers | undefined;

  constructor(cell: FamilyCell, services: ActorServices) {
    this.#cell = cell;
    this.#services = services;
  }

  get children(): readonly ActorRef[] {
    return this.#live === 0 ? NONE : this.#listed();
  }

  /** The children, in start order. */
  #listed(): ActorRef[] {
    const listed: ActorRef[] = [];
    for (const child of this.#children ?? NONE) if (child !== undefined) listed.push(child);
    return listed;
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
    const children = (this.#children ??= []);
    if (children.length >= MAX_SLOT) this.#compact();
    const slot = children.length;
    children.push(ref);
    this.#live++;
    if (slot < MAX_SLOT && this.#services.adopt(this.#cell, ref, slot)) return;
    this.#watchAway(ref, slot); // elsewhere, or past the slots a cell keeps
  }

  /**
   * A child known by id, heard of through a watch, which may tell of its end at once (its
   * node is gone): its slot is known first.
   */
  #watchAway(ref: ActorRef, slot: number): void {
    (this.#away ??= new Map()).set(ref.id, slot);
    this.#services.watch(this.#cell.id, ref.id, undefined, true);
  }

  /** The child `id` at `slot` (one here, which knows its slot) ended: it is no longer one. */
  childGone(slot: number, id: ActorId): void {
    const children = this.#children;
    if (children === undefined || children[slot]?.id !== id) return;
    children[slot] = undefined;
    if (--this.#live === 0 && (this.#away === undefined || this.#away.size === 0)) children.length = 0;
    else if (children.length > 32 && this.#live * 2 < children.length) this.#compact();
  }

  /** A child elsewhere ended (its node said so): it is no longer one. */
  childGoneAway(id: ActorId): void {
    const slot = this.#away?.get(id);
    if (slot === undefined) return;
    this.#away?.delete(id);
    this.childGone(slot, id);
  }

  /** The holes go: every child moves to its place in a new list, and is told its slot. */
  #compact(): void {
    const kept = this.#listed();
    this.#children = kept;
    const away = this.#away;
    this.#away = undefined;
    for (let slot = 0; slot < kept.length; slot++) {
      const ref = kept[slot] as ActorRef;
      // A child watched by id stays watched: only its slot moves.
      if (away?.has(ref.id) === true) (this.#away ??= new Map()).set(ref.id, slot);
      else if (slot < MAX_SLOT && this.#services.adopt(this.#cell, ref, slot)) continue;
      else {
        this.#services.disown(this.#cell, ref); // past the slots a cell keeps: watched by id instead
        this.#watchAway(ref, slot);
      }
    }
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
   * {@link Family.end} at once, when no child or supervisor is left to stop (its timers
   * stop and its watches end); false, with nothing done, when there is.
   */
  endAtOnce(): boolean {
    if (this.#live > 0 || (this.#supervisors !== undefined && this.#supervisors.length > 0)) return false;
    this.#endWatchesAndTimers();
    return true;
  }

  #endWatchesAndTimers(): void {
    this.#timers?.cancelAll();
    for (const id of this.#watching ?? NONE_IDS) this.#services.unwatch(this.#cell.id, id, false);
    this.#watching = undefined;
  }

  /**
   * The incarnation ended (a stop, a restart, a crash): timers stop, watches end, and its
   * children stop, the last started first.
   */
  async end(): Promise<void> {
    this.#endWatchesAndTimers();
    // Its supervisors (and their children) after its plain children: the last started first.
    const supervisors = this.#supervisors ?? [];
    this.#supervisors = undefined;
    for (const supervisor of supervisors.reverse()) await supervisor.stop().catch(() => undefined);
    const children = this.#live === 0 ? NONE : this.#listed().reverse();
    this.#children = undefined;
    this.#live = 0;
    this.#away = undefined;
    for (const child of children) {
      this.#services.disown(this.#cell, child);
      await this.#services.stop(child).catch(() => undefined);
    }
  }
}
