import type { Endpoint } from 'comlink';
import adapter, { type NodeEndpoint } from 'comlink/dist/umd/node-adapter.js';

/**
 * Anything comlink talks over: a web-style endpoint (`postMessage` and
 * `addEventListener`: a `MessagePort`, a `BroadcastChannel`, what `Comlink.windowEndpoint`
 * returns) or a Node emitter (`postMessage` and `on`/`off`: a `Worker` from
 * `node:worker_threads`, its `parentPort`), which is adapted with comlink's own
 * `nodeEndpoint`.
 *
 * @example
 * ```ts
 * import { MessageChannel, parentPort, type Worker } from 'node:worker_threads';
 * import type { ComlinkEndpoint } from '@multitask/core/comlink';
 *
 * const { port1 } = new MessageChannel();
 * const fromPort: ComlinkEndpoint = port1;            // a MessagePort
 * const fromWorker = (worker: Worker): ComlinkEndpoint => worker;
 * const inWorker: ComlinkEndpoint | null = parentPort; // inside a worker
 * ```
 */
export type ComlinkEndpoint = Endpoint | NodeEndpoint;

/**
 * comlink's `nodeEndpoint`. Its UMD bundle sets `module.exports` to the function, while its
 * typings declare an ES default export, which NodeNext resolution reads as `exports.default`.
 */
const nodeEndpoint = adapter as unknown as typeof adapter.default;

/** The endpoint as comlink's web-style interface: Node emitters go through `nodeEndpoint`. @internal */
export function webEndpoint(endpoint: ComlinkEndpoint): Endpoint {
  return typeof (endpoint as Partial<Endpoint>).addEventListener === 'function' ? (endpoint as Endpoint) : nodeEndpoint(endpoint as NodeEndpoint);
}

/** Whether a value can serve as a {@link ComlinkEndpoint}. @internal */
export function isComlinkEndpoint(value: unknown): value is ComlinkEndpoint {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return typeof candidate.postMessage === 'function' && (typeof candidate.addEventListener === 'function' || typeof candidate.on === 'function');
}

/** A Node emitter's side of an endpoint, to learn that it closed (a port) or exited (a worker). */
interface Emitter {
  on(event: string, listener: () => void): unknown;
  off(event: string, listener: () => void): unknown;
}

/**
 * Calls `ended` once the endpoint can carry nothing more: a `MessagePort` whose other side
 * closed (`close`), a `Worker` that exited (`exit`). Endpoints that tell neither are never
 * reported. Returns the function that stops watching.
 * @internal
 */
export function watchEnd(endpoint: ComlinkEndpoint, ended: () => void): () => void {
  const emitter = endpoint as Partial<Emitter>;
  if (typeof emitter.on !== 'function' || typeof emitter.off !== 'function') return () => undefined;
  const { on, off } = emitter as Emitter;
  on.call(endpoint, 'close', ended);
  on.call(endpoint, 'exit', ended);
  return () => {
    off.call(endpoint, 'close', ended);
    off.call(endpoint, 'exit', ended);
  };
}

/** Closes the endpoint when it can be closed (a `MessagePort`, a `BroadcastChannel`); a `Worker` is left running. @internal */
export function closeEndpoint(endpoint: ComlinkEndpoint): void {
  const closable = endpoint as { close?: unknown };
  if (typeof closable.close === 'function') (closable.close as () => void).call(endpoint);
}
