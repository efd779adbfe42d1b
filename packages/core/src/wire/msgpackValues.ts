/**
 * Values to and from what `@msgpack/msgpack` carries as it is: the extension table's leaves
 * become extension values, containers MessagePack has no type for become tagged arrays,
 * and back. Arrays and objects that need no change are not copied.
 * @internal
 * @packageDocumentation
 */
import { MultitaskError } from '../errors.js';
import {
  NEGATIVE_ZERO_EXT,
  Tag,
  TagKind,
  UNDEFINED_EXT,
  bigintExt,
  bytesExt,
  dateExt,
  regexpExt,
  tagExt,
  typedExt,
  typedKind,
  wtf16Ext,
} from './msgpackExtensions.js';
import type { WireLimits } from './wireLimits.js';
import { columnsOf, rowsOf } from './columns.js';

/** ES2024's `String.prototype.isWellFormed` (Node 20 has it; the ES2023 lib does not type it). */
function wellFormed(value: string): boolean {
  return (value as unknown as { isWellFormed(): boolean }).isWellFormed();
}

function refuse(what: string): never {
  throw new MultitaskError('NOT_SERIALIZABLE', `${what} cannot be sent to another machine`);
}

/** The walk that turns a value into what MessagePack carries, within the limits. */
export class ToWire {
  /** Whether the value held a container (a tagged array): the decoder then rebuilds them. */
  containers = false;
  readonly #limits: WireLimits;

  constructor(limits: WireLimits) {
    this.#limits = limits;
  }

  /** @param depth - the nesting depth a container made of `value` would have (the frame itself is 1) */
  value(value: unknown, depth: number): unknown {
    switch (typeof value) {
      case 'string':
        if (value.length > this.#limits.maxStringBytes / 3 && Buffer.byteLength(value) > this.#limits.maxStringBytes) refuse(`a string of more than ${this.#limits.maxStringBytes} bytes`);
        return wellFormed(value) ? value : wtf16Ext(value);
      case 'number':
        return value === 0 && 1 / value < 0 ? NEGATIVE_ZERO_EXT : value;
      case 'boolean':
        return value;
      case 'undefined':
        return UNDEFINED_EXT;
      case 'bigint':
        return bigintExt(value);
      case 'object':
        return value === null ? null : this.#object(value, depth);
      default:
        return refuse(`a ${typeof value}`);
    }
  }

  #object(value: object, depth: number): unknown {
    if (depth > this.#limits.maxDepth) refuse(`a value nested deeper than maxDepth (${this.#limits.maxDepth}), or a cyclic one,`);
    if (Array.isArray(value)) return this.#array(value, depth);
    if (ArrayBuffer.isView(value)) {
      const kind = typedKind(value);
      return kind === undefined ? refuse(`a ${value.constructor.name}`) : typedExt(value, kind);
    }
    if (value instanceof ArrayBuffer) return bytesExt(value);
    if (value instanceof Date) return dateExt(value);
    if (value instanceof RegExp) return regexpExt(value);
    if (value instanceof Map) return this.#tagged(TagKind.MAP, depth, value.size * 2, (push) => value.forEach((v, k) => (push(k), push(v))));
    if (value instanceof Set) return this.#tagged(TagKind.SET, depth, value.size, (push) => value.forEach((v) => push(v)));
    if (value instanceof Error) return this.#error(value, depth);
    if (value instanceof SharedArrayBuffer || value instanceof Promise || value instanceof WeakMap || value instanceof WeakSet || value instanceof WeakRef) return refuse(`a ${value.constructor.name}`);
    if (value instanceof Number || value instanceof String || value instanceof Boolean || value instanceof BigInt) return refuse(`a boxed primitive (${value.constructor.name} object)`);
    return this.#record(value as Record<string, unknown>, depth);
  }

  #array(value: unknown[], depth: number): unknown {
    if (value.length > this.#limits.maxArrayLength) refuse(`an array of more than ${this.#limits.maxArrayLength} items`);
    const table = value.length >= TABLE_MIN ? this.#table(value, depth) : undefined;
    if (table !== undefined) return table;
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      if (item === undefined && !(i in value)) return this.#sparse(value, depth);
      const wire = this.value(item, depth + 1);
      if (out === undefined && wire !== item) out = value.slice(0, i);
      out?.push(wire);
    }
    return out ?? value;
  }

