import { describe, expect, it } from 'vitest';
import { scheduleSoon } from '../src/actor/RunQueue.js';

describe('the run queue of inline actors', () => {
  it('lets the promise reactions of the cells that ran go before thousands more cells run, and runs them all in order', async () => {
    const order: string[] = [];
    const cells = Array.from({ length: 5_000 }, (_, i) => ({
      run(): void {
        order.push(`cell ${i}`);
        // What a handler's promise does when it settles: a reaction, queued behind this run.
        if (i === 0) void Promise.resolve().then(() => order.push('reaction of cell 0'));
      },
    }));
    for (const cell of cells) scheduleSoon(cell);
    await new Promise((resolve) => setImmediate(resolve));
    const reaction = order.indexOf('reaction of cell 0');
    expect(reaction).toBeGreaterThan(0);
    expect(reaction).toBeLessThan(1_000); // not behind all 5 000: their reactions and garbage would wait for the last
    expect(order.filter((line) => line !== 'reaction of cell 0')).toEqual(cells.map((_, i) => `cell ${i}`));
  });

  it('runs a cell that was scheduled while the queue runs, behind those already in it', async () => {
    const order: number[] = [];
    const late = { run: () => void order.push(-1) };
    const cells = Array.from({ length: 600 }, (_, i) => ({
      run(): void {
        order.push(i);
        if (i === 1) scheduleSoon(late);
      },
    }));
    for (const cell of cells) scheduleSoon(cell);
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual([...cells.map((_, i) => i), -1]);
  });
});
