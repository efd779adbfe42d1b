/**
 * The types of an adopted comlink worker, all derived from the type of the object its
 * script exposes.
 * @packageDocumentation
 */
import type { Worker } from 'node:worker_threads';
import type { ActorContext, ActorDefinition } from '../index.js';

/**
 * The state of an actor made by `comlinkActor`: the worker it owns.
 *
 * @example
 * ```ts
 * import type { StateOf } from '@multitask/core';
 * type State = StateOf<typeof Legacy>; // AdoptedWorker
 * ```
 */
export interface AdoptedWorker {
  /** The worker running the adopted script; the actor ends it when it stops or restarts. */
  readonly worker: Worker;
}

/**
 * The names of the methods of `T`: its string keys whose values are functions.
 *
 * @example
 * ```ts
 * type Names = MethodName<{ add(a: number, b: number): number; label: string }>; // 'add'
 * ```
 */
export type MethodName<T> = {
  [K in keyof T & string]: T[K] extends (...args: never) => unknown ? K : never;
}[keyof T & string];

/**
 * The handler that stands for method `F` of an adopted object: its payload is the method's
 * argument list, as a tuple (none for a method without parameters, optional when every
 * parameter is), and it resolves with what the method resolves with.
 *
 * @example
 * ```ts
 * type H = MethodHandler<(a: number, b: number) => number>;
 * // (ctx: ActorContext<AdoptedWorker>, args: readonly [a: number, b: number]) => Promise<number>
 * ```
 */
export type MethodHandler<F> = F extends (...args: infer P) => infer R
  ? P extends readonly []
    ? (ctx: ActorContext<AdoptedWorker>) => Promise<Awaited<R>>
    : [] extends P
      ? (ctx: ActorContext<AdoptedWorker>, args?: Readonly<P>) => Promise<Awaited<R>>
      : (ctx: ActorContext<AdoptedWorker>, args: Readonly<P>) => Promise<Awaited<R>>
  : never;

/**
 * The handlers of an adopted object of type `T`, one per method.
 *
 * @example
 * ```ts
 * type H = AdoptedHandlers<{ add(a: number, b: number): number }>; // { add: MethodHandler<...> }
 * ```
 */
export type AdoptedHandlers<T> = {
  [K in MethodName<T>]: MethodHandler<T[K]>;
};

/**
 * The methods of `T`, each marked `true`: what `comlinkActor` is told, since the object in
 * the worker cannot be seen from here. The compiler checks that it names every method and
 * nothing else.
 *
 * @example
 * ```ts
 * const methods: MethodList<{ add(a: number, b: number): number; get(): number }> = { add: true, get: true };
 * ```
 */
export type MethodList<T> = {
  readonly [K in MethodName<T>]: true;
};

/**
 * The spawn arguments of an adopted worker: what its script reads as `workerData`.
 *
 * @example
 * ```ts
 * await system.spawn(Legacy, { args: { workerData: { scale: 2 } } });
 * ```
 */
export interface AdoptedWorkerArgs {
  /** Passed to the worker as `workerData` (copied with structured clone). */
  readonly workerData?: unknown;
}

/**
 * The definition `comlinkActor<T>` returns: an actor whose message types are the methods
 * of `T`, whose payloads are their argument lists and whose replies are what they resolve
 * with.
 *
 * @example
 * ```ts
 * const legacy: ActorRef<ComlinkActorDefinition<LegacyApi>> = await system.spawn(Legacy);
 * ```
 */
export type ComlinkActorDefinition<T> = ActorDefinition<AdoptedWorkerArgs | undefined, AdoptedWorker, AdoptedHandlers<T>>;
