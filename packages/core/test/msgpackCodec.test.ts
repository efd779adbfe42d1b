import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { MultitaskError } from '../src/index.js';
import { BadValue, hasBadValues } from '../src/wire/BadValue.js';
import { MSGPACK_CODEC_VERSION, createMsgpackCodec } from '../src/wire/msgpackCodec.js';
import { FrameWriter, readFrame, type Frame } from '../src/wire/frames.js';
import { wireLimits } from '../src/wire/wireLimits.js';
import { Encoder } from '@msgpack/msgpack';
import { TagKind, extensionCodec, tagExt } from '../src/wire/msgpackExtensions.js';
import type { Envelope } from '../src/wire/protocol.js';

const codec = createMsgpackCodec();
const show = (value: unknown): string => inspect(value, { depth: Infinity, showHidden: true, breakLength: Infinity });
const roundTrip = (value: unknown): unknown => (codec.decode(codec.encode([value])) as unknown[])[0];

/** A small seeded generator (mulberry32), so that a failure is repeatable from its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Any value structured clone carries (and the codec must carry exactly), at most `depth` deep. */
function anyValue(next: () => number, depth: number): unknown {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const int = (n: number): number => Math.floor(next() * n);
  const string = (): string => Array.from({ length: int(12) }, () => String.fromCharCode(pick([int(128), int(0x10000), 0xd800 + int(0x800)]))).join('');
  const leaves: Array<() => unknown> = [
    () => undefined,
    () => null,
    () => next() < 0.5,
    () => pick([0, -0, 1, -1, 127, 128, -33, 255, 65536, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 - 1, -(2 ** 53), 0.5, -1.25e-300, NaN, Infinity, -Infinity]),
    () => (next() - 0.5) * 10 ** int(20),
    () => pick([0n, 1n, -1n, 2n ** 64n, -(2n ** 130n) + 7n, BigInt(int(1e9))]),
    string,
    () => new Date(pick([0, 1_700_000_000_123, -1, NaN, 8.64e15])),
    () => pick([/a+b/g, /^\u{1F600}$/u, new RegExp('x', 'dgimsuy'), /[\/]/]),
    () => new Uint8Array(Array.from({ length: int(9) }, () => int(256))).buffer,
    () => new (pick([Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array]))(Array.from({ length: int(6) }, () => int(200) - 100)),
    () => new BigInt64Array([BigInt(int(1000)) - 500n, -(2n ** 63n)]),
    () => new DataView(new Uint8Array([int(256), int(256), int(256)]).buffer),
  ];
  if (depth <= 0 || next() < 0.4) return pick(leaves)();
  const child = (): unknown => anyValue(next, depth - 1);
  const containers: Array<() => unknown> = [
    () => Array.from({ length: int(5) }, child),
    () => {
      const holey = new Array<unknown>(int(6) + 2);
      for (let i = 0; i < holey.length; i++) if (next() < 0.5) holey[i] = child();
      return holey;
    },
    () => Object.fromEntries(Array.from({ length: int(5) }, () => [pick([string(), 'a', '0', '__proto__', 'constructor']), child()])),
    () => new Map(Array.from({ length: int(4) }, () => [child(), child()])),
    () => new Set(Array.from({ length: int(4) }, child)),
    () => Object.assign(new (pick([Error, TypeError, RangeError]))(string(), next() < 0.5 ? { cause: child() } : undefined), next() < 0.5 ? { code: 'E_X', extra: child() } : {}),
  ];
  return pick(containers)();
}

