import { describe, expect, it } from 'vitest';
import { SeqTable } from '../src/node/SeqTable.js';

/** A small seeded generator, so that a failure repeats. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe('SeqTable', () => {
  it.each([1, 2, 3])('behaves as a map whose values come in the order of their numbers, under rising numbers given up at random (seed %i)', (seed) => {
    const next = random(seed);
    const table = new SeqTable<string>();
    const model = new Map<number, string>();
    let seq = 0;
    for (let step = 0; step < 20_000; step++) {
      const roll = next();
      if (roll < 0.5) {
        seq += 1 + Math.floor(next() * 3);
        table.set(seq, `v${seq}`);
        model.set(seq, `v${seq}`);
      } else if (roll < 0.95 && model.size > 0) {
        // Mostly the young go; now and then an old one (which may be all that is left of its page).
        const keys = [...model.keys()];
        const key = next() < 0.8 ? (keys[keys.length - 1 - Math.floor(next() * Math.min(keys.length, 20))] as number) : (keys[Math.floor(next() * keys.length)] as number);
        expect(table.delete(key)).toBe(true);
        model.delete(key);
      } else if (model.size > 0) {
        // An old number comes again (a supervised actor restarted here under its id).
        const key = Math.max(1, seq - Math.floor(next() * 5_000));
        table.set(key, `again${key}`);
        model.set(key, `again${key}`);
      }
      if (step % 1_000 === 0) {
        expect(table.size).toBe(model.size);
        expect([...table.values()]).toEqual([...model.entries()].sort((a, b) => a[0] - b[0]).map(([, value]) => value));
      }
    }
    for (const [key, value] of model) expect(table.get(key)).toBe(value);
    expect(table.get(seq + 1)).toBeUndefined();
    expect(table.delete(seq + 1)).toBe(false);
    for (const key of [...model.keys()]) table.delete(key);
    expect({ size: table.size, values: [...table.values()] }).toEqual({ size: 0, values: [] });
  });

  it('numbers past 2^32 work like small ones', () => {
    const table = new SeqTable<number>();
    const big = 2 ** 40;
    for (let i = 0; i < 300; i++) table.set(big + i, i);
    table.delete(big + 5);
    expect(table.get(big + 4)).toBe(4);
    expect(table.get(big + 5)).toBeUndefined();
    expect([...table.values()]).toHaveLength(299);
  });
});
