import { MultitaskError } from '../errors.js';
import { nodeOf, type ActorId, type NodeId } from '../wire/ids.js';
import type { MailboxOptions, RequestEnvelope, TellEnvelope } from '../wire/protocol.js';

/** A message for an actor, as it travels. @internal */
export type ActorEnvelope = TellEnvelope | RequestEnvelope;

/** Messages held for a supervised actor while it restarts. */
interface Held {
  readonly mailbox: MailboxOptions;
  readonly envelopes: ActorEnvelope[];
}

/**
 * Where supervised actors are, for one node: those no longer on the node their id names
 * (restarted elsewhere, or held on the main thread), and, on the main thread, the messages
 * held for those being restarted.
 * @internal
 */
export class Parking {
  readonly #node: NodeId;
  readonly #moved = new Map<ActorId, NodeId>();
  readonly #held = new Map<ActorId, Held>();
  /** Settles a message that cannot be delivered. */
  readonly #refuse: (envelope: ActorEnvelope, error: Error) => void;
  /** Sends a message on to the node its actor is on now. */
  readonly #forward: (envelope: ActorEnvelope, node: NodeId) => void;

  constructor(node: NodeId, refuse: (envelope: ActorEnvelope, error: Error) => void, forward: (envelope: ActorEnvelope, node: NodeId) => void) {
    this.#node = node;
    this.#refuse = refuse;
    this.#forward = forward;
  }

  /** A message for an actor that is not on this node: held while it restarts, or passed on to where it moved; false if neither. */
  orphan(envelope: ActorEnvelope): boolean {
    if (this.park(envelope)) return true;
    return this.redirect(envelope, this.#node);
  }

  /** Passes a message on to where its actor moved, unless that is `from` (where it was going); false if it did not move. */
  redirect(envelope: ActorEnvelope, from: NodeId): boolean {
    const node = this.#moved.get(envelope.to);
    if (node === undefined || node === from) return false;
    this.#forward(envelope, node);
    return true;
  }

  /** Actor `id` now runs on `node` (back on the node its id names: nothing to remember). */
  moved(id: ActorId, node: NodeId): void {
    if (node === nodeOf(id)) this.#moved.delete(id);
    else this.#moved.set(id, node);
  }

  /** How many actors this node knows to be away from the node their id names. @internal */
  get away(): number {
    return this.#moved.size;
  }

  /** Holds `envelope` if its actor is being restarted (within its mailbox's capacity and policy); false if it is not. */
  park(envelope: ActorEnvelope): boolean {
    const held = this.#held.get(envelope.to);
    if (held === undefined) return false;
    const { capacity = Infinity, overflow = 'backpressure' } = held.mailbox;
    if (held.envelopes.length >= capacity && overflow !== 'backpressure') {
      const full = new MultitaskError('MAILBOX_FULL', `the mailbox of actor ${envelope.to} is full while it restarts (capacity ${capacity})`);
      if (overflow !== 'drop-oldest') {
        this.#refuse(envelope, full);
        return true;
      }
      const oldest = held.envelopes.shift();
      if (oldest !== undefined) this.#refuse(oldest, full);
    }
    held.envelopes.push(envelope);
    return true;
  }

  /** Actor `id` is down and may be restarted: hold its messages here until {@link Parking.release} or {@link Parking.abandon}. */
  hold(id: ActorId, mailbox: MailboxOptions): void {
    if (!this.#held.has(id)) this.#held.set(id, { mailbox, envelopes: [] });
    if (nodeOf(id) !== this.#node) this.#moved.set(id, this.#node);
  }

  /** Actor `id` runs again, on `node`: what was held for it is passed on there. */
  release(id: ActorId, node: NodeId): void {
    const held = this.#held.get(id);
    this.#held.delete(id);
    this.moved(id, node);
    for (const envelope of held?.envelopes ?? []) this.#forward(envelope, node);
  }

  /** Actor `id` is not coming back: what was held for it fails with `error`; later messages go to `lastNode` (gone) to fail there. */
  abandon(id: ActorId, error: Error, lastNode: NodeId): void {
    const held = this.#held.get(id);
    this.#held.delete(id);
    if (lastNode !== this.#node) this.moved(id, lastNode);
    for (const envelope of held?.envelopes ?? []) this.#refuse(envelope, error);
  }
}
