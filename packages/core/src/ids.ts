declare const brand: unique symbol;

/** A value of type `T` that the compiler keeps apart from other `T`s by its brand `B`. */
export type Branded<T, B extends string> = T & {
  /** Exists only for the compiler. */
  readonly [brand]: B;
};

/**
 * The system-wide identity of an actor: `"<node>.<sequence>"`, where the node is the
 * thread or process that hosts it.
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

/** @internal */
export function actorId(node: NodeId, seq: number): ActorId {
  return `${node}.${seq}` as ActorId;
}

/** @internal */
export function nodeOf(id: ActorId): NodeId {
  return Number.parseInt(id, 10) as NodeId;
}
