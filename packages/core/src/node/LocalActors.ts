import type { Clock } from '../clock.js';
import { actorId, type ActorId, type NodeId } from '../wire/ids.js';
import { ActorCell } from '../actor/ActorCell.js';
import type { CellHost } from '../actor/CellHost.js';
import { Graces } from '../actor/Graces.js';
import type { AnyActorDefinition } from '../actor/defineActor.js';
import type { MailboxOptions } from '../wire/protocol.js';

const NOTHING = (): void => undefined;

/**
 * The actors a node hosts (its cells), whoever asked for them: the system for an inline
 * actor, a spawn, restart or stop envelope for one on a thread or process. Starting,
 * halting, restarting and stopping them here keeps the map and the cells' lifecycles in
 * one place.
 * @internal
 */
export class LocalActors {
  readonly #cells = new Map<ActorId, ActorCell>();
  /** The supervising node of each supervised actor here that is supervised from another node. */
  readonly #supervisors = new Map<ActorId, NodeId>();
  readonly #node: NodeId;
  #seq = 0;
  readonly #host: CellHost;
  readonly #clock: Clock;
  /** The graces of stopping actors' running handlers, on one clock timer. */
  readonly #graces: Graces;
  /** Milliseconds a stopping actor's running handler may take before it is abandoned. */
  readonly #stopGrace: number;

  constructor(node: NodeId, host: CellHost, clock: Clock, stopGrace: number) {
    this.#node = node;
    this.#host = host;
    this.#clock = clock;
    this.#graces = new Graces(clock);
    this.#stopGrace = stopGrace;
  }

  /** A new id for an actor hosted here: the node that hosts an actor names it. */
  mint(supervised: boolean): ActorId {
    return actorId(this.#node, ++this.#seq, supervised);
  }

  get(id: ActorId): ActorCell | undefined {
    return this.#cells.get(id);
  }

  has(id: ActorId): boolean {
    return this.#cells.has(id);
  }

  /** The actors hosted here now. */
  all(): ActorCell[] {
    return [...this.#cells.values()];
  }

  /**
   * Creates an actor's cell and starts it (`init`, `onStart`); a supervised one is given
   * its supervisor's `generation`, and `label` names it in errors (its path). An actor
   * that fails to start is forgotten.
   * @throws MultitaskError `SPAWN_FAILED`
   */
  start(id: ActorId, name: string | undefined, definition: AnyActorDefinition, mailbox: MailboxOptions, args: unknown, generation?: number, supervisor?: NodeId, label = name): Promise<void> {
    return this.startCell(id, name, definition, mailbox, args, generation, supervisor, label).then(NOTHING);
  }

  /** {@link LocalActors.start}, resolving with the cell (its ref is the actor's own). */
  startCell(id: ActorId, name: string | undefined, definition: AnyActorDefinition, mailbox: MailboxOptions, args: unknown, generation?: number, supervisor?: NodeId, label = name): Promise<ActorCell> {
    const started = this.startCellNow(id, name, definition, mailbox, args, generation, supervisor, label);
    return started instanceof ActorCell ? Promise.resolve(started) : started;
  }

  /**
   * {@link LocalActors.startCell}, with the cell itself when it started at once (an `init`
   * that returned its state, no hook to wait for): no promise for most actors of a tree.
   */
  startCellNow(id: ActorId, name: string | undefined, definition: AnyActorDefinition, mailbox: MailboxOptions, args: unknown, generation?: number, supervisor?: NodeId, label = name): ActorCell | Promise<ActorCell> {
    const cell = ActorCell.create(this.#host, id, name, definition, mailbox, generation, label);
    this.#cells.set(id, cell);
    if (supervisor !== undefined && supervisor !== this.#node) this.#supervisors.set(id, supervisor);
    const started = cell.start(args);
    if (cell.status === 'running') return cell; // it started at once
    return started.then(
      () => cell,
      (error: unknown) => {
        this.#cells.delete(id);
        this.#supervisors.delete(id);
        throw error;
      },
    );
  }

  /** Supervision: stops handling messages (see {@link ActorCell.halt}); false when no such actor is here. */
  async halt(id: ActorId, grace = this.#stopGrace): Promise<boolean> {
    const cell = this.#cells.get(id);
    await cell?.halt(grace, this.#graces);
    return cell !== undefined;
  }

  /** Supervision: starts a halted actor again; false when no such actor is here. @throws MultitaskError `SPAWN_FAILED` */
  async restart(id: ActorId, generation: number): Promise<boolean> {
    const cell = this.#cells.get(id);
    await cell?.restart(generation);
    return cell !== undefined;
  }

  /** Stops an actor (its handler finishes within the grace, `onStop` runs) and forgets it. */
  async stop(id: ActorId): Promise<void> {
    const cell = this.#cells.get(id);
    if (cell === undefined) return;
    if (cell.stopIdle()) return this.#forget(id);
    await cell.stop(this.#stopGrace, this.#graces);
    this.#forget(id);
  }

  /**
   * Stops an actor that has nothing to wait for at once (see {@link ActorCell.stopIdle}) and
   * forgets it; false (nothing done) when it needs {@link LocalActors.stop}.
   */
  stopIdle(id: ActorId): boolean {
    if (this.#cells.get(id)?.stopIdle() !== true) return false;
    this.#forget(id);
    return true;
  }

  #forget(id: ActorId): void {
    this.#cells.delete(id);
    this.#supervisors.delete(id);
    this.onStopped?.(id);
  }

  /** Called after each actor here stopped and was forgotten. */
  onStopped: ((id: ActorId) => void) | undefined;

  /** The actors here that are not children of another actor here, oldest first (a stop of them all stops the rest). */
  tops(): ActorCell[] {
    const tops: ActorCell[] = [];
    for (const cell of this.#cells.values()) if (cell.parent === undefined || !this.#cells.has(cell.parent)) tops.push(cell);
    return tops;
  }

  /** The node that supervises actor `id`, when it is another than this one. */
  supervisorOf(id: ActorId): NodeId | undefined {
    return this.#supervisors.size === 0 ? undefined : this.#supervisors.get(id);
  }

  /** How long the longest running handler here has run, in ms. */
  busiest(): number {
    let most = 0;
    for (const cell of this.#cells.values()) most = Math.max(most, cell.busyFor);
    return most;
  }
}
