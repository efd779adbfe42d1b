/**
 * Where a pool's workers run when they span the nodes of a cluster: how many on each node,
 * which nodes a pool that follows membership takes in, and each node's measured round trip.
 * @packageDocumentation
 */
import { MultitaskError } from '../errors.js';

/**
 * The nodes a pool's workers run on (`createPool({ nodes })`):
 * - `{ a: 2, b: 4 }`: that many workers on each node, by its name (this node by its own);
 * - `['a', 'b']`: `size` workers on each of these nodes;
 * - `'serving'`: `size` workers on every node that serves the task set
 *   (`createSystem({ serve: [tasks] })`), this one included when it serves it too, and on
 *   each such node that joins later.
 *
 * @example
 * ```ts
 * const pool = createPool({ tasks, system, nodes: { a: 1, b: 2 } });
 * const everywhere = createPool({ tasks, system, nodes: 'serving', size: 2 });
 * ```
 */
export type PoolNodes = 'serving' | readonly string[] | Readonly<Record<string, number>>;

/**
 * One node of a pool, as {@link PoolMetrics} reports it.
 *
 * @example
 * ```ts
 * for (const node of pool.metrics().nodes) console.log(`${node.node}: ${node.workers} workers, ${node.completed} done, ${node.roundTrip.toFixed(2)} ms`);
 * ```
 */
export interface NodeMetrics {
  /** The node's name (`system.nodes()`). */
  readonly node: string;
  /** Its workers that take work now. */
  readonly workers: number;
  /** The workers the pool wants there (its share of `size`, or what `resize` set). */
  readonly wanted: number;
  /** Its tasks (or chunks) sent and not done. */
  readonly running: number;
  /** Its tasks (or chunks) done. */
  readonly completed: number;
  /** The round trip to its workers, in ms, as measured when they started (0 before any did). */
  readonly roundTrip: number;
}

/** What the pool's nodes need from the system. @internal */
export interface NodesHost {
  /** This node's name. */
  readonly self: string;
  /** The live nodes, this one first. */
  nodes(): readonly string[];
  /** Whether `node` serves the task set. */
  serves(node: string): boolean;
}

/**
 * How many workers the pool wants on each node, and the round trip to each.
 * @internal
 */
export class PoolTargets {
  readonly #host: NodesHost;
  readonly #wanted = new Map<string, number>();
  readonly #roundTrips = new Map<string, number>();
  /** `'serving'`: nodes that serve the set and join later get `size` workers. */
  readonly #follows: boolean;
  readonly #size: number;

  constructor(host: NodesHost, nodes: PoolNodes | undefined, size: number | undefined, defaultSize: number) {
    this.#host = host;
    this.#size = size ?? defaultSize;
    this.#follows = nodes === 'serving';
    if (nodes === undefined) this.#wanted.set(host.self, this.#size);
    else if (nodes === 'serving') {
      for (const node of host.nodes()) if (host.serves(node)) this.#wanted.set(node, this.#size);
    } else if (Array.isArray(nodes)) {
      for (const node of nodes as readonly string[]) this.#wanted.set(node, this.#size);
    } else {
      if (size !== undefined) throw new MultitaskError('INVALID_ARGUMENT', 'createPool: give options.size or a size per node in options.nodes, not both');
      for (const [node, count] of Object.entries(nodes as Record<string, number>)) this.#wanted.set(node, count);
    }
  }

  /** The workers wanted on each node. */
  entries(): Array<[node: string, count: number]> {
    return [...this.#wanted];
  }

  /** The workers wanted over all nodes. */
  get total(): number {
    let total = 0;
    for (const count of this.#wanted.values()) total += count;
    return total;
  }

  /** How many workers the pool wants on `node`. */
  wanted(node: string): number {
    return this.#wanted.get(node) ?? 0;
  }

  /** Sets the workers wanted on `node` (`resize`). */
  set(node: string, count: number): void {
    this.#wanted.set(node, count);
  }

  /** A node joined: a pool that follows membership takes it in when it serves the set. Returns whether it wants workers there. */
  joined(node: string): boolean {
    if (this.#follows && !this.#wanted.has(node) && this.#host.serves(node)) this.#wanted.set(node, this.#size);
    return this.wanted(node) > 0;
  }

  /** This node's name. */
  get self(): string {
    return this.#host.self;
  }

  /** Whether `node` is this one. */
  isSelf(node: string): boolean {
    return node === this.#host.self;
  }

  /** Whether `node` is up (joined, or this one). */
  isUp(node: string): boolean {
    return this.#host.nodes().includes(node);
  }

  /** The round trip to `node`'s workers in ms (0 for this node, and before one was measured). */
  roundTrip(node: string): number {
    return this.#roundTrips.get(node) ?? 0;
  }

  /** The round trip to a worker on `node` was measured: the lowest of recent ones stands. */
  measured(node: string, ms: number): void {
    const known = this.#roundTrips.get(node);
    this.#roundTrips.set(node, known === undefined ? ms : Math.min(ms, known * 0.75 + ms * 0.25));
  }

  /** The longest round trip to any node: chunks are sized so that it is small beside their run time. */
  get longest(): number {
    let longest = 0;
    for (const ms of this.#roundTrips.values()) longest = Math.max(longest, ms);
    return longest;
  }
}

/**
 * Checks `options.nodes`.
 * @throws {@link MultitaskError} `INVALID_ARGUMENT`
 * @internal
 */
export function checkNodes(nodes: unknown, hasSystem: boolean): void {
  if (nodes === undefined) return;
  if (!hasSystem) throw new MultitaskError('INVALID_ARGUMENT', 'createPool: options.nodes needs options.system, a system that joins a cluster (createSystem({ cluster }))');
  if (nodes === 'serving') return;
  if (Array.isArray(nodes)) {
    if (nodes.length === 0 || !nodes.every((node) => typeof node === 'string' && node.length > 0)) throw new MultitaskError('INVALID_ARGUMENT', 'createPool: options.nodes must name at least one node');
    return;
  }
  if (typeof nodes !== 'object' || nodes === null) throw new MultitaskError('INVALID_ARGUMENT', "createPool: options.nodes must be 'serving', an array of node names, or workers per node ({ a: 2, b: 4 })");
  const counts = Object.values(nodes);
  if (counts.length === 0 || !counts.every((count) => Number.isInteger(count) && (count as number) >= 0) || !counts.some((count) => (count as number) > 0)) {
    throw new MultitaskError('INVALID_ARGUMENT', 'createPool: options.nodes must give each node a whole number of workers, at least one in all');
  }
}
