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
 * The identity of an actor, unique beyond its system: `"<system>:<node>.<sequence>"`, where
 * the node is the thread or process that first hosted it (a supervised actor keeps its id
 * when it is restarted elsewhere; its sequence is marked `s`). An id routes by itself: a
 * ref made in one system and handed to another still reaches its actor.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#ActorId}
 */
export type ActorId = Branded<string, 'ActorId'>;

/**
 * The identity of an actor system, chosen when it is created (random unless given): part of
 * every address in it, so that addresses of different systems never collide.
 * @internal
 */
export type SystemId = Branded<string, 'SystemId'>;

/**
 * The address of one node (a thread or process running actors) beyond its system:
 * `"<system>:<index>"`. The system numbers its nodes; nothing outside the system layer
 * gives a number a meaning.
 * @internal
 */
export type NodeId = Branded<string, 'NodeId'>;

/**
 * Nodes a death or a route is about: one node, or every node of a system (`"<system>:*"`).
 * @internal
 */
export type NodePattern = NodeId | Branded<string, 'SystemPattern'>;

/**
 * Matches a request to its reply within one node.
 * @internal
 */
export type CorrelationId = Branded<number, 'CorrelationId'>;

const SYSTEM_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Whether `id` may name a system: 1 to 64 letters, digits, `_` or `-`. @internal */
export function isSystemId(id: unknown): id is SystemId {
  return typeof id === 'string' && SYSTEM_ID.test(id);
}

/** A fresh random system id (10 lowercase letters and digits, ~52 bits). @internal */
export function newSystemId(): SystemId {
  let id = '';
  for (let i = 0; i < 10; i++) id += Math.floor(Math.random() * 36).toString(36);
  return id as SystemId;
}

/** The address of node `index` of `system`. @internal */
export function nodeAddress(system: SystemId, index: number): NodeId {
  return `${system}:${index}` as NodeId;
}

/** The pattern that matches every node of `system`. @internal */
export function everyNodeOf(system: SystemId): NodePattern {
  return `${system}:*` as NodePattern;
}

/** The system a node (or an actor id, or a pattern) belongs to. @internal */
export function systemOf(node: string): SystemId {
  return node.slice(0, node.indexOf(':')) as SystemId;
}

/** Whether `node` is one of the nodes `pattern` names. @internal */
export function matches(pattern: NodePattern, node: NodeId): boolean {
  if (pattern === node) return true;
  const star = pattern.length - 1;
  return pattern.charCodeAt(star) === 42 /* '*' */ && node.length > star && node.startsWith(pattern.slice(0, star));
}

/**
 * The id of an actor; a supervised one is marked (`"a1:3.s1"`) so that senders keep its
 * tells until it acknowledges them. Made by a join, in one piece: a template or `+` makes
 * a string of two parts, which holds the number's own string too until something reads
 * it (20 bytes more per idle actor, whose ids nothing reads). @internal
 */
export function actorId(node: NodeId, seq: number, supervised = false): ActorId {
  return [node, supervised ? `s${seq}` : seq].join('.') as ActorId;
}

/** Whether an id was given to a supervised actor. @internal */
export function isSupervised(id: ActorId): boolean {
  return id.charCodeAt(id.lastIndexOf('.') + 1) === 115; // 's'
}

/**
 * The sequence number of an id `node` made (`"<node>.<seq>"`, `"<node>.s<seq>"`), else -1:
 * read in place, no string made (`nodeOf(id) === node` when it is not -1). @internal
 */
export function sequenceOf(id: string, node: NodeId): number {
  let at = node.length + 1;
  if (id.length <= at || id.charCodeAt(at - 1) !== 46 /* '.' */ || !id.startsWith(node)) return -1;
  if (id.charCodeAt(at) === 115 /* 's' */) at++;
  if (at === id.length) return -1;
  let seq = 0;
  for (; at < id.length; at++) {
    const digit = id.charCodeAt(at) - 48;
    if (digit < 0 || digit > 9) return -1;
    seq = seq * 10 + digit;
  }
  return seq;
}

/** Node addresses seen, so that every ref to an actor of a node shares one string (a ref's share of an idle actor's memory). */
const nodes = new Map<string, NodeId>();

/** The node an actor id names (where the actor first ran). @internal */
export function nodeOf(id: ActorId): NodeId {
  const node = id.slice(0, id.lastIndexOf('.'));
  const known = nodes.get(node);
  if (known !== undefined) return known;
  if (nodes.size < 4096) nodes.set(node, node as NodeId);
  return node as NodeId;
}
