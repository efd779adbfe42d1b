import { MultitaskError } from '../errors.js';

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

function notSerializable(what: string, path: string, subject: string | undefined, cause?: unknown): MultitaskError {
  const where = `${what} at ${path || 'the top level'}`;
  const options = cause === undefined ? undefined : { cause };
  if (subject === undefined) return new MultitaskError('NOT_SERIALIZABLE', `${where} cannot be copied to another thread or process`, options);
  return new MultitaskError('NOT_SERIALIZABLE', `${subject} cannot be copied to another thread or process: ${where}`, options);
}

/**
 * What cannot be copied, and the path to it, built on the way out: the walk itself makes
 * no strings (a path per element made scanning a million-item array allocation-bound).
 */
class Culprit {
  readonly segments: string[] = [];
  constructor(
    readonly what: string,
    readonly cause?: unknown,
  ) {}
}

/** Rethrows a culprit found below `segment`, with the segment added to its path. */
function below(error: unknown, segment: string): never {
  if (error instanceof Culprit) error.segments.push(segment);
  throw error;
}

/**
 * Checks that `value` survives structured clone and reports whether it holds actor refs or
 * channels (which travel in a wire form).
 * Cheap for the common case: primitives return at once, small objects are one walk.
 * @param path - where the value sits, put before the culprit's path (`'args'`)
 * @param subject - what the value is, for the message (`the reply of actor Probe (…) to 'get'`),
 * asked for only when the check fails
 * @throws MultitaskError `NOT_SERIALIZABLE`, naming the path of the culprit
 * @internal
 */
export function scan(value: unknown, path = '', subject?: () => string): boolean {
  try {
    return walk(value, 0);
  } catch (error) {
    if (!(error instanceof Culprit)) throw error;
    const where = path + error.segments.reverse().join('');
    if (error.cause !== undefined) throw notSerializable('the value', where, subject?.(), error.cause);
    throw notSerializable(error.what, where.startsWith('.') ? where.slice(1) : where, subject?.());
  }
}

function walk(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'function':
      throw new Culprit(`a function (${(value as { name?: string }).name || 'anonymous'})`);
    case 'symbol':
      throw new Culprit('a symbol');
    case 'object':
      break;
    default:
      return false;
  }
  if (value === null) return false;
  if (Object.getPrototypeOf(value) === Object.prototype) return walkPlain(value as Record<string, unknown>, depth);
  if (isWired(value)) return true;
  if (depth > DEPTH_LIMIT) return walkDeep(value);
  if (Array.isArray(value)) {
    let refs = false;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item !== 'object' && typeof item !== 'function' && typeof item !== 'symbol') continue;
      try {
        refs = walk(item, depth + 1) || refs;
      } catch (error) {
        below(error, `[${i}]`);
      }
    }
    return refs;
  }
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof Date || value instanceof RegExp) return false;
  if (value instanceof Map) {
    let refs = false;
    for (const [k, v] of value) {
      try {
        refs = walk(k, depth + 1) || refs;
      } catch (error) {
        below(error, '<key>');
      }
      try {
        refs = walk(v, depth + 1) || refs;
      } catch (error) {
        below(error, `.get(${String(k)})`);
      }
    }
    return refs;
  }
  if (value instanceof Set) {
    let refs = false;
    for (const v of value) {
      try {
        refs = walk(v, depth + 1) || refs;
      } catch (error) {
        below(error, '<item>');
      }
    }
    return refs;
  }
  if (value instanceof Error) return false;
  if (value instanceof Promise || value instanceof WeakMap || value instanceof WeakSet || value instanceof WeakRef) {
    throw new Culprit(`a ${value.constructor.name}`);
  }
  let refs = false;
  for (const key of Object.keys(value)) {
    try {
      refs = walk((value as Record<string, unknown>)[key], depth + 1) || refs;
    } catch (error) {
      below(error, `.${key}`);
    }
  }
  return refs;
}

/**
 * A plain object, the common message: neither a ref nor a channel (their brands sit on
 * their classes' prototypes) nor any of the built-ins, so only its values need a look.
 */
function walkPlain(value: Record<string, unknown>, depth: number): boolean {
  if (depth > DEPTH_LIMIT) return walkDeep(value);
  let refs = false;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const item = value[key];
    if (typeof item !== 'object' && typeof item !== 'function' && typeof item !== 'symbol') continue;
    try {
      refs = walk(item, depth + 1) || refs;
    } catch (error) {
      below(error, `.${key}`);
    }
  }
  return refs;
}

/** Past the depth limit (deep or cyclic data) let structured clone itself decide. */
function walkDeep(value: object): boolean {
  try {
    structuredClone(value);
  } catch (error) {
    throw new Culprit('the value', error);
  }
  return false;
}

