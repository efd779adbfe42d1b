import { MultitaskError } from '../errors.js';
import { describeActor } from '../actor/actorErrors.js';
import { matches, nodeOf, systemOf, type ActorId, type NodeId, type NodePattern } from '../wire/ids.js';
import type { FenceEnvelope, MailboxOptions, RequestEnvelope, TellEnvelope } from '../wire/protocol.js';

/**
 * How many actors gone for good a node remembers, with their errors (a pool starts and stops
 * actors for as long as it runs). A message for one gone longer ago fails with `ACTOR_STOPPED`.
 */
const REMEMBERED_GONE = 1024;

/** A message for an actor, as it travels (a fence follows the same ways). @internal */
export type ActorEnvelope = TellEnvelope | RequestEnvelope | FenceEnvelope;

/** Messages held for a supervised actor while it restarts. */
interface Held {
  readonly mailbox: MailboxOptions;
  /** What errors call the actor (its supervised path). */
  readonly label: string | undefined;
  readonly envelopes: ActorEnvelope[];
}

/** A change of way under way: messages for the actor wait here until the fence is through. */
interface Fence {
  /** Where the fence was sent (the old way); if that node goes down, nothing is left behind it. */
  readonly via: NodeId;
  /**
   * Where the fence ends: the node the actor moved to, which answers it (`via` passes it on
   * there). If that node goes down, the fence is lost with it, and so is what went before
   * it: nothing is left to wait for.
   */
  readonly end: NodeId;
  readonly waiting: ActorEnvelope[];
}

/** How parking moves envelopes: it decides where, its node sends. @internal */
export interface ParkingHost {
  /** Settles a message that cannot be delivered. */
  refuse(envelope: ActorEnvelope, error: Error): void;
  /** Sends a message to `node`, bypassing fences (they were checked). */
  forward(envelope: ActorEnvelope, node: NodeId): void;
  /** Whether traffic for `a` and for `b` leaves this node by the same link (then order holds by itself). */
  sameWay(a: NodeId, b: NodeId): boolean;
  /** Whether `node` is known to be gone. */
  isDown(node: NodeId): boolean;
  /** Actor `id`, held here, runs again on `node` (what else followed it here goes there too: its watches). */
  released(id: ActorId, node: NodeId): void;
}

/**
 * Where supervised actors are, for one node: those no longer on the node their id names
 * (restarted elsewhere, or held by their supervising node), the messages held here for those
 * being restarted, those gone for good (on the supervising node: what their messages fail
 * with), and the fences that keep each sender's order when the way to an actor changes.
 * @internal
 */
export class Parking {
  readonly #node: NodeId;
  readonly #moved = new Map<ActorId, NodeId>();
  /** The actors among them that run on another system than their ids name (see detour). */
  readonly #across = new Set<ActorId>();
  readonly #held = new Map<ActorId, Held>();
  readonly #fences = new Map<ActorId, Fence>();
  /** Actors gone for good (abandoned by their supervisor), with the error their messages fail with; oldest first. */
  readonly #gone = new Map<ActorId, Error>();
  readonly #host: ParkingHost;

  constructor(node: NodeId, host: ParkingHost) {
    this.#node = node;
    this.#host = host;
  }