describe('the MessagePack codec', () => {
  it('carries exactly every kind of value the extension table names', () => {
    const values: unknown[] = [
      undefined,
      null,
      -0,
      NaN,
      2n ** 200n,
      -(2n ** 70n),
      new Date(1_700_000_000_123),
      new Date(NaN),
      /a.b/gimsuy,
      new Uint8Array([1, 2, 3]).buffer,
      new Float64Array([1.5, -0, NaN]),
      new BigUint64Array([2n ** 64n - 1n]),
      new Map<unknown, unknown>([[1, 'one'], [{ k: 1 }, new Set([undefined])]]),
      new Set([1, 'a', null]),
      [1, , 3], // eslint-disable-line no-sparse-arrays
      { a: undefined, nested: { deeper: [undefined, null] } },
      '\ud800 lone surrogate',
      { ['\udfff key']: 1 },
      JSON.parse('{"__proto__": {"polluted": true}, "x": 1}'),
    ];
    for (const value of values) expect(roundTrip(value)).toStrictEqual(value);
    expect(Object.is(roundTrip(-0), -0)).toBe(true);
    const withProto = roundTrip(JSON.parse('{"__proto__": {"polluted": true}}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(withProto)).toBe(Object.prototype); // an own key, not a prototype
    expect(Object.keys(withProto)).toEqual(['__proto__']);
  });

  it('revives errors in payloads with their class, name, message, stack, cause, code and properties', () => {
    const cause = new RangeError('inner');
    const error = Object.assign(new TypeError('outer', { cause }), { code: 'E_OUTER', detail: { n: 1 } });
    const back = roundTrip(error) as TypeError & { code: string; detail: unknown };
    expect(back).toBeInstanceOf(TypeError);
    expect(back.message).toBe('outer');
    expect(back.stack).toBe(error.stack);
    expect(back.code).toBe('E_OUTER');
    expect(back.detail).toEqual({ n: 1 });
    expect(back.cause).toBeInstanceOf(RangeError);
    class Custom extends Error {
      override name = 'CustomError';
    }
    expect((roundTrip(new Custom('x')) as Error).name).toBe('CustomError');
  });

  it('round-trips two thousand random values exactly (seeded)', () => {
    for (let seed = 1; seed <= 2000; seed++) {
      const value = anyValue(random(seed), 4);
      let back: unknown;
      try {
        back = roundTrip(value);
      } catch (error) {
        throw new Error(`seed ${seed}: ${String(error)}`);
      }
      // vitest's equality is loose inside sets, Node's fails on invalid dates: the full printout
      // shows every class, key, hole, -0, stack and cause, and the order of maps and sets.
      expect(show(back), `seed ${seed}`).toBe(show(value));
    }
  });

  it('decodes typed arrays and buffers into buffers of their own when the bytes sit in a pooled Buffer', () => {
    const bytes = codec.encode([new Float64Array([1.5, 2.5]), new Uint8Array([7, 8]).buffer]);
    const pooled = Buffer.from(bytes); // small Buffers share one pool: a Buffer's slice() is a view of it
    const [floats, buffer] = codec.decode(pooled) as [Float64Array, ArrayBuffer];
    expect(floats).toStrictEqual(new Float64Array([1.5, 2.5]));
    expect(floats.buffer.byteLength).toBe(16);
    expect(new Uint8Array(buffer)).toStrictEqual(new Uint8Array([7, 8]));
  });

  it('round-trips frames of envelopes written by the frame writer', () => {
    const writer = new FrameWriter();
    const envelopes: Envelope[] = [
      { kind: 'tell', dst: 's:0' as never, to: 's:0.1' as never, type: 'add', payload: new Map([[1, 2n]]), enc: 0, from: 't:0' as never },
      { kind: 'tell', dst: 's:0' as never, to: 's:0.1' as never, type: 'add', payload: undefined, enc: 0, from: 't:0' as never },
      { kind: 'ask', dst: 's:0' as never, to: 's:0.1' as never, type: 'get', payload: [1, , 3], enc: 0, from: 't:0' as never, cid: 7 as never }, // eslint-disable-line no-sparse-arrays
      { kind: 'fail', dst: 's:0' as never, cid: 8 as never, error: { name: 'Error', message: 'x', stack: undefined, code: 'NODE_DOWN', multitask: true, cause: undefined, props: {} } },
      { kind: 'preload', dst: 's:0' as never, url: 'file:///x.js' }, // a kind framed as the envelope object itself
    ];
    for (const envelope of envelopes) writer.write(envelope);
    const seen: Envelope[] = [];
    readFrame(codec.decode(codec.encode(writer.finish())), (envelope) => seen.push(envelope));
    expect(seen).toStrictEqual(envelopes);
  });

  it('refuses at encoding what it cannot carry exactly, with NOT_SERIALIZABLE', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const value of [() => 1, Symbol('s'), new SharedArrayBuffer(4), Promise.resolve(), new WeakMap(), Object(1), cyclic]) {
      expect(() => codec.encode([value])).toThrowError(expect.objectContaining({ code: 'NOT_SERIALIZABLE' }) as Error);
      expect(() => codec.check(value)).toThrowError(expect.objectContaining({ code: 'NOT_SERIALIZABLE' }) as Error);
    }
    const small = createMsgpackCodec(wireLimits({ maxFrameBytes: 1000, maxStringBytes: 100 }));
    expect(() => small.encode(['x'.repeat(101)])).toThrowError(/more than 100 bytes/);
    expect(() => small.encode(Array.from({ length: 50 }, () => 'x'.repeat(90)))).toThrowError(/maxFrameBytes/);
  });

  it('reads the codec version first and refuses another one with BAD_FRAME', () => {
    const bytes = codec.encode([1, 'a']);
    expect(bytes[0]).toBe(MSGPACK_CODEC_VERSION);
    bytes[0] = 9;
    expect(() => codec.decode(bytes)).toThrowError(expect.objectContaining({ code: 'BAD_FRAME', message: expect.stringContaining('codec version 9') }) as Error);
  });

  it('turns random bytes and damaged frames into BAD_FRAME, never into another error', () => {
    const next = random(42);
    const good = codec.encode([0, 's:0', 's:0.1', 'add', { a: [1, 2n, new Map([[1, new Date(0)]])] }, 0, 't:0']);
    const samples: Uint8Array[] = [];
    for (let i = 0; i < 2000; i++) {
      const garbage = Uint8Array.from({ length: Math.floor(next() * 64) }, () => Math.floor(next() * 256));
      if (i % 2 === 0) garbage.set([MSGPACK_CODEC_VERSION, Math.floor(next() * 2)].slice(0, garbage.length));
      samples.push(garbage);
      const damaged = good.slice(0, 2 + Math.floor(next() * (good.length - 2)) + 1);
      for (let flips = 0; flips < 3; flips++) damaged[2 + Math.floor(next() * (damaged.length - 2))] = Math.floor(next() * 256);
      samples.push(damaged);
    }
    for (const bytes of samples) {
      try {
        const frame = codec.decode(bytes);
        expect(Array.isArray(frame)).toBe(true); // a damaged frame can still read as another frame
      } catch (error) {
        expect(error).toBeInstanceOf(MultitaskError);
        expect((error as MultitaskError).code).toBe('BAD_FRAME');
      }
    }
  });

  it('refuses deep nesting and huge length prefixes without building them', () => {
    const deep = new Uint8Array(1 << 20).fill(0x91); // a megabyte of one-item arrays, a million levels
    deep.set([MSGPACK_CODEC_VERSION, 0, 0x91]);
    expect(() => codec.decode(deep)).toThrowError(/maxDepth/);
    const prefixes = [
      [0xdd, 0xff, 0xff, 0xff, 0xff], // array32 of 4 billion items
      [0x91, 0xdf, 0xff, 0xff, 0xff, 0xff], // map32 of 4 billion entries
      [0x91, 0xdb, 0xff, 0xff, 0xff, 0xff, 0x61], // str32 of 4 GiB
      [0x91, 0xc9, 0xff, 0xff, 0xff, 0xff, 0x03], // ext32 of 4 GiB
    ];
    for (const prefix of prefixes) {
      expect(() => codec.decode(Uint8Array.from([MSGPACK_CODEC_VERSION, 0, ...prefix]))).toThrowError(expect.objectContaining({ code: 'BAD_FRAME' }) as Error);
    }
    const tooBig = new Uint8Array(codec.limits.maxFrameBytes + 1);
    expect(() => codec.decode(tooBig)).toThrowError(/maxFrameBytes/);
  });

  it('carries an array of records of one shape as a table, and gives back each record as it was', () => {
    const rows = Array.from({ length: 200 }, (_, i) => ({ 2: i, i, tag: 'bench', zero: i === 3 ? -0 : 0, nan: Number.NaN, none: undefined, big: BigInt(i), odd: i === 5 ? '\ud800' : 'x', yes: i % 2 === 0 }));
    const read = roundTrip(rows) as typeof rows;
    expect(read).toEqual(rows);
    expect(Object.keys(read[0] as object)).toEqual(Object.keys(rows[0] as object));
    expect(Object.is(read[3]?.zero, -0)).toBe(true);
    expect(read[5]?.odd).toBe('\ud800');
    read[0]!.tag = 'changed';
    expect(read[1]?.tag).toBe('bench'); // each record is an object of its own
    const apart = codec.encode([rows.map((row) => new Map(Object.entries(row)))]).length;
    expect(codec.encode([rows]).length).toBeLessThan(apart / 2); // the keys once, not once a row
    // Not one shape, or not primitive values: record by record, and still exact.
    const mixed = [
      Array.from({ length: 20 }, (_, i) => (i === 9 ? { tag: 'x', i } : { i, tag: 'x' })),
      Array.from({ length: 20 }, (_, i) => ({ i, nested: { i } })),
      Array.from({ length: 20 }, (_, i) => (i === 19 ? { i, more: 1 } : { i })),
      Array.from({ length: 20 }, (_, i) => (i === 4 ? Object.assign(Object.create(null) as object, { i }) : { i })),
      Array.from({ length: 20 }, (_, i) => (i === 7 ? new Date(i) : { i })),
    ];
    for (const value of mixed) expect(show(roundTrip(value))).toBe(show(structuredClone(value)));
  });

  it('refuses a table from another machine whose rows are more than its bytes, or whose keys are unsafe', () => {
    const encoder = new Encoder({ extensionCodec, context: { tags: true } });
    const frameOf = (table: unknown[]): Uint8Array => Uint8Array.from([MSGPACK_CODEC_VERSION, 1, ...encoder.encode([table, 7])]);
    const huge = codec.decode(frameOf([tagExt(TagKind.TABLE), 1_000_000, ['a'], [1]])) as Frame;
    expect(huge[0]).toBeInstanceOf(BadValue);
    expect(huge[1]).toBe(7);
    const proto = codec.decode(frameOf([tagExt(TagKind.TABLE), 2, ['__proto__'], [{ polluted: true }]])) as Frame;
    expect(proto[0]).toBeInstanceOf(BadValue);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const short = codec.decode(frameOf([tagExt(TagKind.TABLE), 3, ['a', 'b'], [1, 2, 3], [1, 2]])) as Frame;
    expect(short[0]).toBeInstanceOf(BadValue);
    expect(codec.decode(frameOf([tagExt(TagKind.TABLE), 3, ['a'], [1, 2, 3]]))[0]).toEqual([{ a: 1 }, { a: 2 }, { a: 3 }]);
  });

  it('marks an element past a limit, or malformed, as a bad value and still reads the others', () => {
    const strict = createMsgpackCodec(wireLimits({ maxStringBytes: 8 }));
    const bytes = codec.encode(['ok', 'a string past eight bytes', 3]);
    const frame = strict.decode(bytes) as Frame;
    expect(hasBadValues(frame)).toBe(true);
    expect(frame[0]).toBe('ok');
    expect(frame[1]).toBeInstanceOf(BadValue);
    expect((frame[1] as BadValue).reason).toMatch(/maxStringBytes/);
    expect(frame[2]).toBe(3);
    // A '__proto__' key in a plain map (this codec writes those as tagged objects) is refused.
    const rogue = Uint8Array.from([MSGPACK_CODEC_VERSION, 0, 0x92, 0x81, 0xa9, ...Buffer.from('__proto__'), 0x80, 0x07]);
    const read = codec.decode(rogue) as Frame;
    expect(read[0]).toBeInstanceOf(BadValue);
    expect(read[1]).toBe(7);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
