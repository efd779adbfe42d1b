/**
 * Interop with code that speaks comlink, as `@multitask/core/comlink` (the main entry never
 * loads comlink):
 * {@link exposeActor} serves an actor to any comlink client on a `MessagePort`, a
 * `Worker` or another comlink endpoint.
 *
 * @module @multitask/core/comlink
 */
export { exposeActor } from './exposeActor.js';
export type { ActorExposure, ExposedActor, ExposeOptions } from './exposeActor.js';
export type { ComlinkEndpoint } from './comlinkEndpoint.js';
