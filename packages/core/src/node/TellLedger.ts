import { Fifo } from '../Fifo.js';
import { microtask } from '../microtask.js';
import type { ActorId, NodeId } from '../wire/ids.js';
import type { AckEnvelope } from '../wire/protocol.js';

/** A tell, as its sender keeps it. */
interface Kept {
  readonly type: string;
  readonly payload: unknown;
}

/**
 * Tells to supervised actors, from both ends. As sender: each tell is kept, oldest first,
 * until the actor acknowledges it, so that when the actor's host dies first they are
 * reported as dead letters, not lost silently. As receiver: acknowledgements, counted per
 * sender and actor and sent once per microtask.
 * @internal
 */
export class TellLedger {
  readonly #node: NodeId;
  readonly #send: (ack: AckEnvelope) => void;
  readonly #deadLetter: (to: ActorId, letter: Kept, error: Error) => void;
  readonly #kept = new Map<ActorId, Fifo<Kept>>();
  readonly #acks = new Map<NodeId, Map<ActorId, number>>();

  constructor(node: NodeId, send: (ack: AckEnvelope) => void, deadLetter: (to: ActorId, letter: Kept, error: Error) => void) {
    this.#node = node;
    this.#send = send;
    this.#deadLetter = deadLetter;
  }

  /** Sender: a tell to `to` left this node. */
  keep(to: ActorId, type: string, payload: unknown): void {
    let kept = this.#kept.get(to);
    if (kept === undefined) this.#kept.set(to, (kept = new Fifo()));
    kept.push({ type, payload });
  }

  /** Sender: `count` more tells to `actor` were handled or reported. */
  acked(actor: ActorId, count: number): void {
    const kept = this.#kept.get(actor);
    if (kept === undefined) return;
    for (let i = 0; i < count; i++) kept.shift();
    if (kept.size === 0) this.#kept.delete(actor);
  }

  /** Sender: the host of `actor` died; what it had not acknowledged is a dead letter. */
  lost(actor: ActorId, error: Error): void {
    const kept = this.#kept.get(actor);
    this.#kept.delete(actor);
    for (const letter of kept?.drain() ?? []) this.#deadLetter(actor, letter, error);
  }

  /** Sender: the actors `where` picks are gone (a whole system went down); what they had not acknowledged is a dead letter. */
  lostWhere(where: (actor: ActorId) => boolean, error: Error): void {
    for (const actor of [...this.#kept.keys()]) if (where(actor)) this.lost(actor, error);
  }

  /** Receiver: a tell from `from` to `actor` was handled or reported here; acknowledge it (batched). */
  handled(actor: ActorId, from: NodeId): void {
    if (from === this.#node) return this.acked(actor, 1);
    if (this.#acks.size === 0) microtask(this.flush);
    let counts = this.#acks.get(from);
    if (counts === undefined) this.#acks.set(from, (counts = new Map()));
    counts.set(actor, (counts.get(actor) ?? 0) + 1);
  }

  /** Receiver: sends the acknowledgements gathered so far (at the end of the microtask checkpoint, or when the node ends). */
  readonly flush = (): void => {
    for (const [dst, counts] of this.#acks) for (const [actor, count] of counts) this.#send({ kind: 'ack', dst, actor, count });
    this.#acks.clear();
  };
}
