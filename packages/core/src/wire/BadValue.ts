/**
 * A value of a frame from another machine that could not be read: it stands in for that
 * element so that the rest of the frame is still delivered and whoever waited on this one
 * can be told why.
 * @internal
 * @packageDocumentation
 */

/** Marks a frame that holds {@link BadValue}s (checked once per frame, not per envelope). @internal */
export const HAS_BAD_VALUES: unique symbol = Symbol('multitask.hasBadValues');

/** An element of a received frame that failed to decode. @internal */
export class BadValue {
  /** @param reason - why it could not be read, for the error that settles its envelope */
  constructor(readonly reason: string) {}
}

/** Whether a received frame holds values that could not be read. @internal */
export function hasBadValues(frame: unknown[]): boolean {
  return (frame as unknown as Record<symbol, unknown>)[HAS_BAD_VALUES] === true;
}

/** The first field of `envelope` that could not be read, if any. @internal */
export function badFieldOf(envelope: object): BadValue | undefined {
  for (const value of Object.values(envelope)) if (value instanceof BadValue) return value;
  return undefined;
}
