import { MultitaskError } from './errors.js';

/** Brand on actor refs, shared by every copy of the library. @internal */
export const REF_BRAND: unique symbol = Symbol.for('multitask.ActorRef') as never;

/** Brand on channel handles, shared by every copy of the library. @internal */
export const CHANNEL_BRAND: unique symbol = Symbol.for('multitask.Channel') as never;

/** Whether a value is an actor ref or a channel handle: it travels in a wire form. */
function isWired(value: object): boolean {
  const record = value as Record<symbol, unknown>;
  return record[REF_BRAND] === true || record[CHANNEL_BRAND] === true;
}

const DEPTH_LIMIT = 64;

function notSerializable(what: string, path: string): MultitaskError {
  return new MultitaskError('NOT_SERIALIZABLE', `${what} at ${path || 'the top level'} cannot be copied to another thread or process`);
}

/**
 * Checks that `value` survives structured clone and reports whether it holds actor refs or
 * channels (which travel in a wire form).
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
  if (isWired(value)) return true;
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

