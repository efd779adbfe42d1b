import type { Percentiles, PoolMetrics } from './options.js';
import type { Slot } from './jobs.js';
import type { PoolTargets } from './PoolNodes.js';

/** How many recent samples the percentiles are taken over. @internal */
export const SAMPLES = 1024;

/** Adds a sample, dropping the oldest past {@link SAMPLES}. @internal */
export function record(samples: number[], value: number): void {
  if (samples.length >= SAMPLES) samples.shift();
  samples.push(value);
}

/** p50, p90 and p99 of the samples (nearest rank); zeros when there are none. @internal */
export function percentiles(samples: readonly number[]): Percentiles {
  if (samples.length === 0) return { p50: 0, p90: 0, p99: 0 };
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] as number;
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99) };
}

/**
 * What a pool measures of its work: counts, recent wait and run times, and each task's
 * typical run time per item (a moving average), which scheduling reads.
 * @internal
 */
export class PoolStats {
  completed = 0;
  failed = 0;
  readonly #runTimes: number[] = [];
  readonly #waitTimes: number[] = [];
  readonly #typical = new Map<string, number>();

  /** A job waited `ms` for a worker. */
  waited(ms: number): void {
    record(this.#waitTimes, ms);
  }

  /** A job of `task` ran `ms` over `items` items. */
  ran(task: string, ms: number, items: number): void {
    record(this.#runTimes, ms);
    const took = ms / Math.max(1, items);
    const typical = this.#typical.get(task);
    this.#typical.set(task, typical === undefined ? took : typical * 0.8 + took * 0.2);
  }

  /** A job settled. */
  settled(ok: boolean): void {
    if (ok) this.completed += 1;
    else this.failed += 1;
  }

  /** How long one item of `task` typically runs, in ms; `undefined` before its first run. */
  typical(task: string): number | undefined {
    return this.#typical.get(task);
  }

  get runTime(): Percentiles {
    return percentiles(this.#runTimes);
  }

  get waitTime(): Percentiles {
    return percentiles(this.#waitTimes);
  }
}

/** A pool's metrics from its queue, workers, stats and nodes at `now`. @internal */
export function snapshot(queued: number, slots: readonly Slot[], stats: PoolStats, targets: PoolTargets, now: number): PoolMetrics {
  const nodes = new Map<string, { workers: number; running: number; completed: number }>();
  for (const [node] of targets.entries()) nodes.set(node, { workers: 0, running: 0, completed: 0 });
  for (const slot of slots) {
    let counts = nodes.get(slot.node);
    if (counts === undefined) nodes.set(slot.node, (counts = { workers: 0, running: 0, completed: 0 }));
    if (!slot.retiring) counts.workers += 1;
    counts.running += slot.inFlight.length;
    counts.completed += slot.completed;
  }
  return {
    queued,
    running: slots.reduce((n, slot) => n + slot.inFlight.length, 0),
    completed: stats.completed,
    failed: stats.failed,
    workers: slots.map((slot) => ({
      id: slot.ref.id,
      node: slot.node,
      running: slot.inFlight.length,
      completed: slot.completed,
      utilisation: now > slot.since ? Math.min(1, (slot.busy + (slot.inFlight[0] === undefined ? 0 : now - slot.inFlight[0].startedAt)) / (now - slot.since)) : 0,
    })),
    nodes: [...nodes].map(([node, counts]) => ({ node, ...counts, wanted: targets.wanted(node), roundTrip: targets.roundTrip(node) })),
    runTime: stats.runTime,
    waitTime: stats.waitTime,
  };
}
