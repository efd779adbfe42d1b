import type { Clock, TimerHandle } from '../clock.js';
import { MultitaskError } from '../errors.js';
import type { CorrelationId, NodeId } from '../ids.js';

interface Pending {
  readonly node: NodeId;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  timer: TimerHandle | undefined;
  cleanup: (() => void) | undefined;
}

/** Limits of one pending request. @internal */
export interface PendingLimits {
  /** Milliseconds until it rejects with `timeoutCode`; `undefined` or `Infinity`: never. */
  readonly timeout?: number | undefined;
  readonly signal?: AbortSignal | undefined;
  /** What the timeout error says it was waiting for. */
  readonly what: string;
  /** Called when the caller gives up (timeout or abort), with the request's id. */
  readonly onAbandon?: ((cid: CorrelationId) => void) | undefined;
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

  /** Opens a request to `node`; returns its id and the promise its answer settles. */
  open(node: NodeId, limits: PendingLimits): { readonly cid: CorrelationId; readonly promise: Promise<unknown> } {
    const cid = ++this.#next as CorrelationId;
    let entry!: Pending;
    const promise = new Promise<unknown>((resolve, reject) => {
      entry = { node, resolve, reject, timer: undefined, cleanup: undefined };
    });
    this.#entries.set(cid, entry);
    const { timeout, signal, what, onAbandon } = limits;
    const abandon = (error: MultitaskError): void => {
      if (this.reject(cid, error)) onAbandon?.(cid);
    };
    if (timeout !== undefined && Number.isFinite(timeout)) {
      entry.timer = this.#clock.setTimeout(() => abandon(new MultitaskError('ASK_TIMEOUT', `${what} got no reply within ${timeout} ms`)), timeout);
    }
    if (signal !== undefined) {
      const onAbort = (): void => abandon(abortError(signal, what));
      signal.addEventListener('abort', onAbort, { once: true });
      entry.cleanup = () => signal.removeEventListener('abort', onAbort);
    }
    return { cid, promise };
  }

  /** Settles a request; false when nothing waits on `cid` (any more). */
  resolve(cid: CorrelationId, value: unknown): boolean {
    const entry = this.#take(cid);
    entry?.resolve(value);
    return entry !== undefined;
  }

  /** Rejects a request; false when nothing waits on `cid` (any more). */
  reject(cid: CorrelationId, error: unknown): boolean {
    const entry = this.#take(cid);
    entry?.reject(error);
    return entry !== undefined;
  }

  /** Rejects every request waiting on `node`. */
  rejectNode(node: NodeId, error: Error): void {
    for (const [cid, entry] of this.#entries) if (entry.node === node) this.reject(cid, error);
  }

  /** Rejects everything still waiting. */
  rejectAll(error: Error): void {
    for (const cid of [...this.#entries.keys()]) this.reject(cid, error);
  }

  #take(cid: CorrelationId): Pending | undefined {
    const entry = this.#entries.get(cid);
    if (entry === undefined) return undefined;
    this.#entries.delete(cid);
    if (entry.timer !== undefined) this.#clock.clearTimeout(entry.timer);
    entry.cleanup?.();
    return entry;
  }
}

/** The `ABORTED` error for a signal, with the signal's reason as its cause. @internal */
export function abortError(signal: AbortSignal, what: string): MultitaskError {
  return new MultitaskError('ABORTED', `${what} was aborted`, { cause: signal.reason });
}
