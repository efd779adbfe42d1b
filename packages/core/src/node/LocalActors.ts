import type { Clock } from '../clock.js';
import { microtask } from '../microtask.js';
import { actorId, sequenceOf, type ActorId, type NodeId } from '../wire/ids.js';
import { ActorCell } from '../actor/ActorCell.js';
import type { CellHost } from '../actor/CellHost.js';
import { Graces, type Grace } from '../actor/Graces.js';
import type { AnyActorDefinition } from '../actor/defineActor.js';
import type { MailboxOptions } from '../wire/protocol.js';
import { SeqTable } from './SeqTable.js';

const NOTHING = (): void => undefined;

/**
 * The grace of a handler whose actor stops itself: one object that knows its cell (a
 * closure and its context per actor were most of what a short-lived actor's stop made).
 */
class SelfGrace implements Grace {
  declare readonly ms: number;
  declare at: number;
  declare done: boolean;
  declare private readonly cell: ActorCell;

  private constructor() {
    throw new Error('SelfGrace.of makes them');
  }

  /** A literal with this prototype, as a cell is (see {@link ActorCell.create}). */
  static of(ms: number, cell: ActorCell): SelfGrace {
    return { __proto__: SelfGrace.prototype, ms, at: 0, done: false, cell } as unknown as SelfGrace;
  }

  expire(): void {
    this.cell.graceOver();
  }
}

/**
 * The actors a node hosts (its cells), whoever asked for them: the system for an inline
 * actor, a spawn, restart or stop envelope for one on a thread or process. Starting,
 * halting, restarting and stopping them here keeps the map and the cells' lifecycles in
 * one place.
 * @internal
 */
export class LocalActors {
  /**
   * The cells whose ids this node made, by their sequence number: a map of a million
   * string keys took a tenth of a tree of a million short-lived actors' time (each key
   * joined into one string and hashed on the way in; the table rehashed as it grew and shrank).
   */
  readonly #bySeq = new SeqTable<ActorCell>();
  /** The cells whose ids another node made (supervised actors restarted here). */
  readonly #foreign = new Map<ActorId, ActorCell>();
  /** The cell {@link LocalActors.get} found last (until it is forgotten). */
  #last: ActorCell | undefined;
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
    // The cell found last, first: the tells of a frame mostly go to one actor, and reading
    // the id again for each of them was a tenth of a hosted actor's CPU per tell.
    const last = this.#last;
    if (last !== undefined && last.id === id) return last;
    const seq = sequenceOf(id, this.#node);
    const cell = seq < 0 ? this.#foreign.get(id) : this.#bySeq.get(seq);
    if (cell === undefined || cell.id !== id) return undefined; // "<node>.05" or "<node>.s5" is not "<node>.5"
    this.#last = cell;
    return cell;
  }

  has(id: ActorId): boolean {
    return this.get(id) !== undefined;
  }

  #set(cell: ActorCell): void {
    if (this.#last?.id === cell.id) this.#last = undefined;
    if (cell.seq >= 0) this.#bySeq.set(cell.seq, cell);
    else this.#foreign.set(cell.id, cell);
  }

  #delete(cell: ActorCell): void {
    if (this.#last === cell) this.#last = undefined;
    if (cell.seq >= 0) this.#bySeq.delete(cell.seq);
    else this.#foreign.delete(cell.id);
  }

  /** Whether `cell` is the one kept under its id (a cell is kept until its actor stops). */
  #holds(cell: ActorCell): boolean {
    return (cell.seq >= 0 ? this.#bySeq.get(cell.seq) : this.#foreign.get(cell.id)) === cell;
  }

