/**
 * The control messages of a cluster: JSON on the control subjects, each checked field by
 * field before membership looks at it.
 * @internal
 * @packageDocumentation
 */
import { isSystemId, systemOf, type SystemId } from '../wire/ids.js';
import type { PeerInfo } from '../system/PeerSystems.js';

/**
 * A node announces itself (`hello`, answered by a `beat` from everyone there) and says it
 * is alive (`beat`), as incarnation `inc` of its system; it leaves (`bye`); it asks a
 * silent node whether it is there (`probe`); and it tells a node that incarnation `inc` of
 * it was declared down (`down`): that node stops what it ran for the others and comes back
 * as a new incarnation.
 * @internal
 */
export type Control =
  | { readonly v: 1; readonly kind: 'hello' | 'beat'; readonly info: PeerInfo; readonly inc: number }
  | { readonly v: 1; readonly kind: 'bye'; readonly system: SystemId; readonly inc?: number }
  | { readonly v: 1; readonly kind: 'probe'; readonly system: SystemId }
  | { readonly v: 1; readonly kind: 'down'; readonly system: SystemId; readonly inc: number; readonly by: string };

const MAX_SERVES = 10_000;

function isIncarnation(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function infoOf(value: unknown): PeerInfo | undefined {
  const info = value as Record<string, unknown> | undefined;
  if (typeof info !== 'object' || info === null || !isSystemId(info.system)) return undefined;
  if (typeof info.node !== 'string' || info.node.length === 0 || info.node.length > 256) return undefined;
  if (typeof info.root !== 'string' || systemOf(info.root) !== info.system) return undefined;
  if (!Array.isArray(info.serves) || info.serves.length > MAX_SERVES || !info.serves.every((key) => typeof key === 'string')) return undefined;
  return { system: info.system, node: info.node, root: info.root as PeerInfo['root'], serves: info.serves as string[] };
}

/** A control message, checked field by field; `undefined` for anything else. @internal */
export function parseControl(data: Uint8Array): Control | undefined {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(data));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const message = value as Record<string, unknown>;
  if (message.v !== 1) return undefined;
  switch (message.kind) {
    case 'bye':
      return isSystemId(message.system) && (message.inc === undefined || isIncarnation(message.inc)) ? (message as Control) : undefined;
    case 'probe':
      return isSystemId(message.system) ? (message as Control) : undefined;
    case 'down':
      return isSystemId(message.system) && isIncarnation(message.inc) && typeof message.by === 'string' && message.by.length <= 256 ? (message as Control) : undefined;
    case 'hello':
    case 'beat': {
      const info = infoOf(message.info);
      return info === undefined || !isIncarnation(message.inc) ? undefined : { v: 1, kind: message.kind, info, inc: message.inc };
    }
    default:
      return undefined;
  }
}
