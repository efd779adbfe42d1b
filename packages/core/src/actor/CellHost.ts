import type { ActorId, NodeId } from '../wire/ids.js';
import type { ActorRef } from './ActorRef.js';
import type { Letter } from './Mailbox.js';
import type { ActorServices } from './ActorServices.js';
import type { DownReason } from './DownReason.js';
import type { CellObserver } from './CellObserver.js';
import type { ActorCell } from './ActorCell.js';
import type { Grace } from './Graces.js';

/** What a cell needs from the node that hosts it. @internal */
export interface CellHost {
  /**
   * A message could not be delivered or was dropped. `definition`, the key of the actor's
   * definition, comes with a message it has no handler for (the system warns of those).
   */
  deadLetter(to: ActorId, letter: Letter, error: Error, definition?: string): void;
  /** A handler threw while handling a message nobody waits on (a `tell` or `send`). */
  failure(actor: ActorId, type: string, error: unknown): void;
  /** A supervised actor crashed (`error`: a handler threw) or stopped itself (`null`), in its `generation`. */
  crashed(actor: ActorId, error: unknown, generation: number): void;
  /** A tell from `from` left the mailbox (handled or reported as a dead letter): acknowledge it there. */
  handled(actor: ActorId, from: NodeId): void;
  /** The actor called `ctx.stop()`, and must stop the general way (see {@link ActorCell.stopSelf}). */
  stopSelf(actor: ActorId, generation: number): void;
  /** An unsupervised actor that called `ctx.stop()` has stopped: the node forgets it, and the system hears of it. */
  stoppedItself(cell: ActorCell): void;
  /**
   * The running handler of `cell`, which stops itself, gets the stop grace: soon, unless it
   * has finished by then ({@link ActorCell.selfGraceDue}, {@link ActorCell.selfGraceStarted});
   * {@link ActorCell.graceOver} if the grace ends first.
   */
  graceSelf(cell: ActorCell): void;
  /** The handler returned within its grace. */
  endGrace(grace: Grace): void;
  /**
   * A ref to actor `id`; a cell of this node asking for its own ref passes itself (the ref
   * holds it until it stops) and whether its id is a supervised one (the id is not read again).
   */
  makeRef(id: ActorId, name: string | undefined, cell?: ActorCell, supervised?: boolean): ActorRef;
  /** This incarnation of the actor ended (stopped, halted for a restart, crashed): its watchers are told, and its parent here forgets it. */
  ended(cell: ActorCell, reason: DownReason): void;
  /** What `ctx` can ask of the actor's node: spawn, watch, look up, time. */
  readonly services: ActorServices;
  /** Who watches handlers run on this node; `undefined` when nobody looks. */
  readonly observer: CellObserver | undefined;
}
