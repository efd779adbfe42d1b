/**
 * Interop with code that speaks comlink, as `@multitask/core/comlink` (the main entry never
 * loads comlink):
 * - {@link exposeActor} serves an actor to any comlink client on a `MessagePort`, a
 *   `Worker` or another comlink endpoint;
 * - {@link comlinkActor} adopts a worker script that calls `Comlink.expose(object)` as a
 *   supervised actor whose messages are the object's methods.
 *
 * @module @multitask/core/comlink
 */
export { exposeActor } from './exposeActor.js';
export type { ActorExposure, ExposedActor, ExposeOptions } from './exposeActor.js';
export { comlinkActor } from './comlinkActor.js';
export type { AdoptedWorkerOptions, ComlinkActorSpec } from './comlinkActor.js';
export type { AdoptedHandlers, AdoptedWorker, AdoptedWorkerArgs, ComlinkActorDefinition, MethodHandler, MethodList, MethodName } from './comlinkTypes.js';
export type { ComlinkEndpoint } from './comlinkEndpoint.js';
