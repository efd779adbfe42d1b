import { deserialize, serialize } from 'node:v8';
import type { Encoded } from '../wire/protocol.js';

/**
 * Items a producer on another node sent together, still serialized as they left it. The
 * owner stores and passes them on without reading them (no clone on the owner's thread);
 * only the node that receives them deserializes. `enc` says whether they hold refs or
 * channel handles to revive.
 * @internal
 */
export class Packed {
  constructor(
    readonly bytes: Uint8Array,
    readonly count: number,
    readonly enc: Encoded,
  ) {}
}

/** A packed run of items on the wire. @internal */
export interface PackedWire {
  readonly bytes: Uint8Array;
  readonly count: number;
  readonly enc: Encoded;
}

/** A run of items in a batch for a receiving node: packed as the producer sent them, or plain. @internal */
export type Segment = PackedWire | { readonly items: unknown[] };

/** What one batch receive takes from the owner: its segments, and how many items they hold. @internal */
export interface Batch {
  readonly segments: Segment[];
  readonly count: number;
}

/** Serializes a producer's burst of (already encoded) items; `undefined` when one of them only travels by `postMessage`. @internal */
export function packItems(items: readonly unknown[], enc: Encoded): PackedWire | undefined {
  try {
    return { bytes: serialize(items), count: items.length, enc };
  } catch {
    return undefined;
  }
}

/** The items of a packed run (still to be decoded with its `enc`). @internal */
export function unpackItems(bytes: Uint8Array): unknown[] {
  return deserialize(bytes) as unknown[];
}

/** How many items a segment holds. @internal */
export function segmentCount(segment: Segment): number {
  return 'bytes' in segment ? segment.count : segment.items.length;
}
