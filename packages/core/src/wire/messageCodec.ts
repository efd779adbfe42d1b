import type { ActorId } from './ids.js';
import { CHANNEL_BRAND, REF_BRAND, scan } from './cloneCheck.js';
import type { Encoded } from './protocol.js';
import { MultitaskError } from '../errors.js';

/** The property that marks an actor ref inside a message on the wire. */
const REF_TAG = '__multitask_ref__';
/** The property that marks a channel handle inside a message on the wire. */
export const CHANNEL_TAG = '__multitask_channel__';

/** A channel handle on the wire. @internal */
export interface WireChannel {
  readonly [CHANNEL_TAG]: string;
  readonly owner: string;
  readonly capacity: number;
}

/** What encoding and decoding need from the node: refs and channels. @internal */
export interface CodecHost {
  reviveRef(ref: RefLike): unknown;
  /** The wire form of a channel handle (a value branded as a channel). */
  channelWire(handle: object): WireChannel;
  makeChannel(wire: WireChannel): unknown;
}


/** What a ref needs to be rebuilt on the other side. @internal */
export interface RefLike {
  readonly id: ActorId;
  readonly name: string | undefined;
}

function isRef(value: object): value is RefLike {
  return (value as Record<symbol, unknown>)[REF_BRAND] === true;
}

function isChannel(value: object): boolean {
  return (value as Record<symbol, unknown>)[CHANNEL_BRAND] === true;
}

interface WireRef {
  readonly [REF_TAG]: ActorId;
  readonly name: string | undefined;
}

/**
 * Prepares a payload for the wire: checks it and replaces actor refs with their wire form.
 * Payloads without refs are returned as they are (no copy).
 * @param subject - what the value is, for a `NOT_SERIALIZABLE` message (see {@link scan})
 * @internal
 */
export function encode(value: unknown, host: CodecHost, subject?: () => string): { readonly value: unknown; readonly enc: Encoded } {
  return scan(value, '', subject) ? { value: replaceRefs(value, new Map(), host), enc: 1 } : { value, enc: 0 };
}

/**
 * What `value` becomes on the other side of a thread, without leaving this one: checked and
 * encoded as for the wire, copied by structured clone, its refs and channels revived. Class
 * instances arrive as plain objects, and the copy shares nothing with `value`.
 * @param subject - what the value is, for a `NOT_SERIALIZABLE` message (see {@link scan})
 * @throws MultitaskError `NOT_SERIALIZABLE`
 * @internal
 */
export function copyAcross(value: unknown, host: CodecHost, subject?: () => string): unknown {
  if (typeof value !== 'object' || value === null) return encode(value, host, subject).value; // a primitive is its own copy
  const wire = encode(value, host, subject);
  let copy: unknown;
  try {
    copy = structuredClone(wire.value);
  } catch (cause) {
    throw new MultitaskError('NOT_SERIALIZABLE', `${subject?.() ?? 'the value'} cannot be copied to another thread or process: ${errorText(cause)}`, { cause });
  }
  return decode(copy, wire.enc, host);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function replaceRefs(value: unknown, seen: Map<object, unknown>, host: CodecHost): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (isRef(value)) return { [REF_TAG]: value.id, name: value.name } satisfies WireRef;
  if (isChannel(value)) return host.channelWire(value);
  const known = seen.get(value);
  if (known !== undefined) return known;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    seen.set(value, out);
    for (const item of value) out.push(replaceRefs(item, seen, host));
    return out;
  }
  if (value instanceof Map) {
    const out = new Map<unknown, unknown>();
    seen.set(value, out);
    for (const [k, v] of value) out.set(replaceRefs(k, seen, host), replaceRefs(v, seen, host));
    return out;
  }
  if (value instanceof Set) {
    const out = new Set<unknown>();
    seen.set(value, out);
    for (const v of value) out.add(replaceRefs(v, seen, host));
    return out;
  }
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof Date || value instanceof RegExp || value instanceof Error) return value;
  // A plain object, or an instance of a class: structured clone would carry the instance as
  // a plain object of its own enumerable properties, so the copy is one, refs encoded.
  const out: Record<string, unknown> = {};
  seen.set(value, out);
  for (const key of Object.keys(value)) out[key] = replaceRefs((value as Record<string, unknown>)[key], seen, host);
  return out;
}

/**
 * Turns wire refs in a received payload back into live refs, in place.
 * @internal
 */
export function decode(value: unknown, enc: Encoded, host: CodecHost): unknown {
  return enc === 0 ? value : revive(value, host, new Set());
}

function revive(value: unknown, host: CodecHost, seen: Set<object>): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (REF_TAG in value) {
    const wire = value as WireRef;
    return host.reviveRef({ id: wire[REF_TAG], name: wire.name });
  }
  if (CHANNEL_TAG in value) return host.makeChannel(value as WireChannel);
  if (seen.has(value)) return value;
  seen.add(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = revive(value[i], host, seen);
  } else if (value instanceof Map) {
    const entries = [...value];
    value.clear();
    for (const [k, v] of entries) value.set(revive(k, host, seen), revive(v, host, seen));
  } else if (value instanceof Set) {
    const items = [...value];
    value.clear();
    for (const v of items) value.add(revive(v, host, seen));
  } else {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) record[key] = revive(record[key], host, seen);
  }
  return value;
}
