import type { Percentiles } from './options.js';

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
