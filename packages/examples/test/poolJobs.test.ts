import { describe, expect, it } from 'vitest';
import { tenJobsOnThree } from '../src/poolJobs.js';

describe('ten jobs on a pool of three', () => {
  it.each(['thread', 'process'] as const)('runs every job once on three %s workers', async (placement) => {
    const reports = await tenJobsOnThree({ placement, maxMs: 50, quiet: true });
    expect(reports.map((r) => r.index).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(new Set(reports.map((r) => r.worker)).size).toBeLessThanOrEqual(3);
    expect(reports.every((r) => r.ms >= 0 && r.ms <= 50)).toBe(true);
  });
});
