import { MultitaskError } from '../errors.js';
import type { ActorId } from '../ids.js';
import type { Encoded } from '../protocol.js';

/** The property that marks an actor ref inside a message on the wire. */
const REF_TAG = '__multitask_ref__';

/** Brand on actor refs, shared by every copy of the library. @internal */
export const REF_BRAND: unique symbol = Symbol.for('multitask.ActorRef') as never;

/** What a ref needs to be rebuilt on the other side. @internal */
export interface RefLike {
  readonly id: ActorId;
  readonly name: string | undefined;
}

interface WireRef {
  readonly [REF_TAG]: ActorId;
  readonly name: string | undefined;
}

const DEPTH_LIMIT = 64;

function isRef(value: object): value is RefLike {
  return (value as Record<symbol, unknown>)[REF_BRAND] === true;
}

function notSerializable(what: string, path: string): MultitaskError {
  return new MultitaskError('NOT_SERIALIZABLE', `${what} at ${path || 'the top level'} cannot be copied to another thread or process`);
}

/**
 * Checks that `value` survives structured clone and reports whether it holds actor refs.
 * Cheap for the common case: primitives return at once, small objects are one walk.
 * @throws MultitaskError `NOT_SERIALIZABLE`, naming the path of the culprit
 * @internal
 */
export function scan(value: unknown, path = '', depth = 0): boolean {
  switch (typeof value) {
    case 'function':
      throw notSerializable(`a function (${(value as { name?: string }).name || 'anonymous'})`, path);
    case 'symbol':
      throw notSerializable('a symbol', path);
    case 'object':
      break;
    default:
      return false;
  }
  if (value === null) return false;
  if (isRef(value)) return true;
  if (depth > DEPTH_LIMIT) return scanDeep(value, path);
  if (Array.isArray(value)) {
    let refs = false;
    for (let i = 0; i < value.length; i++) refs = scan(value[i], `${path}[${i}]`, depth + 1) || refs;
    return refs;
  }
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof Date || value instanceof RegExp) return false;
  if (value instanceof Map) {
    let refs = false;
    for (const [k, v] of value) refs = scan(k, `${path}<key>`, depth + 1) || scan(v, `${path}.get(${String(k)})`, depth + 1) || refs;
    return refs;
  }
  if (value instanceof Set) {
    let refs = false;
    for (const v of value) refs = scan(v, `${path}<item>`, depth + 1) || refs;
    return refs;
  }
  if (value instanceof Error) return false;
  if (value instanceof Promise || value instanceof WeakMap || value instanceof WeakSet || value instanceof WeakRef) {
    throw notSerializable(`a ${value.constructor.name}`, path);
  }
  let refs = false;
  for (const key of Object.keys(value)) {
    refs = scan((value as Record<string, unknown>)[key], path === '' ? key : `${path}.${key}`, depth + 1) || refs;
  }
  return refs;
}

/** Past the depth limit (deep or cyclic data) let structured clone itself decide. */
function scanDeep(value: object, path: string): boolean {
  try {
    structuredClone(value);
  } catch (error) {
    throw new MultitaskError('NOT_SERIALIZABLE', `the value at ${path} cannot be copied to another thread or process`, { cause: error });
  }
  return false;
}

/**
 * Prepares a payload for the wire: checks it and replaces actor refs with their wire form.
 * Payloads without refs are returned as they are (no copy).
 * @internal
 */
export function encode(value: unknown): { readonly value: unknown; readonly enc: Encoded } {
  return scan(value) ? { value: replaceRefs(value, new Map()), enc: 1 } : { value, enc: 0 };
}

function replaceRefs(value: unknown, seen: Map<object, unknown>): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (isRef(value)) return { [REF_TAG]: value.id, name: value.name } satisfies WireRef;
  const known = seen.get(value);
  if (known !== undefined) return known;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    seen.set(value, out);
    for (const item of value) out.push(replaceRefs(item, seen));
    return out;
  }
  if (value instanceof Map) {
    const out = new Map<unknown, unknown>();
    seen.set(value, out);
    for (const [k, v] of value) out.set(replaceRefs(k, seen), replaceRefs(v, seen));
    return out;
  }
  if (value instanceof Set) {
    const out = new Set<unknown>();
    seen.set(value, out);
    for (const v of value) out.add(replaceRefs(v, seen));
    return out;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) return value;
  const out: Record<string, unknown> = {};
  seen.set(value, out);
  for (const key of Object.keys(value)) out[key] = replaceRefs((value as Record<string, unknown>)[key], seen);
  return out;
}

/**
 * Turns wire refs in a received payload back into live refs, in place.
 * @internal
 */
export function decode(value: unknown, enc: Encoded, makeRef: (ref: RefLike) => unknown): unknown {
  return enc === 0 ? value : revive(value, makeRef, new Set());
}

function revive(value: unknown, makeRef: (ref: RefLike) => unknown, seen: Set<object>): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (REF_TAG in value) {
    const wire = value as WireRef;
    return makeRef({ id: wire[REF_TAG], name: wire.name });
  }
  if (seen.has(value)) return value;
  seen.add(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = revive(value[i], makeRef, seen);
  } else if (value instanceof Map) {
    for (const [k, v] of value) value.set(k, revive(v, makeRef, seen));
  } else if (value instanceof Set) {
    const items = [...value];
    value.clear();
    for (const v of items) value.add(revive(v, makeRef, seen));
  } else {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) record[key] = revive(record[key], makeRef, seen);
  }
  return value;
}