  /** A message for an actor that is not on this node: held while it restarts, or passed on to where it moved; false if neither. */
  orphan(envelope: ActorEnvelope): boolean {
    if (this.park(envelope)) return true;
    return this.redirect(envelope, this.#node);
  }

  /**
   * Passes a message on to where its actor moved, unless that is `from` (where it was going),
   * or fails it with the error of an actor gone for good; false if neither.
   */
  redirect(envelope: ActorEnvelope, from: NodeId): boolean {
    const gone = this.#gone.get(envelope.to);
    if (gone !== undefined) {
      this.#host.refuse(envelope, gone);
      return true;
    }
    const node = this.#moved.get(envelope.to);
    if (node === undefined || node === from) return this.#home(envelope, from);
    if (!this.hold(envelope)) this.#host.forward(envelope, node);
    return true;
  }

  /**
   * A message for an actor of another system that is not where it was sent: it goes to the
   * node its id names, whose system supervises it and knows where it runs (or holds its
   * messages while it restarts); false when that is where it was going, or is gone.
   */
  #home(envelope: ActorEnvelope, from: NodeId): boolean {
    const home = nodeOf(envelope.to);
    if (home === from || systemOf(home) === systemOf(this.#node)) return false;
    if (this.#host.isDown(home)) {
      this.#host.refuse(envelope, new MultitaskError('NODE_DOWN', `${describeActor(envelope.to, undefined)} is not here, and the node that supervises it (${home}) is down`, { actor: envelope.to }));
      return true;
    }
    if (!this.hold(envelope)) this.#host.forward(envelope, home);
    return true;
  }

  /**
   * Sends a message straight to where its actor runs when that is on another system than
   * the node its id names (an actor a system supervises, placed on another): false when
   * it takes its usual way.
   */
  detour(envelope: ActorEnvelope): boolean {
    if (!this.crossing(envelope.to)) return false;
    const node = this.#moved.get(envelope.to);
    if (node === undefined || node === envelope.dst) return false;
    this.#host.forward(envelope, node);
    return true;
  }

  /**
   * Nodes went down (`pattern`): the actors of other systems known to run there are not
   * there any more; their messages go to the nodes their ids name again (whose systems
   * supervise them). Returns them.
   */
  awayOn(pattern: NodePattern): ActorId[] {
    const lost: ActorId[] = [];
    for (const id of this.#across) {
      const node = this.#moved.get(id);
      if (node !== undefined && matches(pattern, node)) lost.push(id);
    }
    for (const id of lost) this.#place(id, undefined);
    return lost;
  }

  /** Actor `id` now runs on `node` (back on the node its id names: nothing to remember). */
  moved(id: ActorId, node: NodeId): void {
    this.#place(id, node === nodeOf(id) ? undefined : node);
  }

  /** Actor `id` is away on `node` (`undefined`: back on the node its id names). */
  #place(id: ActorId, node: NodeId | undefined): void {
    if (node === undefined) this.#moved.delete(id);
    else this.#moved.set(id, node);
    if (node !== undefined && systemOf(node) !== systemOf(nodeOf(id))) this.#across.add(id);
    else if (this.#across.size > 0) this.#across.delete(id);
  }

  /** Whether messages for actor `id` take a detour: it runs on another system than its id names. */
  crossing(id: ActorId): boolean {
    return this.#across.size > 0 && this.#across.has(id);
  }

  /** Where actor `id` runs, when not on the node its id names. */
  whereIs(id: ActorId): NodeId | undefined {
    return this.#moved.get(id);
  }

  /** Every actor this node knows to be away from the node its id names, and where (for a new host). */
  relocations(): Array<[ActorId, NodeId]> {
    return [...this.#moved];
  }

  /**
   * Actor `id` now runs on `node`, as its supervising node says. When that changes the way
   * this node's messages to it take, a fence goes the old way first, and messages for it wait
   * here until the fence is through (`fenced`): none overtakes one sent before.
   * @returns the fence to send, if one is needed
   */
  relocate(id: ActorId, node: NodeId): FenceEnvelope | undefined {
    const before = this.#way(id);
    this.moved(id, node);
    if (node === this.#node) return undefined; // it runs here: nothing of this node's is on the way
    const after = this.#way(id);
    if (this.#fences.has(id) || before === undefined || after === undefined || before === after || this.#host.sameWay(before, after)) return undefined;
    this.#fences.set(id, { via: before, end: node, waiting: [] });
    return { kind: 'fence', dst: before, to: id, from: this.#node };
  }

  /** The node this node's messages to actor `id` go to now; `undefined` when there is none yet. */
  #way(id: ActorId): NodeId | undefined {
    const home = nodeOf(id);
    const moved = this.#moved.get(id);
    if (moved !== undefined && systemOf(moved) !== systemOf(home)) return moved; // straight there (see detour)
    if (home !== this.#node && !this.#host.isDown(home)) return home; // that node passes them on
    return moved;
  }

  /** Whether any fence is under way (messages to some actor wait here). */
  get fencing(): boolean {
    return this.#fences.size > 0;
  }

  /** Holds `envelope` back if a fence for its actor is under way; false if none is. */
  hold(envelope: ActorEnvelope): boolean {
    if (this.#fences.size === 0 || envelope.kind === 'fence') return false;
    const fence = this.#fences.get(envelope.to);
    if (fence === undefined) return false;
    fence.waiting.push(envelope);
    return true;
  }

  /** The fence for actor `id` is through (or cannot be): what waited for it goes its way now. */
  fenced(id: ActorId, node: NodeId | undefined): void {
    const fence = this.#fences.get(id);
    if (fence === undefined) return;
    this.#fences.delete(id);
    if (node !== undefined) this.moved(id, node);
    const where = this.#way(id) ?? nodeOf(id);
    for (const envelope of fence.waiting) this.#host.forward(envelope, where);
  }

  /** Nodes went down: fences sent through them, or to them, have nothing left behind them. */
  down(pattern: NodePattern): void {
    for (const [id, fence] of [...this.#fences]) if (matches(pattern, fence.via) || matches(pattern, fence.end)) this.fenced(id, undefined);
  }

  /** How many actors this node knows to be away from the node their id names. @internal */
  get away(): number {
    return this.#moved.size;
  }

  /** Holds `envelope` if its actor is being restarted (within its mailbox's capacity and policy); false if it is not. */
  park(envelope: ActorEnvelope): boolean {
    const held = this.#held.get(envelope.to);
    if (held === undefined) return false;
    if (envelope.kind !== 'fence') {
      const { capacity = Infinity, overflow = 'backpressure' } = held.mailbox;
      const messages = held.envelopes.filter((e) => e.kind !== 'fence').length;
      if (messages >= capacity && overflow !== 'backpressure') {
        const full = new MultitaskError('MAILBOX_FULL', `the mailbox of ${describeActor(envelope.to, held.label)} is full while it restarts (capacity ${capacity})`, { actor: envelope.to });
        if (overflow !== 'drop-oldest') {
          this.#host.refuse(envelope, full);
          return true;
        }
        const oldest = held.envelopes.findIndex((e) => e.kind !== 'fence');
        if (oldest >= 0) this.#host.refuse(held.envelopes.splice(oldest, 1)[0] as ActorEnvelope, full);
      }
    }
    held.envelopes.push(envelope);
    return true;
  }

  /** Actor `id` is down and may be restarted: hold its messages here until {@link Parking.release} or {@link Parking.abandon}. */
  holdFor(id: ActorId, mailbox: MailboxOptions, label?: string): void {
    if (!this.#held.has(id)) this.#held.set(id, { mailbox, label, envelopes: [] });
    if (nodeOf(id) !== this.#node) this.#place(id, this.#node);
  }

  /** Whether messages for actor `id` are held here (it is restarting). */
  isHeld(id: ActorId): boolean {
    return this.#held.has(id);
  }

  /** Actor `id` runs again, on `node`: what was held for it is passed on there. */
  release(id: ActorId, node: NodeId): void {
    const held = this.#held.get(id);
    this.#held.delete(id);
    this.#gone.delete(id); // a supervisor restarted with its children starts them again under their ids
    this.moved(id, node);
    for (const envelope of held?.envelopes ?? []) this.#host.forward(envelope, node);
    this.#host.released(id, node);
  }

  /**
   * Actor `id` is not coming back: what was held for it fails with `error`, and so do later
   * messages that reach this node (other nodes are to send them here). Returns the actor
   * forgotten to make room, if any: messages for it may go back to the node its id names.
   */
  abandon(id: ActorId, error: Error): ActorId | undefined {
    const held = this.#held.get(id);
    this.#held.delete(id);
    this.moved(id, this.#node);
    this.#gone.delete(id);
    this.#gone.set(id, error);
    for (const envelope of held?.envelopes ?? []) this.#host.refuse(envelope, error);
    if (this.#gone.size <= REMEMBERED_GONE) return undefined;
    const oldest = this.#gone.keys().next().value as ActorId;
    this.#gone.delete(oldest);
    if (this.#moved.get(oldest) === this.#node) this.#place(oldest, undefined);
    return oldest;
  }
}
