import type { ActorId } from '../wire/ids.js';
import type { ActorRef } from './ActorRef.js';
import type { ActorContext, AnyActorDefinition, DownNotice, Handler } from './defineActor.js';
import type { Family } from './Family.js';
import type { SpawnArgs } from './spawnTypes.js';
import type { Timers } from './Timers.js';

/** What a context asks of its actor's cell. @internal */
export interface ContextCell {
  readonly id: ActorId;
  /** The actor's ref (made on first use). */
  readonly ref: ActorRef;
  readonly signal: AbortSignal;
  stopSelf(): void;
  /** The actor's children, watches and timers, made on first use. */
  readonly family: Family;
  /** The family, if it was made. */
  readonly familyIfAny: Family | undefined;
}

/**
 * The `ctx` handlers get. A class, not an object literal: a literal with a getter is kept
 * as a dictionary, and its closures are the actor's own, ~650 bytes of every actor.
 * @internal
 */
export class Context implements ActorContext<unknown> {
  declare state: unknown;
  declare private readonly _cell: ContextCell;
  declare private _stop: (() => void) | undefined;

  private constructor() {
    throw new Error('Context.of makes them');
  }

  /** A cell's context: an object literal with this prototype, as the cell is (see {@link ActorCell.create}). */
  static of(cell: ContextCell): Context {
    return { __proto__: Context.prototype, state: undefined, _cell: cell, _stop: undefined } as unknown as Context;
  }

  get id(): ActorId {
    return this._cell.id;
  }

  /** The actor's ref, made on first use (most actors never hand themselves out). */
  get self(): ActorRef {
    return this._cell.ref;
  }

  get signal(): AbortSignal {
    return this._cell.signal;
  }

  /** A function of its own, made when first asked for, so that `const { stop } = ctx` works too. */
  get stop(): () => void {
    // Bound, not an arrow function: no context of its own (a tree's every actor stops itself).
    return (this._stop ??= this._cell.stopSelf.bind(this._cell));
  }

  spawn<D extends AnyActorDefinition>(definition: D, ...options: SpawnArgs<D>): Promise<ActorRef<D>> {
    return this._cell.family.spawn(definition, options[0] ?? {}) as Promise<ActorRef<D>>;
  }

  children(): readonly ActorRef[] {
    return this._cell.familyIfAny?.children ?? [];
  }

  watch(ref: ActorRef, options?: { readonly as?: string }): void {
    this._cell.family.watch(ref, options?.as);
  }

  unwatch(ref: ActorRef): void {
    this._cell.familyIfAny?.unwatch(ref);
  }

  lookup<D extends AnyActorDefinition = AnyActorDefinition>(name: string, definition?: D): Promise<ActorRef<D> | undefined> {
    return this._cell.family.lookup(name, definition) as Promise<ActorRef<D> | undefined>;
  }

  /** Typed where the supervisor layer declares it (`ChildSupervisor.ts` augments {@link ActorContext}). */
  supervise(spec: never): Promise<never> {
    return this._cell.family.supervise(spec) as Promise<never>;
  }

  get timers(): Timers {
    return this._cell.family.timers;
  }
}

/**
 * The message type a watch notification comes as when it is for the definition's `onDown`
 * hook: no handler name can be it.
 * @internal
 */
export const DOWN_TYPE = '\u0000down';

/** A definition and its handlers by message type: one object for all its actors. @internal */
export interface DefinitionKind {
  readonly definition: AnyActorDefinition;
  readonly handlers: ReadonlyMap<string, Handler<unknown>>;
}

const kinds = new WeakMap<AnyActorDefinition, DefinitionKind>();
/** The kind asked for last (it keeps one definition alive, as its actors do). */
let lastKind: DefinitionKind | undefined;

/** A definition's kind, with its handlers by message type (its `onDown` hook among them), made once per definition. @internal */
export function kindOf(definition: AnyActorDefinition): DefinitionKind {
  if (definition === lastKind?.definition) return lastKind; // a tree spawns one definition many times
  let kind = kinds.get(definition);
  if (kind === undefined) {
    const handlers = new Map(Object.entries(definition.handlers) as Array<[string, Handler<unknown>]>);
    const onDown = definition.onDown;
    if (onDown !== undefined) handlers.set(DOWN_TYPE, ((ctx: never, down: DownNotice) => onDown(ctx, down)) as Handler<unknown>);
    kind = { definition, handlers };
    kinds.set(definition, kind);
  }
  lastKind = kind;
  return kind;
}
