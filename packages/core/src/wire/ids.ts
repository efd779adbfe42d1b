declare const brand: unique symbol;

/**
 * A value of type `T` that the compiler keeps apart from other `T`s by its brand `B`.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#Branded}
 */
export type Branded<T, B extends string> = T & {
  /** Exists only for the compiler. */
  readonly [brand]: B;
};

/**
 * The system-wide identity of an actor: `"<node>.<sequence>"`, where the node is the
 * thread or process that first hosted it (a supervised actor keeps its id when it is
 * restarted elsewhere; its sequence is marked `s`).
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#ActorId}
 */
export type ActorId = Branded<string, 'ActorId'>;

/**
 * The identity of one host in a system: 0 is the thread that created the system; each
 * thread or process it starts gets the next number.
 * @internal
 */
export type NodeId = Branded<number, 'NodeId'>;

/**
 * Matches a request to its reply within one node.
 * @internal
 */
export type CorrelationId = Branded<number, 'CorrelationId'>;

/** @internal */
export const MAIN_NODE = 0 as NodeId;

/** The id of an actor; a supervised one is marked (`"3.s1"`) so that senders keep its tells until it acknowledges them. @internal */
export function actorId(node: NodeId, seq: number, supervised = false): ActorId {
  return `${node}.${supervised ? 's' : ''}${seq}` as ActorId;
}

/** Whether an id was given to a supervised actor. @internal */
export function isSupervised(id: ActorId): boolean {
  return id.charCodeAt(id.indexOf('.') + 1) === 115; // 's'
}

/** @internal */
export function nodeOf(id: ActorId): NodeId {
  return Number.parseInt(id, 10) as NodeId;
}
