import type { Clock } from '../clock.js';
import type { MultitaskError } from '../errors.js';
import { matches, type ActorId, type CorrelationId, type NodeId, type NodePattern } from '../wire/ids.js';
import { armLimits, disarmed, type PendingLimits } from '../limits.js';

interface Pending {
  /** The node it waits on (a request passed on to where its actor moved waits on that node). */
  node: NodeId;
  /** The actor an `ask` or `send` went to: it may have moved since to another node. */
  readonly actor: ActorId | undefined;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  disarm: () => void;
}

/**
 * Requests this node is waiting on (asks, sends, spawns, stops), by correlation id. Each
 * one settles exactly once: by its answer, its timeout, its signal, or the death of the
 * node it waits on.
 * @internal
 */
export class PendingTable {
  readonly #entries = new Map<CorrelationId, Pending>();
  #next = 0;
  readonly #clock: Clock;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Opens a request to `node` (for `actor`, when it is one); returns its id and the promise its answer settles. */
  open(node: NodeId, limits: PendingLimits, actor?: ActorId): { readonly cid: CorrelationId; readonly promise: Promise<unknown> } {
    const cid = ++this.#next as CorrelationId;
    let entry!: Pending;
    const promise = new Promise<unknown>((resolve, reject) => {
      entry = { node, actor, resolve, reject, disarm: disarmed };
    });
    this.#entries.set(cid, entry);
    entry.disarm = armLimits(limits, limits.what, this.#clock, (error: MultitaskError) => {
      if (this.reject(cid, error)) limits.onAbandon?.();
    });
    return { cid, promise };
  }

  /** The request was passed on to `node` (its actor moved there): it waits on that node now. */
  retarget(cid: CorrelationId, node: NodeId): void {
    const entry = this.#entries.get(cid);
    if (entry !== undefined) entry.node = node;
  }

  /** Settles a request; false when nothing waits on `cid` now. */
  resolve(cid: CorrelationId, value: unknown): boolean {
    const entry = this.#take(cid);
    entry?.resolve(value);
    return entry !== undefined;
  }

  /** Rejects a request; false when nothing waits on `cid` now. */
  reject(cid: CorrelationId, error: unknown): boolean {
    const entry = this.#take(cid);
    entry?.reject(error);
    return entry !== undefined;
  }

  /** Rejects every request waiting on a node `pattern` names, or on one of `actors` (wherever it was sent). */
  rejectNode(pattern: NodePattern, error: Error, actors?: ReadonlySet<ActorId>): void {
    for (const [cid, entry] of this.#entries) {
      if (matches(pattern, entry.node) || (entry.actor !== undefined && actors?.has(entry.actor) === true)) this.reject(cid, error);
    }
  }

  /** Rejects everything still waiting. */
  rejectAll(error: Error): void {
    for (const cid of [...this.#entries.keys()]) this.reject(cid, error);
  }

  #take(cid: CorrelationId): Pending | undefined {
    const entry = this.#entries.get(cid);
    if (entry === undefined) return undefined;
    this.#entries.delete(cid);
    entry.disarm();
    return entry;
  }
}
