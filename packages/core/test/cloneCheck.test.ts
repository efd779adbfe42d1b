import { describe, expect, it } from 'vitest';
import { scan } from '../src/wire/cloneCheck.js';

describe('the clone check', () => {
  it('names the path of what cannot be copied', () => {
    expect(() => scan({ a: [1, { b: () => 1 }] }, 'args')).toThrow('a function (b) at args.a[1].b cannot be copied');
    expect(() => scan({ a: [1, { b: Symbol('s') }] })).toThrow('a symbol at a[1].b cannot be copied');
    expect(() => scan(new Map([['k', { p: Promise.resolve() }]]))).toThrow('a Promise at get(k).p cannot be copied');
    expect(() => scan([new Set([new WeakMap()])], 'items')).toThrow('a WeakMap at items[0]<item> cannot be copied');
    expect(() => scan(() => 1)).toThrow(expect.objectContaining({ code: 'NOT_SERIALIZABLE', message: expect.stringContaining('the top level') }));
  });

  it('passes what structured clone copies, and a long array of numbers quickly', () => {
    expect(scan({ n: 1, s: 'x', d: new Date(), r: /x/, b: new Uint8Array(2), m: new Map([[1, [2]]]), e: new Error('e') })).toBe(false);
    const million = Array.from({ length: 1_000_000 }, (_, i) => i);
    expect(scan(million, 'items')).toBe(false);
  });
});
