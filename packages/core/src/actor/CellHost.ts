import type { ActorId, NodeId } from '../wire/ids.js';
import type { ActorRef } from './ActorRef.js';
import type { Letter } from './Mailbox.js';
import type { ActorServices } from './ActorServices.js';
import type { DownReason } from './DownReason.js';
import type { CellObserver } from './CellObserver.js';

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
  /** The actor called `ctx.stop()`. */
  stopSelf(actor: ActorId, generation: number): void;
  makeRef(id: ActorId, name: string | undefined): ActorRef;
  /** This incarnation of the actor ended (stopped, halted for a restart, crashed): its watchers are told, and its `parent` here forgets it. */
  ended(actor: ActorId, parent: ActorId | undefined, reason: DownReason): void;
  /** What `ctx` can ask of the actor's node: spawn, watch, look up, time. */
  readonly services: ActorServices;
  /** Who watches handlers run on this node; `undefined` when nobody looks. */
  readonly observer: CellObserver | undefined;
}