  /**
   * An array of plain objects with the same keys in the same order and primitive values
   * (rows of a stream, a batch of channel items): `[tag, count, keys, ...columns]`, a
   * column whose values are all the same (`Object.is`) being that value alone. The keys
   * travel once, not once a row; `undefined` when the array is not such a table.
   */
  #table(value: unknown[], depth: number): unknown[] | undefined {
    const columns = columnsOf(value);
    if (columns === undefined || !columns.keys.every(wellFormed)) return undefined;
    this.containers = true;
    const out: unknown[] = [tagExt(TagKind.TABLE), value.length, columns.keys];
    for (const column of columns.values) out.push(this.#array(column, depth + 1));
    return out;
  }

  /** An array with holes: its length, then the index and value of each item it has. */
  #sparse(value: unknown[], depth: number): unknown {
    const keys = Object.keys(value).filter((key) => String(Number(key) >>> 0) === key);
    return this.#tagged(TagKind.SPARSE, depth, 1 + keys.length * 2, (push) => {
      push(value.length);
      for (const key of keys) (push(Number(key)), push(value[Number(key)]));
    });
  }

  #error(value: Error, depth: number): unknown {
    const props: Record<string, unknown> = {};
    for (const key of Object.keys(value)) if (key !== 'cause' && key !== 'stack' && key !== 'message' && key !== 'name') props[key] = (value as unknown as Record<string, unknown>)[key];
    const hasCause = 'cause' in value;
    return this.#tagged(TagKind.ERROR, depth, 6, (push) => {
      push(value.name);
      push(value.message);
      push(value.stack);
      push(hasCause);
      push(hasCause ? value.cause : undefined);
      push(props);
    });
  }

  #record(value: Record<string, unknown>, depth: number): unknown {
    const keys = Object.keys(value);
    if (keys.length > this.#limits.maxMapLength) refuse(`an object with more than ${this.#limits.maxMapLength} keys`);
    let out: Record<string, unknown> | undefined;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      // MessagePack maps decode into plain objects: a '__proto__' key would set the prototype.
      if (key === '__proto__' || !wellFormed(key)) return this.#tagged(TagKind.OBJECT, depth, keys.length * 2, (push) => keys.forEach((k) => (push(k), push(value[k]))));
      const item = value[key];
      const wire = this.value(item, depth + 1);
      if (out === undefined && wire !== item) {
        out = {};
        for (let j = 0; j < i; j++) out[keys[j] as string] = value[keys[j] as string];
      }
      if (out !== undefined) out[key] = wire;
    }
    return out ?? value;
  }

  /** `[tag, ...items]`, each item through {@link ToWire.value}. */
  #tagged(kind: TagKind, depth: number, size: number, items: (push: (item: unknown) => void) => void): unknown[] {
    if (size + 1 > this.#limits.maxArrayLength) refuse(`a container of more than ${this.#limits.maxArrayLength - 1} items`);
    this.containers = true;
    const out: unknown[] = [tagExt(kind)];
    items((item) => out.push(this.value(item, depth + 1)));
    return out;
  }
}

/** Fewest rows an array is sent as a table for; fewer pay for the check and not back. */
const TABLE_MIN = 16;
/**
 * Most rows of a table whose every column is one value: a reader refuses more, so that a
 * few bytes from the network cannot become a million objects (a table with a full column
 * is as long in bytes as it is in rows).
 */
const TABLE_SHARED_ROWS = 4096;

function malformed(what: string): never {
  throw new RangeError(`malformed ${what}`);
}

const ERRORS: Record<string, ErrorConstructor> = { Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError };

