/**
 * Whether `JSON.stringify` then `JSON.parse` rebuilds a small frame exactly as structured
 * clone would: only strings, booleans, `null`, finite numbers other than `-0`, plain
 * objects without `undefined` values and arrays without holes or extra properties, none
 * of them reached twice (structured clone keeps shared references and cycles, JSON does
 * not). Anything else (`undefined` inside a payload, `Map`, `Set`, `Date`, typed arrays,
 * class instances, proxies, bigints, `NaN`, ...) is left to `v8.serialize`, and so are
 * large frames.
 * @internal
 * @packageDocumentation
 */
import { types } from 'node:util';

/**
 * Most values (items, nested values) in a frame sent as JSON. JSON wins on small frames,
 * where `v8.serialize` costs mostly its setup per call (~4 µs a frame, both ends, Node 20);
 * on a batch of a thousand tells it cost 3–4 times more CPU per message than v8's.
 */
const VALUE_BUDGET = 64;
/** Most string characters in a frame sent as JSON (v8 copies strings; JSON scans them for escapes). */
const TEXT_BUDGET = 16 * 1024;
const DEPTH_LIMIT = 16;

/** The objects met in the walk under way. */
const seen = new Set<object>();
let values = 0;
let text = 0;
/** A walk is under way (a getter it ran is posting a frame): the inner frame goes to v8. */
let walking = false;

/**
 * Whether a flat frame survives JSON exactly and is small enough for JSON to pay:
 * `undefined` if so, the indices of its top-level `undefined` items (its payloads without
 * a value) if every other item does, `false` if not.
 * @param frame - a frame as `FrameWriter` writes it
 * @internal
 */
export function jsonExactFrame(frame: readonly unknown[]): number[] | false | undefined {
  if (walking || frame.length > VALUE_BUDGET) return false;
  walking = true;
  values = VALUE_BUDGET;
  text = TEXT_BUDGET;
  let holes: number[] | undefined;
  let ok = true;
  try {
    for (let i = 0; i < frame.length && ok; i++) {
      const item = frame[i];
      if (item === undefined) (holes ??= []).push(i);
      else ok = exact(item, 0);
    }
  } catch {
    ok = false; // a getter that throws: structured clone will say so
  } finally {
    walking = false;
    if (seen.size > 0) seen.clear();
  }
  return ok ? holes : false;
}

function exact(value: unknown, depth: number): boolean {
  if (--values < 0) return false;
  switch (typeof value) {
    case 'string':
      return (text -= value.length) >= 0;
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value) && (value !== 0 || 1 / value > 0);
    case 'object':
      return value === null || exactObject(value, depth);
    default:
      return false;
  }
}

function exactObject(value: object, depth: number): boolean {
  // A proxy cannot be cloned (structured clone refuses it), though JSON would read it.
  if (depth >= DEPTH_LIMIT || seen.has(value) || types.isProxy(value)) return false;
  seen.add(value);
  if (Array.isArray(value)) {
    // Holes and extra properties (`index` on a RegExp match) show as a count of keys.
    if (Object.keys(value).length !== value.length) return false;
    for (let i = 0; i < value.length; i++) if (!exact(value[i], depth + 1)) return false;
    return true;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  const record = value as Record<string, unknown>;
  for (const key in record) if (!exact(record[key], depth + 1)) return false;
  return true;
}
