/**
 * The limits on what a frame from another machine may hold.
 * @packageDocumentation
 */
import { MultitaskError } from '../errors.js';

/**
 * Limits on frames between machines, checked before anything is allocated for them: a frame
 * past one is dropped (`bad-frame`), and a payload past one is refused at the call with
 * `NOT_SERIALIZABLE`. Give them in `cluster.limits`.
 *
 * @example
 * ```ts
 * const limits: Partial<WireLimits> = { maxDepth: 32, maxStringBytes: 1 << 20 };
 * ```
 */
export interface WireLimits {
  /**
   * Most bytes in one frame (one NATS message). The server's own `max_payload` caps what is sent.
   * @defaultValue 8 MiB
   */
  readonly maxFrameBytes: number;
  /**
   * Deepest nesting of arrays, objects, maps, sets and errors, the frame itself counting as 1
   * (a payload may nest about 4 levels less).
   * @defaultValue 100
   */
  readonly maxDepth: number;
  /**
   * Most bytes (UTF-8) in one string, and in one binary value (typed array, `ArrayBuffer`).
   * @defaultValue 8 MiB
   */
  readonly maxStringBytes: number;
  /**
   * Most items in one array (or set).
   * @defaultValue 1048576
   */
  readonly maxArrayLength: number;
  /**
   * Most entries in one object (or map).
   * @defaultValue 1048576
   */
  readonly maxMapLength: number;
}

/** @internal */
export const DEFAULT_WIRE_LIMITS: WireLimits = {
  maxFrameBytes: 8 * 1024 * 1024,
  maxDepth: 100,
  maxStringBytes: 8 * 1024 * 1024,
  maxArrayLength: 1 << 20,
  maxMapLength: 1 << 20,
};

/**
 * The defaults with `given` over them, each checked.
 * @throws {@link MultitaskError} `INVALID_ARGUMENT` for a limit that is not a positive integer
 * @internal
 */
export function wireLimits(given: Partial<WireLimits> | undefined, what = 'cluster.limits'): WireLimits {
  if (given === undefined) return DEFAULT_WIRE_LIMITS;
  if (typeof given !== 'object' || given === null) throw new MultitaskError('INVALID_ARGUMENT', `${what} must be an object`);
  const limits: Record<string, number> = { ...DEFAULT_WIRE_LIMITS };
  for (const [key, value] of Object.entries(given)) {
    if (!(key in DEFAULT_WIRE_LIMITS)) throw new MultitaskError('INVALID_ARGUMENT', `${what}.${key} is not a limit (${Object.keys(DEFAULT_WIRE_LIMITS).join(', ')})`);
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) throw new MultitaskError('INVALID_ARGUMENT', `${what}.${key} must be a positive integer`);
    limits[key] = value;
  }
  if ((limits.maxDepth as number) < 8) throw new MultitaskError('INVALID_ARGUMENT', `${what}.maxDepth must be at least 8 (envelopes nest a few levels themselves)`);
  return limits as unknown as WireLimits;
}
