import { MultitaskError } from '../errors.js';
import { isAbortSignal } from '../limits.js';

/** The keys of `ask` and `send` options. */
const OPTION_KEYS: ReadonlySet<string> = new Set(['timeout', 'signal']);

/**
 * Whether a payload looks like the options of an `ask` or `send` given in its place (as
 * JavaScript lets `ask('get', { timeout: 5 })` through): a plain object whose own keys,
 * one at least, are all option keys.
 * @internal
 */
export function looksLikeOptions(payload: unknown): payload is Record<string, unknown> {
  if (typeof payload !== 'object' || payload === null) return false;
  const proto: unknown = Object.getPrototypeOf(payload);
  if (proto !== Object.prototype && proto !== null) return false;
  const keys = Object.keys(payload);
  return keys.length > 0 && keys.every((key) => OPTION_KEYS.has(key));
}

/** The `INVALID_ARGUMENT` error for options given in the place of a payload, saying how to write the call. */
function misplaced(call: 'ask' | 'send', type: string, payload: Record<string, unknown>, why: string): MultitaskError {
  const options = `{ ${Object.keys(payload).join(', ')} }`;
  return new MultitaskError(
    'INVALID_ARGUMENT',
    `${call}('${type}', ${options}): ${why}; options go third, after the payload: ${call}('${type}', undefined, ${options})`,
  );
}

/**
 * At the ref: a payload that looks like options and holds an `AbortSignal` can never be
 * sent (a signal cannot be copied), so it was meant as options, whatever the handler.
 * @internal
 */
export function signalAsPayload(call: 'ask' | 'send', type: string, payload: unknown, options: unknown): MultitaskError | undefined {
  if (options !== undefined || typeof payload !== 'object' || payload === null) return undefined; // the common case, at once
  if (!isAbortSignal((payload as { signal?: unknown }).signal) || !looksLikeOptions(payload)) return undefined;
  return misplaced(call, type, payload, 'an AbortSignal cannot be sent as a payload');
}

/**
 * At the receiving cell, which knows the handler: a handler that declares no payload
 * parameter (`handler.length < 2`) was sent a payload that looks like options.
 * @internal
 */
export function optionsAsPayload(call: 'ask' | 'send', type: string, handler: { readonly length: number } | undefined, payload: unknown): MultitaskError | undefined {
  if (handler === undefined || handler.length >= 2 || !looksLikeOptions(payload)) return undefined;
  return misplaced(call, type, payload, `message '${type}' takes no payload, and this one looks like ${call} options`);
}
