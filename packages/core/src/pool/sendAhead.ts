/**
 * How much work a pool hands a worker ahead of need, and how large `map` makes its chunks:
 * enough that a worker never waits for its next job (a round trip to a distant node
 * included), little enough that a long task does not wait behind another while a worker
 * is free.
 * @internal
 * @packageDocumentation
 */
import type { PoolStats } from './metrics.js';
import type { Job, Slot } from './jobs.js';

/**
 * Jobs sent ahead to a worker of this node so that it never waits for the next: only for
 * tasks known to be short (their recent runs took under {@link SHORT_MS} on average) and
 * without a timeout. A long task sent ahead would wait behind another while a worker may be free.
 */
const DEPTH = 4;
const SHORT_MS = 1;
/**
 * The most jobs sent ahead to a worker on another node: enough to cover a round trip many
 * times the length of a job, few enough that a worker that falls behind holds little.
 */
const MAX_AHEAD = 32;

/** Whether a job may wait behind others on a worker: short by its task's record, and without a timeout. */
function isShort(job: Job, stats: PoolStats): boolean {
  const typical = stats.typical(job.payload.task);
  return job.timeout === undefined && typical !== undefined && typical < SHORT_MS;
}

/**
 * How many jobs `slot` may hold with `job` among them. On this node: several only for
 * short jobs ({@link DEPTH}), else one. On another node (`roundTrip` ms away), also enough
 * to cover the round trip: while the answer to one job travels back and the next travels
 * out, the worker runs the ones it holds, so a distant worker does not wait a round trip
 * per job.
 * @internal
 */
export function roomFor(job: Job, slot: Slot, stats: PoolStats, roundTrip: number): number {
  const local = isShort(job, stats) && slot.inFlight.every((j) => isShort(j, stats)) ? DEPTH : 1;
  if (!slot.remote) return local;
  const typical = stats.typical(job.payload.task);
  if (typical === undefined) return Math.max(local, 2); // not measured yet: one ahead
  const items = 'items' in job.payload ? job.payload.items.length : 1;
  const ahead = 1 + Math.ceil(roundTrip / Math.max(typical * items, 0.001));
  return Math.max(local, Math.min(MAX_AHEAD, ahead));
}

/**
 * The chunk size of a `map` of `count` items of `task` over `workers` workers: like
 * Python, a quarter of each worker's share; on a cluster, also large enough that a chunk
 * runs for several of the `longest` round trips (by the task's record), so that distant
 * workers do not spend their time waiting for the next chunk.
 * @internal
 */
export function mapChunkSize(task: string, count: number, workers: number, stats: PoolStats, longest: number): number {
  const share = Math.ceil(count / Math.max(1, workers));
  const python = Math.max(1, Math.ceil(share / 4));
  const typical = stats.typical(task);
  if (typical === undefined || longest === 0) return python;
  return Math.max(1, Math.min(share, Math.max(python, Math.ceil((4 * longest) / Math.max(typical, 1e-6)))));
}
