/**
 * How a cluster-wide name is stored: its key in the KV bucket (an actor's name, or a node's)
 * and the JSON of its entry, read back field by field (anyone who may write the bucket could
 * write anything there).
 * @internal
 * @packageDocumentation
 */
import { isSystemId, type ActorId, type SystemId } from '../wire/ids.js';

/**
 * A name's entry: the actor it names (`null` while the actor starts, and always for a node's
 * name), its definition's key, and the incarnation of the system that holds it (its names are
 * freed when that is declared down).
 * @internal
 */
export interface StoredName {
  readonly v: 1;
  readonly id: ActorId | null;
  readonly key: string | null;
  readonly system: SystemId;
  readonly inc: number;
  /** The holder's node name, for people reading the bucket. */
  readonly node: string;
}

/** The longest name a cluster registers, in UTF-8 bytes (its key is a NATS subject token). @internal */
export const MAX_NAME_BYTES = 256;

const ID = /^[A-Za-z0-9_-]{1,64}:[0-9]+\.s?[0-9]+$/;

/** The bucket key of `name`: its UTF-8 bytes in base64url (KV keys are subject tokens). @internal */
export function keyOf(name: string): string {
  return Buffer.from(name, 'utf8').toString('base64url');
}

/** The name a bucket key stands for. @internal */
export function nameOf(key: string): string {
  return Buffer.from(key, 'base64url').toString('utf8');
}

/** Where node names sit in the bucket: `nodes.<base64url>` (a dot, which no actor name's key has). */
const NODE_KEYS = 'nodes.';

/** The bucket key of node name `node`, beside the actor names but never one of them. @internal */
export function nodeKeyOf(node: string): string {
  return NODE_KEYS + keyOf(node);
}

/** Whether a bucket key is a node name's (not an actor name's). @internal */
export function isNodeKey(key: string): boolean {
  return key.startsWith(NODE_KEYS);
}

/** The bytes of an entry. @internal */
export function encodeEntry(entry: StoredName): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(entry));
}

/** An entry read from the bucket, checked; `undefined` for anything else. @internal */
export function decodeEntry(bytes: Uint8Array): StoredName | undefined {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const entry = value as Record<string, unknown>;
  if (entry.v !== 1 || !isSystemId(entry.system) || typeof entry.node !== 'string') return undefined;
  if (!(entry.id === null || (typeof entry.id === 'string' && ID.test(entry.id)))) return undefined;
  if (!(entry.key === null || (typeof entry.key === 'string' && entry.key.length <= 1024))) return undefined;
  if (typeof entry.inc !== 'number' || !Number.isSafeInteger(entry.inc)) return undefined;
  return entry as unknown as StoredName;
}
