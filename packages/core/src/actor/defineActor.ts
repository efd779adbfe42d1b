import type { ActorId } from '../wire/ids.js';
import { MultitaskError } from '../errors.js';
import type { ActorRef } from './ActorRef.js';
import type { DownReason } from './DownReason.js';
import type { SpawnArgs } from './spawnTypes.js';
import type { Timers } from './Timers.js';

/**
 * What a handler or hook sees of its actor.
 * @typeParam S - the actor's state, as `init` returns it
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#ActorContext}
 */
export interface ActorContext<S> {
  /** The actor's state. Mutate it, or assign a new value. */
  state: S;
  /** The actor's own id. */
  readonly id: ActorId;
  /** A ref to the actor itself, to hand to others. */
  readonly self: ActorRef;
  /**
   * Stops the actor once the running handler returns: `onStop` runs and messages still
   * queued are refused with `ACTOR_STOPPED`. This is a normal exit: a supervisor restarts
   * a `permanent` child after it (in place: the messages queued, and those sent while it
   * restarts, wait for the new incarnation), not a `transient` or `temporary` one.
   * Calling it again while the actor stops does nothing.
   */
  stop(): void;
  /**
   * Aborted when this actor stops (`ctx.stop()`, `system.stop`, shutdown) or is halted for
   * a restart, with an `ACTOR_STOPPED` error as its reason; a restarted actor gets a fresh
   * one. Pass it to long waits, such as `channel.iterate({ signal: ctx.signal })` or an
   * `ask`, so that they end with the actor instead of outliving it: a receive that gives
   * up leaves its item in the channel for the other consumers.
   */
  readonly signal: AbortSignal;
  /**
   * Starts a child of this actor, typed like `system.spawn`. The default placement is this
   * actor's own thread or process (an inline child: cheap, no new worker); `'thread'`,
   * `'process'` and `{ node }` work too. A child belongs to its parent: when the parent
   * stops, its children stop first, in reverse start order; when the parent is restarted,
   * its children are stopped (its `init` may spawn them again).
   * @throws (rejects with) {@link MultitaskError} `ACTOR_STOPPED` once this actor is stopping, and what `spawn` rejects with
   */
  spawn<D extends AnyActorDefinition>(definition: D, ...options: SpawnArgs<D>): Promise<ActorRef<D>>;
  /** This actor's children that are running, in start order. */
  children(): readonly ActorRef[];
  /**
   * Watches an actor, on any placement: when it ends, for whatever reason (a stop, a crash
   * (also when its supervisor restarts it), the death of its thread, process or node),
   * this actor gets one notification through its mailbox, handled one message at a time
   * like any other: by the definition's `onDown` hook, or, with `{ as }`, by the handler of
   * that message type, with `{ ref, reason }` as the payload. Watching an actor that is
   * already gone notifies at once (reason `stopped`, or why its node went down). Watching
   * again replaces how the notification comes (one notification per watcher) until the
   * notification is queued; a watch made after that is a new one.
   * @throws {@link MultitaskError} `INVALID_ARGUMENT` when `ref` is not an actor ref, or
   * when neither `onDown` nor `as` says how to take the notification
   */
  watch(ref: ActorRef, options?: { readonly as?: string }): void;
  /** Stops watching `ref`; a notification already queued is still handled. */
  unwatch(ref: ActorRef): void;
  /**
   * The actor registered under `name` in this actor's system, on any node (in a cluster,
   * on any node of the cluster: a name another node took is asked of the cluster's
   * registry when this node has not heard of it yet). With a definition, the ref is typed
   * by it and checked at run time too.
   * @throws (rejects with) {@link MultitaskError} `DEFINITION_MISMATCH` when the actor is of another definition
   */
  lookup<D extends AnyActorDefinition = AnyActorDefinition>(name: string, definition?: D): Promise<ActorRef<D> | undefined>;
  /** This actor's timers: messages to itself, later or periodically. */
  readonly timers: Timers;
}

/**
 * What a watcher is told when an actor it watches ends (see {@link ActorContext.watch}).
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#DownNotice}
 */
export interface DownNotice {
  /** The actor that ended. */
  readonly ref: ActorRef;
  /** Why. */
  readonly reason: DownReason;
}

/**
 * A message handler: receives the context and the payload; its return value (or the value
 * its promise resolves to) is the reply to an `ask`.
 * @typeParam S - the actor's state
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#ActorContext}
 */
export type Handler<S> = {
  // Method syntax keeps parameters bivariant, so a handler of any state fits `Handler<unknown>`.
  /**
   * @param ctx - the actor's context: its state, id and own ref
   * @param payload - the message payload, typed by the handler's own annotation
   * @returns the reply to an `ask` (or a promise of it)
   */
  handle(ctx: ActorContext<S>, payload: never): unknown;
}['handle'];

/**
 * The handlers of an actor, by message type.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#Handlers}
 */
export type Handlers<S> = Record<string, Handler<S>>;

/**
 * What you give {@link defineActor}.
 * @typeParam A - the spawn arguments `init` takes
 * @typeParam S - the state `init` returns
 * @typeParam H - the handlers, by message type
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#ActorSpec}
 */
