import { describe, expect, it } from 'vitest';
import { FrameWriter, readFrame, type Frame } from '../src/wire/frames.js';
import { createMsgpackCodec } from '../src/wire/msgpackCodec.js';
import type { Envelope } from '../src/wire/protocol.js';

type Tell = Extract<Envelope, { kind: 'tell' }>;

const header = { kind: 'tell', dst: 'sys:1', to: 'sys:1.7', type: 'hit', from: 'sys:0' } as const;
const tellOf = (payload: unknown, type = 'hit'): Tell => ({ ...header, type, payload, enc: 0 }) as Tell;

/** Writes `envelopes`, copies the frame the way a port does, and reads it back. */
function roundTrip(envelopes: readonly Envelope[], runs = true): { frame: Frame; read: Envelope[] } {
  const writer = new FrameWriter(runs);
  for (const envelope of envelopes) writer.write(envelope);
  const frame = structuredClone(writer.finish());
  const read: Envelope[] = [];
  readFrame(frame, (envelope) => read.push(envelope));
  return { frame, read };
}

describe('frames between the threads and processes of one system', () => {
  it('carry a long run of like tells in columns and give back every payload, in order', () => {
    const tells = Array.from({ length: 200 }, (_, i) => tellOf({ i, tag: 'bench', even: i % 2 === 0 }));
    const { frame, read } = roundTrip(tells);
    expect(read).toEqual(tells);
    expect(frame.length).toBeLessThan(20); // one header and one run, not three elements a tell
    const again = roundTrip(tells, false); // links to other systems keep each tell apart
    expect(again.read).toEqual(tells);
    expect(again.frame.length).toBeGreaterThan(600);
  });

  it('keep what structured clone keeps of primitives: -0, NaN, undefined, bigint, null', () => {
    const payloads = Array.from({ length: 40 }, (_, i) => ({ zero: -0, nan: Number.NaN, none: undefined, big: BigInt(i), nothing: null, n: i === 3 ? -0 : 0 }));
    const { read } = roundTrip(payloads.map((p) => tellOf(p)));
    expect(read.map((e) => (e as Tell).payload)).toEqual(payloads);
    const third = (read[3] as Tell).payload as { n: number; zero: number };
    expect(Object.is(third.n, -0)).toBe(true);
    expect(Object.is(((read[4] as Tell).payload as { n: number }).n, 0)).toBe(true);
    expect(Object.is(third.zero, -0)).toBe(true);
    expect(Object.keys(third)).toEqual(['zero', 'nan', 'none', 'big', 'nothing', 'n']);
  });

  it('write tell by tell what is not one flat shape, and still give back every payload', () => {
    class Point {
      constructor(readonly x: number) {}
    }
    const cases: unknown[][] = [
      Array.from({ length: 30 }, (_, i) => ({ i, nested: { deep: i } })), // an object inside
      Array.from({ length: 30 }, (_, i) => (i === 17 ? { tag: 'x', i } : { i, tag: 'x' })), // one with its keys in another order
      Array.from({ length: 30 }, (_, i) => (i === 29 ? { i } : { i, tag: 'x' })), // one with fewer keys
      Array.from({ length: 30 }, (_, i) => (i === 5 ? { i, tag: 'x', more: 1 } : { i, tag: 'x' })), // one with more
      Array.from({ length: 30 }, (_, i) => new Point(i)), // class instances
      Array.from({ length: 30 }, (_, i) => [i, 'x']), // arrays
      Array.from({ length: 30 }, (_, i) => i), // primitives
      Array.from({ length: 30 }, (_, i) => JSON.parse(`{"__proto__": ${i}}`) as unknown), // an own __proto__ key
      Array.from({ length: 30 }, () => ({})), // no keys
    ];
    for (const payloads of cases) {
      const { read } = roundTrip(payloads.map((p) => tellOf(p)));
      expect(read.map((e) => (e as Tell).payload)).toEqual(payloads.map((p) => structuredClone(p)));
    }
  });

  it('keep the order of runs among other envelopes, and break a run where the actor, type or encoding changes', () => {
    const envelopes: Envelope[] = [];
    for (let i = 0; i < 20; i++) envelopes.push(tellOf({ i }));
    envelopes.push({ kind: 'ask', dst: 'sys:1', to: 'sys:1.7', type: 'get', payload: 1, enc: 0, from: 'sys:0', cid: 5 } as Envelope);
    for (let i = 20; i < 40; i++) envelopes.push(tellOf({ i }));
    envelopes.push({ ...tellOf({ i: 40 }), enc: 1 } as Tell);
    for (let i = 41; i < 60; i++) envelopes.push(tellOf({ i }));
    for (let i = 60; i < 80; i++) envelopes.push(tellOf({ i }, 'other'));
    for (let i = 80; i < 100; i++) envelopes.push({ ...tellOf({ i }), to: 'sys:1.8' } as Tell);
    envelopes.push({ kind: 'reply', dst: 'sys:0', cid: 5, value: 'done', enc: 0 } as Envelope);
    expect(roundTrip(envelopes).read).toEqual(envelopes);
  });

  it('give each payload of a run an object of its own', () => {
    const shared = { n: 1 };
    const { read } = roundTrip(Array.from({ length: 20 }, () => tellOf(shared)));
    const [first, second] = read.map((e) => (e as Tell).payload as { n: number });
    first!.n = 2;
    expect(second!.n).toBe(1);
  });
});

