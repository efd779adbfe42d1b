/**
 * The MessagePack extension table of the cluster wire, version 2: what a payload may hold
 * beyond MessagePack's own nil, booleans, numbers, strings, arrays and string-keyed maps.
 *
 * | ext | holds | data |
 * | --- | --- | --- |
 * | 0 | `undefined` | none |
 * | 1 | `-0` | none |
 * | 2 | `bigint` | sign and hexadecimal digits, UTF-8 (`-1f`) |
 * | 3 | `Date` | its time value, float64 big-endian (`NaN` for an invalid date) |
 * | 4 | `RegExp` | flags length (1 byte), flags, source (UTF-8) |
 * | 5 | `ArrayBuffer` | its bytes |
 * | 6 | typed array or `DataView` | kind (1 byte, {@link TYPED_KINDS}), the view's bytes (little-endian) |
 * | 7 | a string that is not well-formed UTF-16 (lone surrogates) | its code units, UTF-16LE |
 * | 8 | a container tag: the first element of an array that stands for a `Map`, `Set`, sparse array, `Error`, an object with keys MessagePack maps cannot carry, or a table (an array of plain objects of one shape, as its keys and one column per key; new in version 2) | kind (1 byte, {@link TagKind}) |
 *
 * Refs and channels need no entry: before framing they are already plain objects tagged
 * `__multitask_ref__` / `__multitask_channel__` (`messageCodec.ts`), and travel as maps.
 * @internal
 * @packageDocumentation
 */
import { ExtData, type ExtensionCodecType } from '@msgpack/msgpack';

/** Extension type numbers (application range, 0–127). @internal */
export const Ext = {
  UNDEFINED: 0,
  NEGATIVE_ZERO: 1,
  BIGINT: 2,
  DATE: 3,
  REGEXP: 4,
  ARRAY_BUFFER: 5,
  TYPED_ARRAY: 6,
  WTF16: 7,
  TAG: 8,
} as const;

/** What a tagged array stands for. @internal */
export const TagKind = { MAP: 1, SET: 2, SPARSE: 3, ERROR: 4, OBJECT: 5, TABLE: 6 } as const;
/** @internal */
export type TagKind = (typeof TagKind)[keyof typeof TagKind];

/** The views ext 6 carries, by kind byte. @internal */
export const TYPED_KINDS = [
  DataView,
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
] as const;

/** The kind byte of each view's `Symbol.toStringTag` (a Buffer is a Uint8Array). */
const KIND_OF = new Map<string, number>(TYPED_KINDS.map((ctor, kind) => [ctor.name, kind]));

/** The kind byte of a view, or `undefined` for a view of another kind. @internal */
export function typedKind(view: ArrayBufferView): number | undefined {
  return KIND_OF.get(view instanceof DataView ? 'DataView' : (view as unknown as { [Symbol.toStringTag]: string })[Symbol.toStringTag]);
}

/** An extension value this codec made (user data never becomes one: see `tryToEncode`). @internal */
export class WireExt extends ExtData {}

/** The first element of a tagged array, once decoded. @internal */
export class Tag {
  constructor(readonly kind: TagKind) {}
}

const TAGS = new Map<number, Tag>(Object.values(TagKind).map((kind) => [kind, new Tag(kind)]));
const TAG_EXT = new Map<number, WireExt>(Object.values(TagKind).map((kind) => [kind, new WireExt(Ext.TAG, Uint8Array.of(kind))]));
const NONE = new Uint8Array(0);

/** @internal */
export const UNDEFINED_EXT = new WireExt(Ext.UNDEFINED, NONE);
/** @internal */
export const NEGATIVE_ZERO_EXT = new WireExt(Ext.NEGATIVE_ZERO, NONE);

/** The tag ext of `kind`. @internal */
export function tagExt(kind: TagKind): WireExt {
  return TAG_EXT.get(kind) as WireExt;
}

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** @internal */
export function bigintExt(value: bigint): WireExt {
  return new WireExt(Ext.BIGINT, utf8.encode(value < 0n ? `-${(-value).toString(16)}` : value.toString(16)));
}

/** @internal */
export function dateExt(value: Date): WireExt {
  const data = new Uint8Array(8);
  new DataView(data.buffer).setFloat64(0, value.getTime());
  return new WireExt(Ext.DATE, data);
}

/** @internal */
export function regexpExt(value: RegExp): WireExt {
  const flags = utf8.encode(value.flags);
  const source = utf8.encode(value.source);
  const data = new Uint8Array(1 + flags.length + source.length);
  data[0] = flags.length;
  data.set(flags, 1);
  data.set(source, 1 + flags.length);
  return new WireExt(Ext.REGEXP, data);
}