export interface ActorSpec<A, S, H extends Handlers<S>> {
  /**
   * The URL of the module that exports the definition: pass `import.meta.url`. Threads and
   * processes import this module to find the definition; nothing is serialized.
   */
  readonly url: string;
  /** The definition's name, unique within its module. Hosts find the definition by it. */
  readonly name: string;
  /** Builds the initial state from the spawn arguments. Runs again on every start, restarts included. */
  init(args: A): S | Promise<S>;
  /** One handler per message type. */
  readonly handlers: H;
  /**
   * Runs when a supervisor restarts the actor, after `init` built the fresh state and
   * before `onStart`: recover what should outlive a crash. `previous` is the state of the
   * crashed incarnation when the actor restarted where it ran (a handler threw, or a
   * sibling's restart), `undefined` when its thread or process died. A throw counts as a
   * failed restart.
   *
   * @example
   * ```ts
   * onRestart(ctx, previous) {
   *   ctx.state.cache = previous?.cache ?? new Map(); // keep the cache, reset the rest
   * },
   * ```
   */
  onRestart?(ctx: ActorContext<S>, previous: S | undefined): void | Promise<void>;
  /** Runs once the actor is started (and after each restart), before its first message. A throw fails the spawn with `SPAWN_FAILED`. */
  onStart?(ctx: ActorContext<S>): void | Promise<void>;
  /**
   * Runs when the actor stops (by `stop`, `ctx.stop()` or `shutdown`), or when a supervisor
   * restarts it while it is healthy, after its last message. Not run after a crash.
   */
  onStop?(ctx: ActorContext<S>): void | Promise<void>;
  /**
   * Handles the notification of an actor this one watches (`ctx.watch(ref)`) when it ends,
   * through the mailbox like any message.
   */
  onDown?(ctx: ActorContext<S>, down: DownNotice): void | Promise<void>;
}

const DEFINITION: unique symbol = Symbol.for('multitask.ActorDefinition') as never;

/**
 * An actor definition: the value {@link defineActor} returns, to pass to `spawn`.
 * Message types, payloads and replies of every {@link ActorRef} to it derive from it.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#ActorDefinition}
 */
export interface ActorDefinition<A, S, H extends Handlers<S>> extends ActorSpec<A, S, H> {
  /** Marks the value as a definition (also across copies of the library). */
  readonly [DEFINITION]: true;
}

/**
 * Any actor definition, whatever its arguments, state and handlers.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#ActorDefinition}
 */
export type AnyActorDefinition = ActorDefinition<never, unknown, Handlers<unknown>>;

/**
 * Defines an actor: its initial state from spawn arguments, its handlers, and its
 * lifecycle hooks. Export the result from a module so threads and processes can import it.
 *
 * @param spec - the url (`import.meta.url`), name, `init`, handlers and hooks
 * @returns the definition, to pass to `system.spawn`
 * @throws {@link MultitaskError} `INVALID_ARGUMENT` when the spec is incomplete
 *
 * @example
 * ```ts
 * import { defineActor } from '@multitask/core';
 *
 * export const Counter = defineActor({
 *   url: import.meta.url,
 *   name: 'Counter',
 *   init: (start: number) => ({ count: start }),
 *   handlers: {
 *     add(ctx, by: number) { ctx.state.count += by; },
 *     get(ctx) { return ctx.state.count; },
 *   },
 * });
 * ```
 */
export function defineActor<A, S, H extends Handlers<S>>(spec: ActorSpec<A, S, H>): ActorDefinition<A, S, H> {
  if (typeof spec?.url !== 'string' || spec.url.length === 0) {
    throw new MultitaskError('INVALID_ARGUMENT', 'defineActor: spec.url must be the module URL (pass import.meta.url)');
  }
  if (typeof spec.name !== 'string' || spec.name.length === 0) {
    throw new MultitaskError('INVALID_ARGUMENT', 'defineActor: spec.name must be a non-empty string');
  }
  if (typeof spec.init !== 'function') throw new MultitaskError('INVALID_ARGUMENT', `defineActor(${spec.name}): spec.init must be a function`);
  if (typeof spec.handlers !== 'object' || spec.handlers === null) {
    throw new MultitaskError('INVALID_ARGUMENT', `defineActor(${spec.name}): spec.handlers must be an object of functions`);
  }
  for (const [type, handler] of Object.entries(spec.handlers)) {
    if (typeof handler !== 'function') throw new MultitaskError('INVALID_ARGUMENT', `defineActor(${spec.name}): handler '${type}' must be a function`);
  }
  return Object.freeze({ ...spec, [DEFINITION]: true as const });
}

/** Whether a value is an actor definition (made by any copy of this library). @internal */
export function isActorDefinition(value: unknown): value is AnyActorDefinition {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[DEFINITION] === true;
}

/**
 * A definition's stable key, the same on every machine: its module's file name without the
 * extension, and its name (`'counter/Counter'` for `Counter` in `counter.ts` or `counter.js`).
 * Other systems ask for a definition by this key, never by a path.
 * @internal
 */
export function definitionKey(definition: { readonly url: string; readonly name: string }): string {
  const file = definition.url.slice(definition.url.lastIndexOf('/') + 1).replace(/[?#].*$/, '');
  const dot = file.indexOf('.');
  return `${dot > 0 ? file.slice(0, dot) : file}/${definition.name}`;
}
