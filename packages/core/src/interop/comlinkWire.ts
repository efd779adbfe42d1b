/**
 * Comlink's wire protocol (comlink 4), as an actor exposed with `exposeActor` reads and
 * answers it: the requests a comlink client posts, one union discriminated on `type`, and
 * the values that travel in them. Comlink ships these shapes only as `const enum`s, which
 * isolated modules cannot use, so they are restated here.
 *
 * @internal
 * @packageDocumentation
 */
import type { TransferListItem } from 'node:worker_threads';
import { transferHandlers } from 'comlink';
import { MultitaskError } from '../index.js';

/** A value as comlink carries it: as is (`RAW`), or through one of its transfer handlers. */
export type WireValue =
  | { readonly type: 'RAW'; readonly value: unknown }
  | { readonly type: 'HANDLER'; readonly name: string; readonly value: unknown };

/** What every request carries: the id its reply repeats, and the property path it names. */
interface RequestBase {
  readonly id: string | undefined;
  readonly path: readonly string[];
}

/** A request from a comlink client, one per proxy operation. */
export type ComlinkRequest =
  | (RequestBase & { readonly type: 'GET' })
  | (RequestBase & { readonly type: 'SET'; readonly value: WireValue })
  | (RequestBase & { readonly type: 'APPLY'; readonly argumentList: readonly WireValue[] })
  | (RequestBase & { readonly type: 'CONSTRUCT'; readonly argumentList: readonly WireValue[] })
  | (RequestBase & { readonly type: 'ENDPOINT' })
  | (RequestBase & { readonly type: 'RELEASE' });

const TYPES: ReadonlySet<string> = new Set(['GET', 'SET', 'APPLY', 'CONSTRUCT', 'ENDPOINT', 'RELEASE']);

/**
 * The comlink request in a message's data, or `undefined` when the message is not one (an
 * endpoint may carry other traffic too). Missing paths and argument lists default to empty,
 * as comlink's own `expose` reads them.
 */
export function parseRequest(data: unknown): ComlinkRequest | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const raw = data as Record<string, unknown>;
  if (typeof raw.type !== 'string' || !TYPES.has(raw.type)) return undefined;
  const path = raw.path ?? [];
  if (!Array.isArray(path)) return undefined;
  const argumentList = raw.argumentList ?? [];
  if (!Array.isArray(argumentList)) return undefined;
  const id = typeof raw.id === 'string' ? raw.id : undefined;
  return { ...raw, type: raw.type, id, path: path.map(String), argumentList } as unknown as ComlinkRequest;
}

/**
 * The value a wire value stands for, decoded by comlink's transfer handlers when it came
 * through one (a `Comlink.proxy` callback, or a handler the application registered).
 * @throws MultitaskError `INVALID_ARGUMENT` for a handler this thread has not registered
 */
export function fromWire(wire: WireValue): unknown {
  if (wire.type === 'RAW') return wire.value;
  const handler = transferHandlers.get(wire.name);
  if (handler === undefined) throw new MultitaskError('INVALID_ARGUMENT', `no comlink transfer handler named '${wire.name}' is registered in this thread`);
  return handler.deserialize(wire.value);
}

/** A reply value on the wire, through the first transfer handler that takes it (as comlink's `expose` does), else as is. */
export function toWire(value: unknown): { readonly wire: WireValue; readonly transfer: TransferListItem[] } {
  for (const [name, handler] of transferHandlers) {
    if (name === 'throw' || !handler.canHandle(value)) continue;
    const [serialized, transfer] = handler.serialize(value);
    return { wire: { type: 'HANDLER', name, value: serialized }, transfer: transfer as unknown as TransferListItem[] };
  }
  return { wire: { type: 'RAW', value }, transfer: [] };
}

/**
 * A thrown value on the wire, in the shape comlink's client rethrows: an `Error` whose
 * `name`, `message` and `stack` are the original's, and whose `code`, `cause` and other own
 * properties are copied onto it too (the client assigns every field it is given; comlink's
 * own `expose` sends only the first three).
 */
export function thrownWire(error: unknown): WireValue {
  if (!(error instanceof Error)) return { type: 'HANDLER', name: 'throw', value: { isError: false, value: cloneable(error) ? error : String(error) } };
  const fields: Record<string, unknown> = {};
  for (const key of Object.keys(error)) {
    const value = (error as unknown as Record<string, unknown>)[key];
    if (cloneable(value)) fields[key] = value;
  }
  const { code, cause } = error as { code?: unknown; cause?: unknown };
  if (code !== undefined && cloneable(code)) fields.code = code;
  if (cause !== undefined && cloneable(cause)) fields.cause = cause;
  return { type: 'HANDLER', name: 'throw', value: { isError: true, value: { ...fields, name: error.name, message: error.message, stack: error.stack } } };
}

function cloneable(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return typeof value !== 'function' && typeof value !== 'symbol';
  try {
    structuredClone(value);
    return true;
  } catch {
    return false;
  }
}