/** @internal */
export function bytesExt(value: ArrayBuffer): WireExt {
  return new WireExt(Ext.ARRAY_BUFFER, new Uint8Array(value));
}

/** @internal */
export function typedExt(view: ArrayBufferView, kind: number): WireExt {
  const data = new Uint8Array(1 + view.byteLength);
  data[0] = kind;
  data.set(new Uint8Array(view.buffer, view.byteOffset, view.byteLength), 1);
  return new WireExt(Ext.TYPED_ARRAY, data);
}

/** @internal */
export function wtf16Ext(value: string): WireExt {
  const data = new Uint8Array(value.length * 2);
  const view = new DataView(data.buffer);
  for (let i = 0; i < value.length; i++) view.setUint16(i * 2, value.charCodeAt(i), true);
  return new WireExt(Ext.WTF16, data);
}

/** A bad extension value: the frame (or the element holding it) is refused. */
function bad(what: string): never {
  throw new RangeError(`malformed extension value: ${what}`);
}

const BIGINT_DIGITS = /^-?[0-9a-f]+$/;

function decodeBigint(data: Uint8Array): bigint {
  const text = strictUtf8.decode(data);
  if (!BIGINT_DIGITS.test(text)) bad('bigint');
  return text.startsWith('-') ? -BigInt(`0x${text.slice(1)}`) : BigInt(`0x${text}`);
}

/** The bytes in a buffer of their own (a Buffer's `slice` would share its pool). */
function ownBuffer(data: Uint8Array): ArrayBuffer {
  const buffer = new ArrayBuffer(data.length);
  new Uint8Array(buffer).set(data);
  return buffer;
}

function decodeTyped(data: Uint8Array): ArrayBufferView {
  const ctor = TYPED_KINDS[data[0] ?? 255];
  if (ctor === undefined) bad('typed array kind');
  const size = ctor === DataView ? 1 : (ctor as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
  if ((data.length - 1) % size !== 0) bad('typed array length');
  const buffer = ownBuffer(data.subarray(1)); // aligned
  return new (ctor as new (buffer: ArrayBuffer) => ArrayBufferView)(buffer);
}

function decodeWtf16(data: Uint8Array): string {
  if (data.length % 2 !== 0) bad('UTF-16 length');
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const units = new Array<number>(data.length / 2);
  for (let i = 0; i < units.length; i++) units[i] = view.getUint16(i * 2, true);
  let out = '';
  for (let i = 0; i < units.length; i += 4096) out += String.fromCharCode(...units.slice(i, i + 4096));
  return out;
}

function decodeRegexp(data: Uint8Array): RegExp {
  const flagsLength = data[0];
  if (flagsLength === undefined || 1 + flagsLength > data.length) bad('regexp');
  return new RegExp(strictUtf8.decode(data.subarray(1 + flagsLength)), strictUtf8.decode(data.subarray(1, 1 + flagsLength)));
}

function empty(data: Uint8Array, value: unknown): unknown {
  if (data.length !== 0) bad('length');
  return value;
}

/** What a decoder knows of its frame: whether it declared containers (else a tag is out of place). @internal */
export interface WireContext {
  readonly tags: boolean;
}

/** Decoders by ext type: each checks its data and throws on anything it did not write. */
const DECODERS: ReadonlyArray<(data: Uint8Array, context: WireContext) => unknown> = [
  (data) => empty(data, undefined),
  (data) => empty(data, -0),
  decodeBigint,
  (data) => (data.length === 8 ? new Date(new DataView(data.buffer, data.byteOffset, 8).getFloat64(0)) : bad('date')),
  decodeRegexp,
  ownBuffer,
  decodeTyped,
  decodeWtf16,
  (data, context) => (context.tags && data.length === 1 ? (TAGS.get(data[0] as number) ?? bad('tag kind')) : bad('tag')),
];

/**
 * The extension codec handed to `@msgpack/msgpack`: it encodes only the extension values
 * this codec made (an `ExtData` inside a user's payload is a plain object like any other)
 * and decodes only the types of the table; an unknown type is a bad frame.
 * @internal
 */
export const extensionCodec: ExtensionCodecType<WireContext> = {
  tryToEncode: (object) => (object instanceof WireExt ? object : null),
  decode(data, type, context) {
    const decoder = DECODERS[type];
    if (decoder === undefined) bad(`unknown type ${type}`);
    return decoder(data, context);
  },
};
