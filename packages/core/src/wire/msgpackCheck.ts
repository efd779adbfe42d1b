/**
 * A check of MessagePack bytes before they are decoded: it walks the structure without
 * building anything, so that a length prefix larger than the bytes that follow, or nesting
 * past the limit, is refused before a decoder allocates for it.
 * @internal
 * @packageDocumentation
 */
import { Ext } from './msgpackExtensions.js';
import type { WireLimits } from './wireLimits.js';

/** The bytes are not MessagePack this codec reads: the whole frame is dropped. @internal */
export class MalformedFrame extends RangeError {}

/** Where each element of a frame's top-level array starts, and which ones are past a limit. @internal */
export interface CheckedFrame {
  /** Offsets: element `i` spans `[bounds[i], bounds[i + 1])`. */
  readonly bounds: number[];
  /** Elements past a limit (not structural damage), by index, with the reason. */
  readonly bad: Map<number, string>;
}

const LAST_EXT: number = Ext.TAG;
/** `__proto__` as UTF-8. */
const PROTO = [...'__proto__'].map((c) => c.charCodeAt(0));

function malformed(what: string): never {
  throw new MalformedFrame(`malformed frame: ${what}`);
}

/**
 * Checks `bytes[start..]`: one array whose elements are each within `limits`.
 * @throws MalformedFrame for damage no element-by-element reading can get past
 * @internal
 */
export function checkFrame(bytes: Uint8Array, start: number, limits: WireLimits): CheckedFrame {
  const reader = new Reader(bytes, start, limits);
  const count = reader.arrayHeader();
  if (count === undefined) malformed('a frame must be an array');
  const bounds: number[] = [];
  const bad = new Map<number, string>();
  for (let i = 0; i < count; i++) {
    bounds.push(reader.pos);
    const problem = reader.skip(2);
    if (problem !== undefined) bad.set(i, problem);
  }
  if (reader.pos !== bytes.length) malformed('bytes after the frame');
  bounds.push(reader.pos);
  return { bounds, bad };
}

/** What one head said: how many items follow inside it, and the first limit it is past. */
interface Item {
  readonly children: number;
  readonly map: boolean;
  readonly problem: string | undefined;
}

class Reader {
  pos: number;
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  readonly #limits: WireLimits;

