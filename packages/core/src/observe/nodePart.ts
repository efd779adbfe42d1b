import { nodeV8 } from '../lazyBuiltins.js';
import type { Runtime } from '../node/Runtime.js';
import type { ActorCell } from '../actor/ActorCell.js';
import { definitionKey } from '../actor/defineActor.js';
import { hostIdentity } from '../transport/hostIdentity.js';
import type { ActorId } from '../wire/ids.js';
import type { ActorStatus, ChannelSnapshot, HostSnapshot } from './snapshotTypes.js';

/**
 * One actor of a node's part, as it travels to the root: a flat tuple (100 000 actors a
 * second is the budget; a structured clone copies arrays of primitives fastest).
 * `[id, name, label, definition name, definition key, status, depth, capacity (-1:
 * unbounded), handled, parent on its node, children anywhere]`.
 * @internal
 */
export type ActorPart = [ActorId, string | undefined, string | undefined, string, string, ActorStatus, number, number, number, ActorId | undefined, ActorId[] | undefined];

/** What one node answers an `inspect` request with. @internal */
export interface NodePart {
  readonly host: Omit<HostSnapshot, 'kind' | 'responsive'>;
  readonly actors: ActorPart[];
  readonly channels: ChannelSnapshot[];
}

/** A node's part of the system's snapshot: its actors, the channels it owns, its memory. @internal */
export function nodePart(runtime: Runtime): NodePart {
  const cells = runtime.actors.all();
  const actors = new Array<ActorPart>(cells.length);
  for (let i = 0; i < cells.length; i++) actors[i] = actorPart(cells[i] as ActorCell);
  const heap = nodeV8().getHeapStatistics();
  const usage = process.resourceUsage();
  const { pid, threadId } = hostIdentity();
  const host = {
    node: runtime.node,
    pid,
    threadId,
    actors: cells.length,
    memory: { rss: process.memoryUsage.rss(), heapUsed: heap.used_heap_size, heapTotal: heap.total_heap_size, external: heap.external_memory, arrayBuffers: process.memoryUsage().arrayBuffers },
    cpu: { user: usage.userCPUTime, system: usage.systemCPUTime },
  };
  const channels = runtime.channels.describe().map((c) => ({ ...c, owner: runtime.node, capacity: Number.isFinite(c.capacity) ? c.capacity : null, received: c.sent - c.size }));
  return { host, actors, channels };
}

/** Each definition's key, made once: a snapshot reads it for every actor. */
const keys = new WeakMap<object, string>();

function keyOf(cell: ActorCell): string {
  const definition = cell.definition;
  let key = keys.get(definition);
  if (key === undefined) keys.set(definition, (key = definitionKey(definition)));
  return key;
}

function actorPart(cell: ActorCell): ActorPart {
  const family = cell.familyIfAny;
  const children = family === undefined || family.children.length === 0 ? undefined : family.children.map((ref) => ref.id);
  const capacity = cell.capacity;
  return [cell.id, cell.name, cell.label, cell.definitionName, keyOf(cell), cell.status, cell.depth, Number.isFinite(capacity) ? capacity : -1, cell.handled, cell.parent, children];
}