/**
 * Rebuilds the tagged containers of a decoded value, in place where it can. Its depth was
 * bounded when the bytes were checked, so the recursion is too.
 * @internal
 */
export function fromWire(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Tag) return malformed('frame: a container tag out of place');
  if (Array.isArray(value)) {
    const head: unknown = value[0];
    if (head instanceof Tag) return rebuild(head, value);
    for (let i = 0; i < value.length; i++) value[i] = fromWire(value[i]);
    return value;
  }
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof Date || value instanceof RegExp) return value;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) record[key] = fromWire(record[key]);
  return value;
}

function rebuild(tag: Tag, items: unknown[]): unknown {
  const n = items.length;
  switch (tag.kind) {
    case TagKind.MAP: {
      if (n % 2 !== 1) malformed('map');
      const map = new Map<unknown, unknown>();
      for (let i = 1; i < n; i += 2) map.set(fromWire(items[i]), fromWire(items[i + 1]));
      return map;
    }
    case TagKind.SET: {
      const set = new Set<unknown>();
      for (let i = 1; i < n; i++) set.add(fromWire(items[i]));
      return set;
    }
    case TagKind.SPARSE:
      return sparse(items);
    case TagKind.TABLE:
      return table(items);
    case TagKind.ERROR:
      return error(items);
    case TagKind.OBJECT: {
      if (n % 2 !== 1) malformed('object');
      const record: Record<string, unknown> = {};
      for (let i = 1; i < n; i += 2) {
        const key = items[i];
        if (typeof key !== 'string') malformed('object key');
        Object.defineProperty(record, key, { value: fromWire(items[i + 1]), enumerable: true, writable: true, configurable: true });
      }
      return record;
    }
  }
}

function table(items: unknown[]): Array<Record<string, unknown>> {
  const count = items[1];
  const keys = items[2];
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || !Array.isArray(keys) || keys.length === 0 || items.length !== 3 + keys.length) malformed('table');
  let full = false;
  const columns: unknown[][] = [];
  for (let k = 0; k < keys.length; k++) {
    const key: unknown = keys[k];
    const column = items[3 + k];
    if (typeof key !== 'string' || key === '__proto__' || !Array.isArray(column) || (column.length !== 1 && column.length !== count)) malformed('table column');
    full ||= column.length === count;
    columns.push(fromWire(column) as unknown[]);
  }
  if (!full && count > TABLE_SHARED_ROWS) malformed('table: more rows than its columns hold');
  return rowsOf(keys as string[], columns, count);
}

function sparse(items: unknown[]): unknown[] {
  const length = items[1];
  if (typeof length !== 'number' || !Number.isInteger(length) || length < 0 || length > 2 ** 32 - 1 || items.length % 2 !== 0) malformed('sparse array');
  const out = new Array<unknown>(length);
  let last = -1;
  for (let i = 2; i < items.length; i += 2) {
    const index = items[i];
    if (typeof index !== 'number' || !Number.isInteger(index) || index <= last || index >= length) malformed('sparse array index');
    out[index] = fromWire(items[i + 1]);
    last = index;
  }
  return out;
}

function error(items: unknown[]): Error {
  const [, name, message, stack, hasCause, cause, props] = items;
  if (items.length !== 7 || typeof name !== 'string' || typeof message !== 'string' || (stack !== undefined && typeof stack !== 'string') || typeof hasCause !== 'boolean' || typeof props !== 'object' || props === null || Array.isArray(props)) {
    malformed('error');
  }
  const revived = new (ERRORS[name] ?? Error)(message, hasCause ? { cause: fromWire(cause) } : undefined);
  if (revived.name !== name) Object.defineProperty(revived, 'name', { value: name, configurable: true, writable: true });
  Object.defineProperty(revived, 'stack', { value: stack, configurable: true, writable: true });
  const own = fromWire(props) as Record<string, unknown>;
  for (const key of Object.keys(own)) Object.defineProperty(revived, key, { value: own[key], enumerable: true, configurable: true, writable: true });
  return revived;
}