  constructor(bytes: Uint8Array, start: number, limits: WireLimits) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = start;
    this.#limits = limits;
  }

  #need(n: number): void {
    if (this.pos + n > this.#bytes.length) malformed('truncated');
  }

  #uint(size: 1 | 2 | 4): number {
    this.#need(size);
    const at = this.pos;
    this.pos += size;
    return size === 1 ? this.#view.getUint8(at) : size === 2 ? this.#view.getUint16(at) : this.#view.getUint32(at);
  }

  /** Reads an array header (and checks its count against the bytes left), or `undefined` for another type. */
  arrayHeader(): number | undefined {
    this.#need(1);
    const head = this.#bytes[this.pos] as number;
    if (head >= 0x90 && head <= 0x9f) return (this.pos++, this.#items(head & 0x0f, 1));
    if (head === 0xdc || head === 0xdd) return (this.pos++, this.#items(this.#uint(head === 0xdc ? 2 : 4), 1));
    return undefined;
  }

  /** Each item takes at least one byte: a count the bytes cannot hold is damage, not a limit. */
  #items(count: number, per: number): number {
    if (count * per > this.#bytes.length - this.pos) malformed('a length prefix larger than the frame');
    return count;
  }

  /**
   * Skips one item (and everything in it) whose container, if it is one, sits at `depth`.
   * @returns the first limit it is past, if any
   */
  skip(depth: number): string | undefined {
    const left: number[] = []; // items still to read in each open container
    const isMap: boolean[] = [];
    let problem: string | undefined;
    do {
      const top = left.length - 1;
      const key = top >= 0 && isMap[top] === true && (left[top] as number) % 2 === 0;
      const head = this.#bytes[this.pos];
      const result = this.#one(key);
      problem ??= result.problem ?? (key && !isStringHead(head) ? 'a map key that is not a string' : undefined);
      if (result.children > 0) {
        if (depth + left.length > this.#limits.maxDepth) malformed(`nested deeper than maxDepth (${this.#limits.maxDepth})`);
        left.push(result.children);
        isMap.push(result.map);
        continue;
      }
      while (left.length > 0) {
        const remaining = (left[left.length - 1] as number) - 1;
        if (remaining > 0) {
          left[left.length - 1] = remaining;
          break;
        }
        left.pop();
        isMap.pop();
      }
    } while (left.length > 0);
    return problem;
  }

  /** Reads one head (and the bytes of a string, binary or extension). */
  #one(key: boolean): Item {
    this.#need(1);
    const head = this.#bytes[this.pos++] as number;
    const scalar: Item = { children: 0, map: false, problem: undefined };
    if (head <= 0x7f || head >= 0xe0 || head === 0xc0 || head === 0xc2 || head === 0xc3) return scalar;
    if (head >= 0xa0 && head <= 0xbf) return this.#string(head & 0x1f, key, scalar);
    if (head >= 0x90 && head <= 0x9f) return this.#array(head & 0x0f);
    if (head >= 0x80 && head <= 0x8f) return this.#map(head & 0x0f);
    switch (head) {
      case 0xca: case 0xcb: case 0xcc: case 0xcd: case 0xce: case 0xcf: case 0xd0: case 0xd1: case 0xd2: case 0xd3: // prettier-ignore
        this.#need(NUMBER_SIZE[head - 0xca] as number);
        this.pos += NUMBER_SIZE[head - 0xca] as number;
        return scalar;
      case 0xd9: case 0xda: case 0xdb: // prettier-ignore
        return this.#string(this.#uint(head === 0xd9 ? 1 : head === 0xda ? 2 : 4), key, scalar);
      case 0xc4: case 0xc5: case 0xc6: // prettier-ignore
        this.#blob(this.#uint(head === 0xc4 ? 1 : head === 0xc5 ? 2 : 4));
        return { ...scalar, problem: scalar.problem ?? 'a binary value (this codec writes none)' };
      case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8: // prettier-ignore
        return this.#ext(2 ** (head - 0xd4), scalar);
      case 0xc7: case 0xc8: case 0xc9: // prettier-ignore
        return this.#ext(this.#uint(head === 0xc7 ? 1 : head === 0xc8 ? 2 : 4), scalar);
      case 0xdc: case 0xdd: // prettier-ignore
        return this.#array(this.#uint(head === 0xdc ? 2 : 4));
      case 0xde: case 0xdf: // prettier-ignore
        return this.#map(this.#uint(head === 0xde ? 2 : 4));
      default:
        return malformed(`byte 0x${head.toString(16)}`);
    }
  }

  #blob(length: number): void {
    this.#need(length);
    this.pos += length;
  }

  #string(length: number, key: boolean, scalar: Item): Item {
    const at = this.pos;
    this.#blob(length);
    if (length > this.#limits.maxStringBytes) return { ...scalar, problem: scalar.problem ?? `a string of more than maxStringBytes (${this.#limits.maxStringBytes})` };
    if (key && length === PROTO.length && PROTO.every((c, i) => this.#bytes[at + i] === c)) return { ...scalar, problem: "a '__proto__' key" };
    return scalar;
  }

  #ext(length: number, scalar: Item): Item {
    this.#need(1);
    const type = this.#view.getInt8(this.pos++);
    this.#blob(length);
    if (type < 0 || type > LAST_EXT) return { ...scalar, problem: scalar.problem ?? `an unknown extension type (${type})` };
    if (length > this.#limits.maxStringBytes + 1) return { ...scalar, problem: scalar.problem ?? `an extension value of more than maxStringBytes (${this.#limits.maxStringBytes})` };
    return scalar;
  }

  #array(count: number): Item {
    return { children: this.#items(count, 1), map: false, problem: count > this.#limits.maxArrayLength ? `an array of more than maxArrayLength (${this.#limits.maxArrayLength})` : undefined };
  }

  #map(count: number): Item {
    return { children: this.#items(count, 2) * 2, map: true, problem: count > this.#limits.maxMapLength ? `a map of more than maxMapLength (${this.#limits.maxMapLength})` : undefined };
  }
}

function isStringHead(head: number | undefined): boolean {
  return head !== undefined && ((head >= 0xa0 && head <= 0xbf) || (head >= 0xd9 && head <= 0xdb));
}

/** Bytes after the head of float32, float64, uint8..64, int8..64. */
const NUMBER_SIZE = [4, 8, 1, 2, 4, 8, 1, 2, 4, 8];
