import { describe, expect, it } from 'vitest';
import { Runs } from '../src/channel/Runs.js';
import { ItemQueue } from '../src/channel/ItemQueue.js';
import { Loans } from '../src/channel/Loans.js';
import { Packed, packItems, unpackItems, type Segment } from '../src/channel/packing.js';

function packedOf(items: unknown[]): Packed {
  const wire = packItems(items, 0);
  if (wire === undefined) throw new Error('not packable');
  return new Packed(wire.bytes, wire.count, wire.enc);
}

function queue(): { readonly q: ItemQueue; readonly opened: number[] } {
  const q = new ItemQueue();
  const opened: number[] = [];
  q.unpack = (packed) => (opened.push(packed.count), unpackItems(packed.bytes));
  return { q, opened };
}

describe('the items of a channel, plain and packed', () => {
  it('counts packed items, and opens a packed run only when one of its items is taken here', () => {
    const { q, opened } = queue();
    q.push('a');
    q.pushPacked(packedOf(['b', 'c', 'd']));
    q.push('e');
    expect(q.size).toBe(5);
    expect([q.shift(), opened]).toEqual(['a', []]);
    expect([q.shift(), opened]).toEqual(['b', [3]]);
    q.unshift('b again'); // back at the head, before the rest of the opened run
    expect([q.shift(), q.shift(), q.shift(), q.shift(), q.size]).toEqual(['b again', 'c', 'd', 'e', 0]);
  });

  it('hands packed runs to a batch whole and still packed, plain items in runs of their own', () => {
    const { q, opened } = queue();
    q.push(1);
    q.push(2);
    q.pushPacked(packedOf([3, 4, 5]));
    q.push(6);
    const first = q.takeBatch(3); // 2 plain, then the run of 3 whole: past the limit
    expect(first.count).toBe(5);
    expect(first.segments[0]).toEqual({ items: [1, 2] });
    const run = first.segments[1];
    expect(run !== undefined && 'bytes' in run ? unpackItems(run.bytes) : run).toEqual([3, 4, 5]);
    expect(opened).toEqual([]);
    expect(q.takeBatch(10)).toEqual({ segments: [{ items: [6] }], count: 1 });
    expect(q.size).toBe(0);
  });

  it('opens a packed run longer than a batch, so that a consumer taking a few items gets a few', () => {
    const { q, opened } = queue();
    q.push(0);
    q.pushPacked(packedOf([1, 2, 3, 4, 5]));
    expect(q.takeBatch(2)).toEqual({ segments: [{ items: [0] }], count: 1 }); // stops before the run
    expect([q.takeBatch(2), opened]).toEqual([{ segments: [{ items: [1, 2] }], count: 2 }, [5]]);
    expect([q.size, q.shift()]).toEqual([3, 3]);
  });

  it('takes the rest of an opened run as plain items in a batch', () => {
    const { q } = queue();
    q.pushPacked(packedOf(['x', 'y', 'z']));
    expect(q.shift()).toBe('x');
    expect(q.takeBatch(10)).toEqual({ segments: [{ items: ['y', 'z'] }], count: 2 });
  });

  it('sends items that only postMessage can copy as they are', () => {
    const { port1, port2 } = new MessageChannel();
    expect(packItems([1, port1], 0)).toBeUndefined();
    port1.close();
    port2.close();
  });
});

describe('the items fetched to a receiving node', () => {
  it('keeps the order of the runs they came in, also when a run arrives just as one ends', () => {
    const runs = new Runs();
    runs.push([1, 2]);
    runs.push([3]);
    runs.push([]); // an empty answer changes nothing
    expect([runs.shift(), runs.shift(), runs.size]).toEqual([1, 2, 1]); // the first run is used up, [3] waits
    runs.push([4, 5]);
    expect([runs.shift(), runs.shift(), runs.shift(), runs.shift(), runs.size]).toEqual([3, 4, 5, undefined, 0]);
  });
});

describe('the items a channel lent to one node', () => {
  const open = (segment: Segment): unknown[] => ('bytes' in segment ? unpackItems(segment.bytes) : segment.items);

  it('settles the oldest items first, across batches and inside a packed run, and takes back the rest in order', () => {
    const loans = new Loans();
    const sent = ['a', 'b'];
    loans.lend([{ items: sent }, packedOf(['c', 'd', 'e'])]);
    loans.lend([{ items: ['f'] }]);
    sent[0] = 'changed'; // what went out is kept as it went
    expect([loans.settle(3), loans.count]).toEqual([3, 3]); // a, b and c
    expect(loans.takeBack(open, 1)).toEqual(['d']);
    expect(loans.takeBack(open)).toEqual(['e', 'f']);
    expect(loans.count).toBe(0);
  });

  it('settles no more than it lent (a late report from a node whose loans were taken back)', () => {
    const loans = new Loans();
    loans.lend([{ items: [1, 2] }]);
    expect(loans.takeBack(open)).toEqual([1, 2]);
    expect(loans.settle(2)).toBe(0);
    loans.lend([{ items: [3] }]);
    expect([loans.settle(5), loans.count]).toEqual([1, 0]);
  });
});

describe('a packed run of items', () => {
  const roundTrip = (items: unknown[]): unknown[] => unpackItems(packItems(items, 0)!.bytes);

  it('gives back rows of one shape as they were sent, keys in their order, each a copy of its own', () => {
    const shared = { i: 1, tag: 'same', ok: true };
    const rows: unknown[] = [shared, shared];
    for (let i = 2; i < 20; i++) rows.push({ i, tag: i % 2 === 0 ? 'even' : 'odd', ok: i > 9 });
    const back = roundTrip(rows);
    expect(back).toEqual(rows);
    expect(back.map((row) => Object.keys(row as object))).toEqual(rows.map((row) => Object.keys(row as object)));
    expect(back[0]).not.toBe(back[1]); // two sends of one object are two items, as two sends apart would be
    (back[0] as { i: number }).i = 99;
    expect(back[1]).toEqual(shared);
  });

  it('keeps what structured clone keeps of primitive values: undefined, -0, NaN, bigint, and integer keys first', () => {
    const rows = Array.from({ length: 12 }, (_, i) => ({ 2: 'two', a: i === 3 ? undefined : i, z: i === 5 ? -0 : i === 6 ? Number.NaN : 1n << BigInt(i), 1: 'one' }));
    const back = roundTrip(rows) as Array<Record<string, unknown>>;
    expect(back).toEqual(rows);
    expect(Object.keys(back[0]!)).toEqual(['1', '2', 'a', 'z']);
    expect('a' in back[3]!).toBe(true);
    expect(Object.is(back[5]!.z, -0)).toBe(true);
    expect(back[6]!.z).toBeNaN();
  });

  it('gives back rows of different shapes, nested objects and shared references as structured clone does', () => {
    const inner = { deep: [1, 2] };
    const mixed: unknown[] = [...Array.from({ length: 10 }, (_, i) => ({ i })), { i: 10, extra: true }, 'text', null];
    expect(roundTrip(mixed)).toEqual(mixed);
    const nested = Array.from({ length: 10 }, () => ({ inner }));
    const back = roundTrip(nested) as Array<{ inner: unknown }>;
    expect(back).toEqual(nested);
    expect(back[0]!.inner).toBe(back[9]!.inner); // objects inside travel by structured clone: shared stays shared
  });
});
