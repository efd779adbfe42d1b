/** One measured figure and how to compare it. */
export interface Metric {
  readonly id: string;
  readonly unit: string;
  readonly baseline: { readonly id: string; readonly unit: string } | undefined;
  /** `higher`: throughput (ratio = value / baseline); `lower`: latency (ratio = baseline / value). */
  readonly better: 'higher' | 'lower';
}

/** A running pair of subject and baseline; each run returns one value per metric. */
export interface Fixture {
  subject(): Promise<number[]>;
  baseline: (() => Promise<number[]>) | undefined;
  close(): Promise<void>;
}

/** A benchmark case: its metrics, and how to set up a fixture. */
export interface BenchCase {
  readonly metrics: readonly Metric[];
  readonly needsFull?: boolean;
  setup(options: { readonly quick: boolean }): Promise<Fixture>;
}

/** A result as BENCH.md's JSON shape has it. */
export interface Result {
  readonly id: string;
  readonly value: number;
  readonly unit: string;
  readonly baseline?: { readonly id: string; readonly value: number; readonly unit: string };
  readonly ratio?: number;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

/** Percentile (0..100) of samples, nearest rank. */
export function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

/** Runs subject and baseline alternately (A B A B ...) and reports medians and the median of pair ratios. */
export async function runCase(bench: BenchCase, rounds: number, quick: boolean): Promise<Result[]> {
  const fixture = await bench.setup({ quick });
  try {
    await fixture.subject(); // warm-up
    if (fixture.baseline) await fixture.baseline();
    const subject: number[][] = [];
    const baseline: number[][] = [];
    for (let round = 0; round < rounds; round++) {
      subject.push(await fixture.subject());
      if (fixture.baseline) baseline.push(await fixture.baseline());
    }
    return bench.metrics.map((metric, i) => {
      const values = subject.map((run) => run[i] as number);
      const value = round3(median(values));
      if (metric.baseline === undefined || baseline.length === 0) return { id: metric.id, value, unit: metric.unit };
      const bases = baseline.map((run) => run[i] as number);
      const ratios = values.map((v, r) => (metric.better === 'higher' ? v / (bases[r] as number) : (bases[r] as number) / v));
      return { id: metric.id, value, unit: metric.unit, baseline: { ...metric.baseline, value: round3(median(bases)) }, ratio: round3(median(ratios)) };
    });
  } finally {
    await fixture.close();
  }
}

function round3(value: number): number {
  return Math.abs(value) >= 100 ? Math.round(value) : Math.round(value * 1000) / 1000;
}

/** Messages per second for `count` messages taking `ms` milliseconds. */
export function rate(count: number, ms: number): number {
  return (count / ms) * 1000;
}

/** Latencies in µs of `count` calls of `call`, one at a time: [p50, p99]. */
export async function latencies(count: number, call: (i: number) => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await call(i);
    times.push((performance.now() - t0) * 1000);
  }
  return [percentile(times, 50), percentile(times, 99)];
}

/** `count` calls of `call`, `width` in flight (each lane makes the next call once its last settled); calls per second. */
export async function inFlight(count: number, width: number, call: (i: number) => Promise<void>): Promise<number> {
  const t0 = performance.now();
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) await call(next++);
  };
  await Promise.all(Array.from({ length: width }, lane));
  return rate(count, performance.now() - t0);
}
