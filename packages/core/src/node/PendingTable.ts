import type { Clock } from '../clock.js';
import { Deadlines, type Timed } from '../Deadlines.js';
import { MultitaskError } from '../errors.js';
import { describeActor } from '../actor/actorErrors.js';
import { matches, type ActorId, type CorrelationId, type NodeId, type NodePattern } from '../wire/ids.js';
import { abortError, disarmed, type PendingLimits } from '../limits.js';
import type { Letter, Replier } from '../actor/Mailbox.js';

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

/** What the errors of a request say of it (see {@link whatOf}). */
type Described = Pick<Pending, 'actor' | 'limits' | 'kind' | 'type' | 'name'> & { readonly node?: NodeId };

/** The resolving function {@link capture} took last. */
let captured: (value: unknown) => void = disarmed;

/**
 * A promise's executor that keeps its resolving function in {@link captured}: one function
 * for all promises, where an arrow function per promise was a closure and a context each.
 */
function capture(resolve: (value: unknown) => void): void {
  captured = resolve;
}

/**
 * An ask to an actor of this node, answered on this node (see {@link PendingTable.openHere}):
 * the letter in the actor's mailbox, and its own replier.
 * @internal
 */
export class HereAsk implements Timed, Replier, Letter, Described {
  declare readonly promise: Promise<unknown>;
  declare at: number;
  declare done: boolean;
  declare unlisten: () => void;
  declare private readonly table: PendingTable;
  /**
   * Settles the promise. Only the resolving function is kept (a function object is 64
   * bytes): an error settles it through a rejected promise.
   */
  declare private readonly settleWith: (value: unknown) => void;
  declare readonly actor: ActorId;
  declare readonly type: string;
  declare readonly payload: unknown;
  declare readonly name: string | undefined;
  declare readonly limits: PendingLimits;
  declare readonly trace: string | undefined;

  private constructor() {
    throw new Error('HereAsk.open makes them');
  }

  /**
   * A new ask, as an object literal with this class's prototype rather than by `new`: V8
   * allocates the objects of a literal that mostly outlive a young collection straight in
   * the old generation (pretenuring), where each instance of a class is copied by every
   * young collection it lives through. An ask waits as long as its actor takes to get to
   * it: in a tree of a million actors, until the whole tree is built.
   */
  static open(table: PendingTable, actor: ActorId, type: string, payload: unknown, name: string | undefined, limits: PendingLimits, trace: string | undefined): HereAsk {
    const promise = new Promise<unknown>(capture);
    return { __proto__: HereAsk.prototype, promise, at: 0, done: false, unlisten: disarmed, table, settleWith: captured, actor, type, payload, name, limits, trace } as unknown as HereAsk;
  }

  get kind(): string {
    return 'ask';
  }

  /** As a letter: its answer goes to itself. */
  get replier(): Replier {
    return this;
  }

  get accepted(): undefined {
    return undefined;
  }

  get refused(): undefined {
    return undefined;
  }

  resolve(value: unknown): void {
    if (this.table.settle(this)) this.settleWith(value);
  }

  reject(error: unknown): void {
    if (this.table.settle(this)) this.settleWith(Promise.reject(error));
  }
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
  /** Asks answered here that wait ({@link PendingTable.openHere}): not in the table. */
  #here = 0;
  /** The timeouts of every request here, on one clock timer. */
  readonly #deadlines: Deadlines<Pending | HereAsk>;

  constructor(clock: Clock) {
    this.#deadlines = new Deadlines(clock, (entry) => this.#expire(entry));
  }

  get size(): number {
    return this.#entries.size + this.#here;
  }

  /**
   * Opens an ask to `actor`, an actor of this node that answers it here: the ask is the
   * letter for the actor's mailbox and its own replier, and needs no entry in the table.
   * No answer comes over a link to be found by correlation id, and no node's death can leave
   * it waiting: the actor settles it (its handler's result, or its stop refusing what still
   * waits), else its timeout or its signal. An entry, its map slot, a replier and a letter
   * per ask were a fifth of the memory of a tree of a million asked actors.
   */
  openHere(limits: PendingLimits, actor: ActorId, type: string, payload: unknown, name: string | undefined, trace: string | undefined): HereAsk {
    const ask = HereAsk.open(this, actor, type, payload, name, limits, trace);
    this.#here++;
    this.#limit(ask, limits);
    return ask;
  }

  /** An ask answered here settles: false if it already had (then nothing changes). */
  settle(ask: HereAsk): boolean {
    if (ask.done) return false;
    ask.done = true;
    this.#here--;
    this.#done(ask);
    return true;
  }

  /** Opens a request to `node` (for `actor`, when it is one); returns its id and the promise its answer settles. */
  open(node: NodeId, limits: PendingLimits, actor?: ActorId, kind?: string, type?: string, name?: string): { readonly cid: CorrelationId; readonly promise: Promise<unknown> } {
    const cid = ++this.#next as CorrelationId;
    let entry!: Pending;
    const promise = new Promise<unknown>((resolve, reject) => {
      entry = { cid, node, actor, resolve, reject, limits, kind, type, name, unlisten: disarmed, at: 0, done: false };
    });
    this.#entries.set(cid, entry);
    this.#limit(entry, limits);
    return { cid, promise };
  }

  /** Arms a request's timeout and signal. */
  #limit(entry: Pending | HereAsk, limits: PendingLimits): void {
    const { timeout, signal } = limits;
    if (timeout !== undefined && Number.isFinite(timeout)) this.#deadlines.add(entry, timeout);
    if (signal !== undefined) {
      const onAbort = (): void => this.#abandon(entry, abortError(signal, whatOf(entry), entry.actor));
      signal.addEventListener('abort', onAbort, { once: true });
      entry.unlisten = () => signal.removeEventListener('abort', onAbort);
    }
  }

  /** A request's deadline passed: it times out (with its limits' code, `ASK_TIMEOUT` unless told). */
  #expire(entry: Pending | HereAsk): void {
    const { timeout, timeoutCode } = entry.limits;
    this.#abandon(entry, new MultitaskError(timeoutCode ?? 'ASK_TIMEOUT', `${whatOf(entry)} timed out after ${timeout} ms`, { actor: entry.actor }));
  }

  /** The caller gives up (timeout, abort). */
  #abandon(entry: Pending | HereAsk, error: MultitaskError): void {
    if (entry.done) return;
    if (entry instanceof HereAsk) entry.reject(error);
    else this.reject(entry.cid, error);
    entry.limits.onAbandon?.();
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
    this.#done(entry);
    return entry;
  }

  /** A request no longer waits: its signal and its deadline let go of it. */
  #done(entry: Pending | HereAsk): void {
    entry.unlisten();
    const { timeout } = entry.limits;
    if (this.#entries.size === 0 && this.#here === 0) this.#deadlines.clear(); // nothing waits: no timer keeps the program alive
    else if (timeout !== undefined && Number.isFinite(timeout)) this.#deadlines.drop(timeout);
  }
}

/** What a request's timeout and abort errors say it was waiting for. */
function whatOf(entry: Described): string {
  if (entry.limits.what !== undefined) return entry.limits.what;
  const to = entry.actor === undefined ? `node ${entry.node}` : describeActor(entry.actor, entry.name);
  return `${entry.kind ?? 'request'} '${entry.type ?? '?'}' to ${to}`;
}
