import type { Runtime } from '../node/Runtime.js';
import { handlersWatched } from './diagnostics.js';
import { Observation } from './Observation.js';
import { loadTelemetry, type Telemetry, type TelemetryOptions } from './Telemetry.js';

/**
 * Sets a node's observer when someone looks: telemetry is on, `diagnostics` was asked for,
 * or a `multitask:handler:*` subscriber is there now. Otherwise the node keeps none, and its
 * handlers and sends pay a load and a branch. Resolves with the node's telemetry, if on.
 * @throws (rejects with) MultitaskError `INVALID_ARGUMENT` when telemetry is on and `@opentelemetry/api` is missing
 * @internal
 */
export async function observeNode(runtime: Runtime, telemetry: TelemetryOptions | undefined, diagnostics: boolean): Promise<{ telemetry: Telemetry | undefined; close(): void }> {
  const loaded = await loadTelemetry(telemetry);
  const publish = diagnostics || handlersWatched();
  const observation = loaded !== undefined || publish ? new Observation(loaded, publish, runtime) : undefined;
  runtime.observer = observation;
  return { telemetry: loaded, close: () => observation?.close() };
}

/** {@link observeNode} without telemetry, at once. @internal */
export function observeNodeNow(runtime: Runtime, diagnostics: boolean): void {
  if (diagnostics || handlersWatched()) runtime.observer = new Observation(undefined, true, runtime);
}
