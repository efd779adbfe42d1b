import type { ActorId } from '../wire/ids.js';
import type { ActorRef } from '../actor/ActorRef.js';
import { publishEvent } from '../observe/diagnostics.js';
import { observeNode, observeNodeNow } from '../observe/observeNode.js';
import type { Telemetry, TelemetryOptions } from '../observe/Telemetry.js';
import type { SystemSnapshot } from '../observe/snapshotTypes.js';
import { SystemInspection, type InspectedPool, type InspectionHost } from './SystemInspection.js';
import type { SystemEvents } from './systemTypes.js';

/** What a system's observation needs beyond its snapshot's host: the definition of an actor it knows. @internal */
export interface ObservationHost extends InspectionHost {
  /** The definition name of an actor this root knows (supervised, or inline here). */
  definitionOf(id: ActorId): string | undefined;
}

/**
 * What the system's root does so that it can be seen: its snapshot (and what it keeps for
 * it from events), its telemetry once loaded, and the diagnostics channels of its events.
 * @internal
 */
export class SystemObservation {
  readonly #host: ObservationHost;
  readonly #inspection: SystemInspection;
  /** The root's telemetry, once loaded (when `options.telemetry` turns it on). */
  #telemetry: Telemetry | undefined;
  /** Stops the root's observable instruments reporting (shutdown). */
  #unobserve: (() => void) | undefined;
  /** Loading the telemetry: spawns wait for it, so that every actor's first message is observed. */
  readonly ready: Promise<unknown> | undefined;

  constructor(host: ObservationHost, telemetry: TelemetryOptions | undefined, diagnostics: boolean) {
    this.#host = host;
    this.#inspection = new SystemInspection(host);
    if (telemetry?.metrics === true || telemetry?.traces === true) {
      this.ready = observeNode(host.runtime, telemetry, diagnostics).then((loaded) => {
        this.#telemetry = loaded.telemetry;
        this.#unobserve = loaded.close;
      });
      this.ready.catch(() => undefined); // spawns reject with its error
    } else observeNodeNow(host.runtime, diagnostics);
  }

  get telemetry(): Telemetry | undefined {
    return this.#telemetry;
  }

  snapshot(): Promise<SystemSnapshot> {
    return this.#inspection.snapshot();
  }

  addPool(pool: InspectedPool): () => void {
    return this.#inspection.addPool(pool);
  }

  /** A system event: its diagnostics channel, its metrics, and what the snapshot keeps (dead letters by code, last crashes). */
  event<E extends keyof SystemEvents>(event: E, args: SystemEvents[E]): void {
    publishEvent(event, args);
    if (this.#telemetry !== undefined) this.#telemetry.event(event, args, this.#definitionOf(event, args));
    if (event === 'dead-letter') this.#inspection.deadLetter((args as SystemEvents['dead-letter'])[0].error);
    else if (event === 'actor:crashed') this.#inspection.crashed((args as SystemEvents['actor:crashed'])[0].id, (args as SystemEvents['actor:crashed'])[1], Date.now());
    else if (event === 'actor:stopped') this.#inspection.forget((args as SystemEvents['actor:stopped'])[0].id);
  }

  /** The system shut down: its observable instruments stop reporting. */
  close(): void {
    this.#unobserve?.();
  }

  /** The definition name of the actor an event is about, when this root knows it. */
  #definitionOf<E extends keyof SystemEvents>(event: E, args: SystemEvents[E]): string | undefined {
    const ref = event === 'dead-letter' ? (args[0] as { recipient: ActorRef }).recipient : (args[0] as ActorRef | undefined);
    if (ref === undefined || typeof ref !== 'object' || !('id' in ref)) return undefined;
    return this.#host.definitionOf(ref.id);
  }
}