describe('frames between the nodes of a cluster (the MessagePack codec)', () => {
  const codec = createMsgpackCodec();
  /** Writes `envelopes` with runs, then encodes, decodes and reads the frame as a node of the cluster would. */
  function overTheWire(envelopes: readonly Envelope[]): { bytes: number; read: Envelope[] } {
    const writer = new FrameWriter(true);
    for (const envelope of envelopes) writer.write(envelope);
    const bytes = codec.encode(writer.finish());
    const read: Envelope[] = [];
    readFrame(codec.decode(bytes), (envelope) => read.push(envelope));
    return { bytes: bytes.length, read };
  }

  it('carry runs of like tells in columns, with the primitives the codec keeps exactly', () => {
    const tells = Array.from({ length: 300 }, (_, i) => tellOf({ i, tag: 'bench', zero: i === 7 ? -0 : 0, nan: Number.NaN, none: undefined, big: BigInt(i), nothing: null }));
    const { bytes, read } = overTheWire(tells);
    expect(read).toEqual(tells);
    expect(Object.is(((read[7] as Tell).payload as { zero: number }).zero, -0)).toBe(true);
    const apart = new FrameWriter(false);
    for (const tell of tells) apart.write(tell);
    expect(bytes).toBeLessThan(codec.encode(apart.finish()).length / 2); // the keys once, not once a tell
  });

  it('write a run longer than a reader takes as several runs, and give back every payload in order', () => {
    const tells = Array.from({ length: 10_000 }, (_, i) => tellOf({ i }));
    expect(overTheWire(tells).read).toEqual(tells);
  });
});

describe('reading a frame that is not well formed', () => {
  it('visits what came before the fault, then throws BAD_FRAME', () => {
    const good = [0, 'sys:1', 'sys:1.7', 'hit', 1, 0, 'sys:0'];
    const faults: unknown[][] = [[99], [4, 7], [9, 2, ['a'], 'x'], [9, 2, ['a', 'b'], [[1]]], [9, 0.5, ['a'], [[1]]], [9, 1_000_000, ['a'], [[1]]], [0, 'sys:1'], ['tell']];
    for (const fault of faults) {
      const seen: Envelope[] = [];
      expect(() => readFrame([...good, ...fault], (e) => seen.push(e))).toThrow(expect.objectContaining({ code: 'BAD_FRAME' }));
      expect(seen).toHaveLength(1);
    }
    for (const first of [[5, 1, 0], [6, 1, 0, 3], [8, 3, 'x', 0], [9, 1, ['a'], [[1]]]]) {
      expect(() => readFrame(first, () => undefined)).toThrow(/like one before it/);
    }
  });
});
