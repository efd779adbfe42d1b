import { nodeV8 } from '../lazyBuiltins.js';
import { columnsOf, rowsOf } from '../wire/columns.js';
import type { Encoded } from '../wire/protocol.js';

/**
 * Fewest items a packed run writes as columns when they are rows of one shape: v8 reads a
 * column of numbers many times faster than as many objects, and one of a value they all
 * share once (fewer rows: the rows as they are).
 */
const COLUMNS_MIN = 8;

/** A packed run of rows of one shape, as columns (see `columnsOf`). */
interface PackedColumns {
  readonly keys: string[];
  readonly values: unknown[][];
  readonly rows: number;
}

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
    const columns = items.length >= COLUMNS_MIN ? columnsOf(items) : undefined;
    const packed: readonly unknown[] | PackedColumns = columns === undefined ? items : { ...columns, rows: items.length };
    return { bytes: nodeV8().serialize(packed), count: items.length, enc };
  } catch {
    return undefined;
  }
}

/** The items of a packed run (still to be decoded with its `enc`): each a copy of its own. @internal */
export function unpackItems(bytes: Uint8Array): unknown[] {
  const packed = nodeV8().deserialize(bytes) as unknown[] | PackedColumns;
  return Array.isArray(packed) ? packed : rowsOf(packed.keys, packed.values, packed.rows);
}

/** How many items a segment holds. @internal */
export function segmentCount(segment: Segment): number {
  return 'bytes' in segment ? segment.count : segment.items.length;
}