  /** The actors hosted here now (those this node made in start order, then the others). */
  all(): ActorCell[] {
    return [...this.#bySeq.values(), ...this.#foreign.values()];
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
  startCellNow(given: ActorId | undefined, name: string | undefined, definition: AnyActorDefinition, mailbox: MailboxOptions, args: unknown, generation?: number, supervisor?: NodeId, label = name): ActorCell | Promise<ActorCell> {
    // With no id given, one is minted (supervised when a generation is): its sequence number,
    // the cell's key, is known without reading the id, which nothing on the way of an
    // unnamed, unwatched actor reads at all (reading it joins its parts into one string).
    const seq = given === undefined ? ++this.#seq : sequenceOf(given, this.#node);
    const id = given ?? actorId(this.#node, seq, generation !== undefined);
    const cell = ActorCell.create(this.#host, id, seq, name, definition, mailbox, generation, label);
    this.#set(cell);
    if (supervisor !== undefined && supervisor !== this.#node) this.#supervisors.set(id, supervisor);
    const started = cell.start(args);
    if (cell.status === 'running') return cell; // it started at once
    return started.then(
      () => cell,
      (error: unknown) => {
        if (this.#holds(cell)) this.#delete(cell);
        this.#supervisors.delete(id);
        throw error;
      },
    );
  }

  /** Supervision: stops handling messages (see {@link ActorCell.halt}); false when no such actor is here. */
  async halt(id: ActorId, grace = this.#stopGrace): Promise<boolean> {
    const cell = this.get(id);
    await cell?.halt(grace, this.#graces);
    return cell !== undefined;
  }

  /** Supervision: starts a halted actor again; false when no such actor is here. @throws MultitaskError `SPAWN_FAILED` */
  async restart(id: ActorId, generation: number): Promise<boolean> {
    const cell = this.get(id);
    await cell?.restart(generation);
    return cell !== undefined;
  }

  /** Stops an actor (its handler finishes within the grace, `onStop` runs) and forgets it. */
  async stop(id: ActorId): Promise<void> {
    const cell = this.get(id);
    if (cell === undefined) return;
    if (cell.stopIdle()) return this.#forget(cell);
    await cell.stop(this.#stopGrace, this.#graces);
    this.forget(cell); // unless the end of its own ctx.stop() did
  }

  /**
   * Stops an actor that has nothing to wait for at once (see {@link ActorCell.stopIdle}) and
   * forgets it; false (nothing done) when it needs {@link LocalActors.stop}.
   */
  stopIdle(id: ActorId): boolean {
    const cell = this.get(id);
    if (cell?.stopIdle() !== true) return false;
    this.#forget(cell);
    return true;
  }

  /**
   * The stop grace of a handler whose actor stops itself (see {@link ActorCell.stopSelf}),
   * for those still running once the handlers that had returned have finished: a handler
   * that already returned (most, in a tree of short-lived actors) gets none. The cells
   * wait here for two microtasks: the first runs after the code that queued them, and so
   * after the reactions of every handler that had returned by then; the second after those.
   */
  graceSelf(cell: ActorCell): void {
    this.#graceSoon[this.#soon++] = cell;
    if (this.#soon === 1) microtask(this.#graceLater);
  }

  /**
   * The cells waiting for a grace (see {@link LocalActors.graceSelf}): those of the first
   * microtask, then those of the second. Two lists kept and reused, with their counts: in a
   * tree of short-lived actors each leaf waits alone, and a new list and closure for each
   * were 200 bytes of garbage an actor. The second wait of one batch always runs before the
   * first of the next (it was queued first).
   */
  #graceSoon: Array<ActorCell | undefined> = [];
  #soon = 0;
  #graceDue: Array<ActorCell | undefined> = [];
  #due = 0;

  readonly #graceLater = (): void => {
    if (this.#due > 0) this.#graceNow(); // (not seen: the second wait was queued before)
    const due = this.#graceDue;
    this.#graceDue = this.#graceSoon;
    this.#due = this.#soon;
    this.#graceSoon = due;
    this.#soon = 0;
    microtask(this.#graceNow);
  };

  readonly #graceNow = (): void => {
    const cells = this.#graceDue;
    const count = this.#due;
    this.#due = 0;
    for (let i = 0; i < count; i++) {
      const cell = cells[i] as ActorCell;
      cells[i] = undefined;
      if (cell.selfGraceDue()) cell.selfGraceStarted(this.#graces.add(SelfGrace.of(this.#stopGrace, cell)));
    }
    if (count > 1024) cells.length = 0; // a burst's long list is not kept
  };

  endGrace(grace: Grace): void {
    this.#graces.end(grace);
  }

  /** An actor that stopped by itself (see {@link ActorCell.stopSelf}) is forgotten; nothing when it was already. */
  forget(cell: ActorCell): void {
    if (this.#holds(cell)) this.#forget(cell);
  }

  #forget(cell: ActorCell): void {
    const id = cell.id;
    this.#delete(cell);
    if (this.#supervisors.size > 0) this.#supervisors.delete(id);
    this.onStopped?.(id);
  }

  /** Called after each actor here stopped and was forgotten. */
  onStopped: ((id: ActorId) => void) | undefined;

  /** The actors here that are not children of another actor here, oldest first (a stop of them all stops the rest). */
  tops(): ActorCell[] {
    const tops: ActorCell[] = [];
    for (const cell of this.all()) if (cell.parent === undefined || !this.has(cell.parent)) tops.push(cell);
    return tops;
  }

  /** The node that supervises actor `id`, when it is another than this one. */
  supervisorOf(id: ActorId): NodeId | undefined {
    return this.#supervisors.size === 0 ? undefined : this.#supervisors.get(id);
  }

  /** How long the longest running handler here has run, in ms. */
  busiest(): number {
    let most = 0;
    for (const cell of this.all()) most = Math.max(most, cell.busyFor);
    return most;
  }
}
