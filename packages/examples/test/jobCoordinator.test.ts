import { describe, expect, it } from 'vitest';
import { coordinate, type Job } from '../src/jobCoordinator.js';

describe('the job coordinator example', () => {
  it("reports every job's fate as its worker ends: results, an error the worker reported, a worker whose process exited", async () => {
    const jobs: Job[] = [
      { id: 'small', below: 100, placement: 'inline' },
      { id: 'medium', below: 10_000, placement: 'thread' },
      { id: 'bad', below: 50, placement: 'inline', fail: 'throw' },
      { id: 'doomed', below: 50, placement: 'process', fail: 'exit' },
      { id: 'large', below: 50_000, placement: 'process' },
    ];
    const outcomes = await coordinate(jobs);
    expect(new Map(outcomes.map((o) => [o.id, o]))).toEqual(
      new Map([
        ['small', { id: 'small', primes: 25 }],
        ['medium', { id: 'medium', primes: 1229 }],
        ['large', { id: 'large', primes: 5133 }],
        ['bad', { id: 'bad', failed: 'job bad cannot count below 50' }],
        ['doomed', { id: 'doomed', failed: 'its process exited with code 3' }],
      ]),
    );
  });
});
