import { MultitaskError, type ErrorCode } from '../errors.js';

/**
 * An error as it crosses a thread or process boundary.
 * @internal
 */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
  readonly code: string | undefined;
  /** True when the original was a `MultitaskError`, so it is revived as one. */
  readonly multitask: boolean;
  readonly cause: SerializedError | { readonly value: unknown } | undefined;
  readonly props: Record<string, unknown>;
}

/** Why an actor went down (its `DownReason`), as it crosses a boundary. @internal */
export interface SerializedDown {
  readonly kind: 'stopped' | 'error' | 'exit' | 'signal' | 'out-of-memory' | 'timeout';
  readonly code: number | undefined;
  readonly signal: string | undefined;
  readonly error: SerializedError | undefined;
}

const builtins: Record<string, ErrorConstructor> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

const MAX_CAUSE_DEPTH = 8;

/**
 * Turns any thrown value into plain data that structured clone and JSON both carry.
 * @internal
 */
export function serializeError(error: unknown, depth = 0): SerializedError {
  if (!(error instanceof Error)) {
    return { name: 'Error', message: describe(error), stack: undefined, code: undefined, multitask: false, cause: undefined, props: {} };
  }
  const props: Record<string, unknown> = {};
  for (const key of Object.keys(error)) {
    if (key === 'code' || key === 'cause' || key === 'name' || key === 'message' || key === 'stack') continue;
    const value = (error as unknown as Record<string, unknown>)[key];
    if (isPlainData(value)) props[key] = value;
  }
  const rawCode = (error as { code?: unknown }).code;
  return {
    name: error.name,
    message: error.message,
    stack: error.stack,
    code: typeof rawCode === 'string' || typeof rawCode === 'number' ? String(rawCode) : undefined,
    multitask: error instanceof MultitaskError,
    cause: serializeCause(error, depth),
    props,
  };
}

function serializeCause(error: Error, depth: number): SerializedError['cause'] {
  if (!('cause' in error) || error.cause === undefined) return undefined;
  if (error.cause instanceof Error && depth < MAX_CAUSE_DEPTH) return serializeError(error.cause, depth + 1);
  return isPlainData(error.cause) ? { value: error.cause } : { value: describe(error.cause) };
}

/**
 * Rebuilds an error on the receiving side: the same name, message, code, stack, cause and
 * own properties. Built-in classes (TypeError, ...) and MultitaskError are restored.
 * @internal
 */
export function reviveError(data: SerializedError): Error {
  const cause = data.cause === undefined ? undefined : 'value' in data.cause ? data.cause.value : reviveError(data.cause);
  const options = cause === undefined ? undefined : { cause };
  const error = data.multitask
    ? new MultitaskError(data.code as ErrorCode, data.message, options)
    : new (builtins[data.name] ?? Error)(data.message, options);
  if (error.name !== data.name) Object.defineProperty(error, 'name', { value: data.name, configurable: true, writable: true });
  if (data.code !== undefined && !data.multitask) Object.assign(error, { code: data.code });
  Object.assign(error, data.props);
  if (data.stack !== undefined) Object.defineProperty(error, 'stack', { value: data.stack, configurable: true, writable: true });
  return error;
}

function isPlainData(value: unknown): boolean {
  if (value === null) return true;
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'bigint':
    case 'undefined':
      return true;
    case 'object':
      try {
        structuredClone(value);
        return true;
      } catch {
        return false;
      }
    default:
      return false;
  }
}

function describe(value: unknown): string {
  try {
    return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    return String(value);
  }
}
