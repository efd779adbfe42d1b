import type { ActorRef } from '../actor/ActorRef.js';
import type { TimerHandle } from '../clock.js';
import type { PoolWorker } from './PoolWorker.js';

/** What a job asks a worker to run. @internal */
export type Payload = { readonly task: string; readonly args: readonly unknown[] } | { readonly task: string; readonly items: ArrayLike<unknown>; readonly star: boolean };

/** One accepted call: queued, then running on a worker, then settled. @internal */
export interface Job {
  readonly kind: 'run' | 'chunk';
  readonly payload: Payload;
  readonly timeout: number | undefined;
  readonly signal: AbortSignal | undefined;
  retries: number;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  readonly queuedAt: number;
  startedAt: number;
  worker: Slot | undefined;
  /** Only this worker may run it (`broadcast`). */
  readonly pinned: Slot | undefined;
  settled: boolean;
  timer: TimerHandle | undefined;
  unlisten: () => void;
  /** The trace context it was submitted in (telemetry with traces on): its task continues that trace. */
  readonly context: unknown;
}

/** One worker and the jobs it was handed. @internal */
export interface Slot {
  readonly ref: ActorRef<typeof PoolWorker>;
  /** The node it runs on, by name. */
  readonly node: string;
  /** Whether that is another node than the pool's own. */
  readonly remote: boolean;
  /** Dispatched jobs, in the order the worker runs them; the first is running. */
  readonly inFlight: Job[];
  readonly since: number;
  completed: number;
  busy: number;
  /** Takes no more work: recycled after `maxTasksPerWorker`, or being ended. */
  retiring: boolean;
  /** A successor was started already (recycling). */
  succeeded: boolean;
  /** Actors placed on it by `spawn`. */
  actors: number;
}
