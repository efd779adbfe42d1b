import { describe, expect, it } from 'vitest';
import { Fifo } from '../src/Fifo.js';

describe('Fifo', () => {
  it('keeps order across many chunks, and is empty again after', () => {
    const fifo = new Fifo<number>();
    for (let i = 0; i < 20_000; i++) fifo.push(i);
    expect(fifo.size).toBe(20_000);
    const out: number[] = [];
    for (let item = fifo.shift(); item !== undefined; item = fifo.shift()) out.push(item);
    expect(out).toEqual(Array.from({ length: 20_000 }, (_, i) => i));
    expect({ size: fifo.size, peek: fifo.peek(), shift: fifo.shift() }).toEqual({ size: 0, peek: undefined, shift: undefined });
    fifo.push(7);
    expect(fifo.drain()).toEqual([7]);
  });

  it('puts items back at the front wherever the front is', () => {
    for (let shifted = 0; shifted <= 40; shifted++) {
      const fifo = new Fifo<number>();
      for (let i = 0; i < 40; i++) fifo.push(i);
      for (let i = 0; i < shifted; i++) fifo.shift();
      fifo.unshift(-1);
      fifo.unshift(-2);
      fifo.push(40);
      expect(fifo.size).toBe(43 - shifted);
      expect(fifo.drain()).toEqual([-2, -1, ...Array.from({ length: 41 - shifted }, (_, i) => shifted + i)]);
    }
  });

  it.each([
    ['long queues', 20],
    ['a few items at a time (the front pair, before and beside chunks)', 2],
  ])('behaves as an array under any mix of push, shift, unshift, peek and drain: %s', (_what, batch) => {
    let seed = 12345;
    const random = (n: number): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) % n;
    const fifo = new Fifo<number>();
    let model: number[] = [];
    let next = 0;
    // Every step is checked; a plain comparison per step (an expect per step took seconds), the first differences reported.
    const differences: string[] = [];
    const same = (step: number, what: string, actual: unknown, expected: unknown): void => {
      if (actual !== expected && differences.length < 5) differences.push(`step ${step}, ${what}: ${String(actual)} instead of ${String(expected)}`);
    };
    for (let step = 0; step < 50_000; step++) {
      const op = random(100);
      if (op < 45) {
        for (let k = random(batch); k >= 0; k--) fifo.push(next), model.push(next++);
      } else if (op < 85) {
        for (let k = random(batch); k >= 0; k--) same(step, 'shift', fifo.shift(), model.shift());
      } else if (op < 97) {
        fifo.unshift(next);
        model.unshift(next++);
      } else if (op < 99) {
        same(step, 'peek', fifo.peek(), model[0]);
      } else {
        const drained = fifo.drain();
        same(step, 'drain', drained.join(), model.join());
        model = [];
      }
      same(step, 'size', fifo.size, model.length);
    }
    expect(differences).toEqual([]);
    expect(fifo.drain()).toEqual(model);
  });
});
