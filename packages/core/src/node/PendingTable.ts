import type { Clock } from '../clock.js';
import { Deadlines, type Timed } from '../Deadlines.js';
import { MultitaskError } from '../errors.js';
import { describeActor } from '../actor/actorErrors.js';
import { matches, type ActorId, type CorrelationId, type NodeId, type NodePattern } from '../wire/ids.js';
import { abortError, disarmed, type PendingLimits } from '../limits.js';

interface Pending extends Timed {
  readonly cid: CorrelationId;
  /** The node it waits on (a request passed on to where its actor moved waits on that node). */
  node: NodeId;
  /** The actor an `ask` or `send` went to: it may have moved since to another node. */
  readonly actor: ActorId | undefined;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  /** Its limits: the timeout and what the errors say. */
  readonly limits: PendingLimits;
  /** For a request to an actor: its kind and message type (what errors say, written when needed). */
  readonly kind: string | undefined;
  readonly type: string | undefined;
  /** The actor's name, when its ref has one. */
  readonly name: string | undefined;
  /** Stops listening to its signal, if it has one. */
  unlisten: () => void;
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
  /** The timeouts of every request here, on one clock timer. */
  readonly #deadlines: Deadlines<Pending>;

  constructor(clock: Clock) {
    this.#deadlines = new Deadlines(clock, (entry) => this.#expire(entry));
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Opens a request to `node` (for `actor`, when it is one); returns its id and the promise its answer settles. */
  open(node: NodeId, limits: PendingLimits, actor?: ActorId, kind?: string, type?: string, name?: string): { readonly cid: CorrelationId; readonly promise: Promise<unknown> } {
    const cid = ++this.#next as CorrelationId;
    let entry!: Pending;
    const promise = new Promise<unknown>((resolve, reject) => {
      entry = { cid, node, actor, resolve, reject, limits, kind, type, name, unlisten: disarmed, at: 0, done: false };
    });
    this.#entries.set(cid, entry);
    const { timeout, signal } = limits;
    if (timeout !== undefined && Number.isFinite(timeout)) this.#deadlines.add(entry, timeout);
    if (signal !== undefined) {
      const onAbort = (): void => this.#abandon(entry, abortError(signal, whatOf(entry), entry.actor));
      signal.addEventListener('abort', onAbort, { once: true });
      entry.unlisten = () => signal.removeEventListener('abort', onAbort);
    }
    return { cid, promise };
  }

  /** A request's deadline passed: it times out (with its limits' code, `ASK_TIMEOUT` unless told). */
  #expire(entry: Pending): void {
    const { timeout, timeoutCode } = entry.limits;
    this.#abandon(entry, new MultitaskError(timeoutCode ?? 'ASK_TIMEOUT', `${whatOf(entry)} timed out after ${timeout} ms`, { actor: entry.actor }));
  }

  /** The caller gives up (timeout, abort). */
  #abandon(entry: Pending, error: MultitaskError): void {
    if (this.reject(entry.cid, error)) entry.limits.onAbandon?.();
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
    entry.done = true;
    entry.unlisten();
    const { timeout } = entry.limits;
    if (this.#entries.size === 0) this.#deadlines.clear(); // nothing waits: no timer keeps the program alive
    else if (timeout !== undefined && Number.isFinite(timeout)) this.#deadlines.drop(timeout);
    return entry;
  }
}

/** What a request's timeout and abort errors say it was waiting for. */
function whatOf(entry: Pending): string {
  if (entry.limits.what !== undefined) return entry.limits.what;
  const to = entry.actor === undefined ? `node ${entry.node}` : describeActor(entry.actor, entry.name);
  return `${entry.kind ?? 'request'} '${entry.type ?? '?'}' to ${to}`;
}
