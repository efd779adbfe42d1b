import { MultitaskError } from '../errors.js';
import { monotonicNow } from '../clock.js';
import { isSupervised, type ActorId, type NodeId } from '../wire/ids.js';
import type { MailboxOptions } from '../wire/protocol.js';
import type { ActorRef } from './ActorRef.js';
import { definitionKey, type ActorContext, type AnyActorDefinition } from './defineActor.js';
import { Mailbox, tellLetter, type Letter } from './Mailbox.js';
import { scheduleLater, scheduleSoon } from './RunQueue.js';
import type { Grace, Graces } from './Graces.js';
import { Context, kindOf, type DefinitionKind } from './Context.js';
import type { DownReason } from './DownReason.js';
import { Family, type FamilyCell, MAX_SLOT } from './Family.js';
import { optionsAsPayload } from './misplacedOptions.js';
import { describeActor, stoppedError } from './actorErrors.js';
import type { CellHost } from './CellHost.js';
import { rare, type Rare } from './CellRare.js';
import { handlerList } from './handlerList.js';
import { errorMessage } from './errorMessage.js';

/**
 * A cell handles messages in one go until it has run this long, then yields the thread to
 * I/O and timers. A time budget, not a message count: yielding after a fixed count let
 * arriving frames pile up between turns (measured: half the throughput, 40% time in GC).
 */
const SLICE_MS = 10;
/** How many messages between two looks at the clock. */
const CHECK_EVERY = 256;

/** `halted`: a supervised actor that crashed (or is being restarted) keeps its mailbox and waits for `restart`. */
/** @internal */
export type Status = 'starting' | 'running' | 'halted' | 'stopping' | 'stopped';

/**
 * A running actor: its state, mailbox and handler loop. Handles one message at a time,
 * also across `await`: the next message starts only when the previous handler settled.
 * @internal
 */
export class ActorCell implements FamilyCell {
  declare readonly id: ActorId;
  /** The sequence number of its id, when the node it runs on made the id; else -1. Its key there. */
  declare readonly seq: number;
  /**
   * The mailbox. An unbounded one (the default) exists only while messages wait: an idle
   * actor holds none (a third of an idle actor's memory was an empty mailbox). A bounded one
   * stays, for its capacity and policy.
   */
  declare private _mailbox: Mailbox | Letter | undefined;
  declare private readonly _host: CellHost;
  /** The definition, with its handlers by type (one object for all actors of a definition). */
  declare private readonly _kind: DefinitionKind;
  declare private _ctx: ActorContext<unknown>;
  /** `BUSY | SCHEDULED | SUPERVISED | IN_RUN | STOP_WHEN_DONE`, and the status (see {@link ActorCell.status}) in the bits above. */
  declare private _flags: number;
  /**
   * When the running async handler started (`monotonicNow()`, in whole milliseconds: a
   * fraction would take a number object of its own in every cell), for `handlerTimeout`.
   */
  declare private _busySince: number;
  /** The letter whose async handler is running. */
  declare private _current: Letter | undefined;
  /** The children, watches and timers of this incarnation, made on first use. */
  declare private _family: Family | undefined;
  /** The actor on this node whose child this one is (it is told when this one ends). */
  declare private _parent: FamilyCell | undefined;
  /** The ref to this actor, made on first use (`ctx.self`, the ref its spawn resolves with). */
  declare private _ref: ActorRef | undefined;
  /** What most actors never need: made for a supervised actor, or when it stops. */
  declare private _rare: Rare | undefined;
  /** The grace of the running handler of an actor that stops itself (see {@link ActorCell.stopSelf}). */
  declare private _grace: Grace | undefined;
  /** Messages whose handler ran (a plain number: the snapshot and the message rates read it). */
  declare handled: number;

  private constructor() {
    throw new Error('ActorCell.create makes them');
  }

  /** The id of the actor on this node whose child this one is. */
  get parent(): ActorId | undefined {
    return this._parent?.id;
  }

  /** The actor on this node whose child this one is. */
  get parentCell(): FamilyCell | undefined {
    return this._parent;
  }

  /** Its place among its parent's children (kept in the flags' upper bits, below {@link MAX_SLOT}). */
  get slot(): number {
    return this._flags >>> SLOT_SHIFT;
  }

  /** It is the child of `parent` (a cell here), at `slot` of its children; `undefined`: of no one here. */
  adoptedBy(parent: FamilyCell | undefined, slot: number): void {
    this._parent = parent;
    this._flags = (this._flags & LOW_BITS) | (slot << SLOT_SHIFT);
  }

  /** The name it was spawned under, if any. */
  get name(): string | undefined {
    return this._rare?.name;
  }

  /**
   * Where it is in its life, kept in the flags' upper bits: a field of its own was 8 bytes
   * of every idle actor.
   */
  private get _status(): Status {
    return STATUSES[(this._flags & STATUS_BITS) >> STATUS_SHIFT] as Status;
  }

  private set _status(status: Status) {
    this._flags = (this._flags & ~STATUS_BITS) | (STATUSES.indexOf(status) << STATUS_SHIFT);
  }

  /**
   * The mailbox, made when a message comes (unbounded ones). A letter alone in an unbounded
   * mailbox waits in the mailbox's field itself (an ask to an actor that is asked once, as
   * in a tree, needs no mailbox of 104 bytes); the next message moves it into one.
   */
  private get _box(): Mailbox {
    const mailbox = this._mailbox;
    if (mailbox instanceof Mailbox) return mailbox;
    const box = new Mailbox(UNBOUNDED_OPTIONS);
    if (mailbox !== undefined) box.offer(mailbox, this);
    return (this._mailbox = box);
  }

  /** How many messages wait. */
  get queued(): number {
    const mailbox = this._mailbox;
    return mailbox === undefined ? 0 : mailbox instanceof Mailbox ? mailbox.length : 1;
  }

  /** Everything waiting, as letters; an unbounded mailbox goes with it. */
  private _drain(): readonly Letter[] {
    const mailbox = this._mailbox;
    if (mailbox === undefined) return NO_LETTERS;
    if (!(mailbox instanceof Mailbox)) {
      this._mailbox = undefined;
      return [mailbox];
    }
    if (mailbox.size === 0) return NO_LETTERS;
    if (mailbox.unbounded) this._mailbox = undefined;
    return mailbox.drainLetters();
  }

  /** What still waits is refused: the actor stopped (no iterator when nothing waits, as for most). */
  private _refuseWaiting(): void {
    if (this.queued === 0) return;
    for (const letter of this._drain()) this._refuse(letter, stoppedError(this.id, this._label));
  }

  /** The ref to this actor (one per actor, made when first asked for). */
  get ref(): ActorRef {
    // An unsupervised actor's id is never marked supervised: only a supervised one's is read.
    // A stopped actor's cell is not handed to a ref made now (nothing would detach it).
    return (this._ref ??= this._host.makeRef(this.id, this.name, this._status === 'stopped' ? undefined : this, this._supervised && isSupervised(this.id)));
  }

  /** What its errors call it: its supervised path, else its name (see {@link describeActor}). */
  private get _label(): string | undefined {
    return this._rare === undefined ? this.name : this._rare.label;
  }

  private get _supervised(): boolean {
    return (this._flags & SUPERVISED) !== 0;
  }

  private get _busy(): boolean {
    return (this._flags & BUSY) !== 0;
  }

  private set _busy(busy: boolean) {
    this._flags = busy ? this._flags | BUSY : this._flags & ~BUSY;
  }

  /** The supervisor's count of this actor's starts. */
  private get _generation(): number {
    return this._rare?.generation ?? 0;
  }

  private _rareOnes(): Rare {
    return (this._rare ??= rare(0, undefined, undefined)); // a named one has them already
  }

  /** `ctx.signal`. */
  get signal(): AbortSignal {
    const life = this._rareOnes();
    if (life.lifetime === undefined) {
      life.lifetime = new AbortController();
      if (life.ended === true || (life.ended === undefined && this.stopping)) life.ended = stoppedError(this.id, this._label);
      if (life.ended !== undefined) life.lifetime.abort(life.ended);
    }
    return life.lifetime.signal;
  }

  /** The actor's children, watches and timers (made on first use). */
  get family(): Family {
    return (this._family ??= new Family(this, this._host.services));
  }

  get familyIfAny(): Family | undefined {
    return this._family;
  }

  /** Whether this incarnation takes new work. */
  get alive(): boolean {
    return this._status === 'running' || this._status === 'starting';
  }

  /** Where it is in its life, for the snapshot. */
  get status(): Status {
    return this._status;
  }

  /** Its definition's name. */
  get definitionName(): string {
    return this._kind.definition.name;
  }

  /** Its definition (the snapshot reads its key). */
  get definition(): AnyActorDefinition {
    return this._kind.definition;
  }

  /** What errors call it: its supervised path, else its name. */
  get label(): string | undefined {
    return this._label;
  }

  /** Messages waiting in its mailbox. */
  get depth(): number {
    return this.queued;
  }

  /** Its mailbox's capacity (`Infinity`: unbounded). */
  get capacity(): number {
    return this._mailbox instanceof Mailbox ? this._mailbox.capacity : Number.POSITIVE_INFINITY;
  }

  get hasOnDown(): boolean {
    return this._kind.definition.onDown !== undefined;
  }

  /** A timer of this actor fired: its message goes in line like any other. */
  deliverSelf(type: string, payload: unknown): void {
    this.deliverTell(type, payload, undefined);
  }

  /** Ends this incarnation's family (its timers, watches, then its children, last first). */
  private async _endFamily(): Promise<void> {
    const family = this._family;
    if (family === undefined) return;
    this._family = undefined;
    await family.end();
  }

  /**
   * `ctx.stop()`. An unsupervised actor with nothing to wait for but the handler that asked
   * (no `onStop`, no children or supervisors still running) stops as that handler returns,
   * without a promise, a grace or a table lookup: what every actor of a tree of short-lived
   * actors does once (the promises and closures of the general stop were a quarter of
   * such a tree's garbage). The rest stop the general way (see {@link CellHost.stopSelf}).
   */
  stopSelf(): void {
    const status = this._status;
    // Asked already (a second report of the same stop would reach its supervisor twice).
    if ((this._flags & STOP_WHEN_DONE) !== 0 || (status !== 'running' && status !== 'starting')) return;
    if (status === 'starting' || this._supervised || this._kind.definition.onStop !== undefined || this._rare?.stopped !== undefined || this._family?.endAtOnce() === false) {
      return this._host.stopSelf(this.id, this._generation);
    }
    this._family = undefined;
    this._status = 'stopping';
    this._end();
    if ((this._flags & (BUSY | IN_RUN)) === 0) return this._stoppedItself();
    this._flags |= STOP_WHEN_DONE; // the running handler's return ends it (_finish, run)
    if (this._busy) this._graceSelf(); // an async handler, past its first await (else _handleSome sees)
  }

  /** The running async handler of an actor that stops itself gets the stop grace, as with any stop (soon: see {@link CellHost.graceSelf}). */
  private _graceSelf(): void {
    this._host.graceSelf(this);
  }

  /** Whether the handler that called `ctx.stop()` still runs, with no grace yet. */
  selfGraceDue(): boolean {
    return (this._flags & STOP_WHEN_DONE) !== 0 && this._busy && this._grace === undefined;
  }

  /** The grace of the running handler of its `ctx.stop()` has started. */
  selfGraceStarted(grace: Grace): void {
    this._grace = grace;
  }

  /** The grace of its ctx.stop() is over and the handler still runs: it is abandoned (its ask refused), and the actor ends. */
  graceOver(): void {
    this._grace = undefined;
    if ((this._flags & STOP_WHEN_DONE) === 0) return;
    this._current?.replier?.reject(stoppedError(this.id, this._label));
    this._busy = false;
    this._current = undefined;
    this._stoppedItself();
  }

  private _endGrace(): void {
    if (this._grace === undefined) return;
    this._host.endGrace(this._grace);
    this._grace = undefined;
  }

  /** A stop from `ctx.stop()` is complete: the actor ended, and its node forgets it. */
  private _stoppedItself(): void {
    this._flags &= ~STOP_WHEN_DONE;
    this._endGrace();
    // What the handler started after ctx.stop() (a timer, a watch) ends with it.
    const family = this._family;
    this._family = undefined;
    if (family !== undefined && !family.endAtOnce()) void family.end();
    this._stopped(true);
    this._host.stoppedItself(this);
  }

  /** Ends this incarnation: aborts `ctx.signal`, now or when first asked for. */
  private _end(): void {
    // The reason is made only when a signal was handed out: an error (and its stack) per
    // stopped actor was a sixth of a tree of short-lived actors' time. With no rare parts
    // there is no signal yet, and the status tells one made later that it ended.
    const life = this._rare;
    if (life === undefined) return;
    if (life.lifetime === undefined) life.ended = true;
    else life.lifetime.abort((life.ended = stoppedError(this.id, this._label)));
  }

  /**
   * Creates a cell in the `starting` state: it queues messages until {@link ActorCell.start} is done.
   * A supervised cell (one given its supervisor's `generation`) crashes when a handler
   * throws (see {@link CellHost.crashed}). `label` names it in errors (default: `name`).
   */
  static create(host: CellHost, id: ActorId, seq: number, name: string | undefined, definition: AnyActorDefinition, mailbox: MailboxOptions, generation?: number, label = name): ActorCell {
    // An object literal with this class's prototype, not `new`: V8 allocates the objects of
    // a literal that mostly outlive a young collection straight in the old generation
    // (pretenuring), where every instance of a class is copied by each young collection it
    // lives through. In a tree of a million actors every cell lives until the tree is built:
    // those copies were most of its time. The fields are always in this order (one shape).
    const cell = {
      __proto__: ActorCell.prototype,
      id,
      seq,
      _mailbox: mailbox.capacity !== undefined || mailbox.overflow !== undefined ? new Mailbox(mailbox) : undefined,
      _host: host,
      _kind: kindOf(definition),
      _ctx: undefined,
      _flags: (generation === undefined ? 0 : SUPERVISED) | STARTING,
      _busySince: 0,
      _current: undefined,
      _family: undefined,
      _parent: undefined,
      _ref: undefined,
      _rare: generation !== undefined || name !== undefined || label !== name ? rare(generation ?? 0, label, name) : undefined,
      _grace: undefined,
      handled: 0,
    } as unknown as ActorCell;
    cell._ctx = Context.of(cell);
    return cell;
  }

  /** Milliseconds the running async handler has been running; 0 when idle. */
  get busyFor(): number {
    return this._busy ? monotonicNow() - this._busySince : 0;
  }

  /**
   * Builds the state with `init(args)`, runs `onStart`, and starts handling messages.
   * @throws MultitaskError `SPAWN_FAILED` with the hook's error as `cause`
   */
  start(args: unknown): Promise<void> {
    if (this._supervised) (this._rare as Rare).args = args; // a restart runs init with them again
    const definition = this._kind.definition;
    if (!this._supervised && definition.onStart === undefined) {
      // The common case, at once: an init that returns its state, no hook to wait for (a
      // promise chain per spawn was a third of a tree of short-lived actors' time).
      let state: unknown;
      try {
        state = (definition.init as (args: unknown) => unknown)(args);
      } catch (error) {
        return Promise.reject(this._failedStart(new MultitaskError('SPAWN_FAILED', `actor ${definition.name} failed to start: ${errorMessage(error)}`, { cause: error })));
      }
      if (!isThenable(state)) {
        this._ctx.state = state;
        this._status = 'running';
        if (this.queued > 0) this._schedule(); // nothing can have come meanwhile, unless init sent to itself
        return STARTED;
      }
    }
    return this._init(args, this._generation > 1 ? { state: undefined } : undefined).catch((error: unknown) => {
      throw this._failedStart(error);
    });
  }

  /** The start failed: what waited is refused; the error goes on. */
  private _failedStart(error: unknown): unknown {
    this._status = 'stopped';
    this._ref?.detach();
    this._refuseWaiting();
    return error;
  }

  /** `init`, then `onRestart` (on a restart, with the previous state when it survived), then `onStart`. */
  private async _init(args: unknown, restart?: { readonly state: unknown }): Promise<void> {
    const definition = this._kind.definition;
    try {
      const state = (definition.init as (args: unknown) => unknown)(args);
      this._ctx.state = isThenable(state) ? await state : state;
      if (restart !== undefined) await definition.onRestart?.(this._ctx as ActorContext<never>, restart.state as never);
      if (definition.onStart !== undefined) await definition.onStart(this._ctx as ActorContext<never>);
    } catch (error) {
      throw new MultitaskError('SPAWN_FAILED', `actor ${definition.name} failed to start: ${errorMessage(error)}`, { cause: error });
    }
    if (this._status !== 'starting') return;
    this._status = 'running';
    this._schedule();
  }

  /**
   * Supervision, first half of a restart: stops handling messages. A running handler gets
   * `grace` ms to finish (then it is abandoned, its `ask` rejected with `ACTOR_STOPPED`)
   * and `onStop` runs; a crashed actor is already halted. Queued messages stay.
   */
  async halt(grace: number, graces: Graces): Promise<void> {
    if (this._status !== 'running' && this._status !== 'starting') return void (await this._rare?.ending);
    this._status = 'halted';
    this._end();
    await this._settle(grace, graces);
    await this._endFamily();
    await this._onStop();
    this._host.ended(this, STOPPED_DOWN);
  }

  /**
   * Supervision, second half of a restart: `init` runs again with the spawn arguments,
   * then `onStart`, then the queued messages are handled.
   * @throws MultitaskError `SPAWN_FAILED` (the actor stays halted)
   */
  async restart(generation: number): Promise<void> {
    if (this._status !== 'halted') return;
    this._status = 'starting';
    const life = this._rareOnes();
    life.generation = generation;
    life.lifetime = undefined;
    life.ended = undefined;
    await life.ending;
    life.ending = undefined;
    try {
      await this._init(life.args, { state: this._ctx.state });
    } catch (error) {
      if (this._status === 'starting') this._status = 'halted';
      throw error;
    }
  }

  get stopping(): boolean {
    return this._status === 'stopping' || this._status === 'stopped';
  }

  /**
   * Offers a letter: it is queued, parked (backpressure) or refused. An `ask` or `send` to a
   * handler that takes no payload, whose payload looks like its options, is refused with
   * `INVALID_ARGUMENT` (JavaScript lets `ask('get', { timeout: 5 })` through; only this
   * cell knows the handler, whatever node the ref is on).
   */
  deliver(letter: Letter): void {
    if (this.stopping) return this._refuse(letter, stoppedError(this.id, this._label));
    if (typeof letter.payload === 'object' && letter.payload !== null) {
      const misplaced = optionsAsPayload(letter.replier === undefined ? 'send' : 'ask', letter.type, this._kind.handlers.get(letter.type), letter.payload);
      if (misplaced !== undefined && waits(letter)) return this._refuse(letter, misplaced);
    }
    if (this._mailbox === undefined) {
      // Unbounded (a bounded mailbox is always there) and empty: the letter waits alone.
      this._mailbox = letter;
      letter.accepted?.();
      return this._schedule();
    }
    const offer = this._box.offer(letter, this);
    if (offer === 'accepted') {
      letter.accepted?.();
      this._schedule();
    } else if (offer === 'refused') this._full(letter);
  }

  /**
   * Offers a plain tell, without making a letter for it on the way in. `from`, the node a tell
   * came from, matters only to a supervised actor, which acknowledges the tell there.
   */
  deliverTell(type: string, payload: unknown, from: NodeId | undefined): void {
    if (from !== undefined && this._supervised) return this.deliver({ type, payload, replier: undefined, accepted: undefined, refused: undefined, from });
    if (this.stopping) return this._refuse(tellLetter(type, payload), stoppedError(this.id, this._label));
    const offer = this._box.offerTell(type, payload, this);
    if (offer === 'accepted') this._schedule();
    else if (offer === 'refused') this._full(tellLetter(type, payload));
  }

  private _full(letter: Letter): void {
    const error = new MultitaskError('MAILBOX_FULL', `the mailbox of ${describeActor(this.id, this._label)} is full (capacity ${this._box.capacity})`, { actor: this.id });
    if (this._box.overflow === 'drop-newest' && waits(letter)) this._host.deadLetter(this.id, letter, error);
    this._refuse(letter, error);
  }

  /**
   * Stops the actor: lets the running handler finish (for at most `grace`), runs `onStop`,
   * then refuses what is still queued with `ACTOR_STOPPED`. A handler still running after
   * the grace is abandoned and its `ask` rejected with `ACTOR_STOPPED`. Idempotent.
   */
  stop(grace: number, graces: Graces): Promise<void> {
    if (this._rare?.stopped === undefined && this._status === 'stopped') return STOPPED; // by stopIdle or ctx.stop()
    const life = this._rareOnes();
    // It was stopping itself as its handler returns: this stop takes over (it gives that
    // handler a grace, and whoever asked for it reports the end, once).
    if (life.stopped === undefined && (this._flags & STOP_WHEN_DONE) !== 0) {
      this._flags &= ~STOP_WHEN_DONE;
      this._endGrace();
    }
    life.stopped ??= this._stop(grace, graces);
    return life.stopped;
  }

  /**
   * {@link ActorCell.stop} at once, for an actor with nothing to wait for (no running
   * handler, no children, watches or timers, no `onStop`): what a shutdown of a million idle
   * actors does a million times, without a promise each. False (nothing done): use `stop`.
   */
  stopIdle(): boolean {
    if (this._status !== 'running' || this._busy || this._family !== undefined || this._kind.definition.onStop !== undefined) return false;
    this._status = 'stopping';
    if (this._rare !== undefined) this._end(); // else `signal` learns of the end from the status
    this._stopped(true);
    return true;
  }

  /** The last step of a stop: what is still queued is refused, and the end reported (`report`: a halted one was, when it halted). */
  private _stopped(report: boolean): void {
    this._status = 'stopped';
    this._ref?.detach();
    this._refuseWaiting();
    const escalation = this._rare?.escalation;
    if (report) this._host.ended(this, escalation === undefined ? STOPPED_DOWN : { kind: 'error', error: escalation });
  }

  private async _stop(grace: number, graces: Graces): Promise<void> {
    const ran = this._status === 'running';
    const halted = this._status === 'halted';
    this._status = 'stopping';
    this._end();
    // Only what there is to wait for is awaited: a stop is no promise more than it must be.
    if (this._busy) await this._settle(grace, graces);
    if (this._family !== undefined) await this._endFamily(); // children first, the last started first
    if (this._rare?.ending !== undefined) await this._rare.ending;
    if (ran && this._kind.definition.onStop !== undefined) await this._onStop();
    this._stopped(!halted);
  }

  /** Waits for the running handler, at most `grace` ms; then abandons it. */
  private async _settle(grace: number, graces: Graces): Promise<void> {
    if (this._busy) {
      let timer: Grace | undefined;
      const life = this._rareOnes();
      await new Promise<void>((resolve) => {
        life.idle = resolve;
        timer = graces.start(grace, () => {
          this._current?.replier?.reject(stoppedError(this.id, this._label));
          resolve();
        });
      });
      if (timer !== undefined) graces.end(timer);
      life.idle = undefined;
      this._busy = false;
      this._current = undefined;
    }
  }

  private async _onStop(): Promise<void> {
    try {
      await this._kind.definition.onStop?.(this._ctx as ActorContext<never>);
    } catch (error) {
      this._host.failure(this.id, 'onStop', error);
    }
  }

  private _schedule(yieldFirst = false): void {
    if ((this._flags & (SCHEDULED | BUSY)) !== 0) return;
    this._flags |= SCHEDULED;
    if (yieldFirst) scheduleLater(this);
    else scheduleSoon(this);
  }

  /** Handles what is in the mailbox, one message at a time, for at most a time slice (the run queue calls it). */
  run(): void {
    this._flags = (this._flags & ~SCHEDULED) | IN_RUN;
    this._handleSome();
    this._flags &= ~IN_RUN;
    // A plain handler that called ctx.stop() has returned (an async one ends it in _finish).
    if ((this._flags & (STOP_WHEN_DONE | BUSY)) === STOP_WHEN_DONE) this._stoppedItself();
  }

  private _handleSome(): void {
    const start = monotonicNow();
    const handlers = this._kind.handlers;
    const observer = this._host.observer; // read once a slice: one set meanwhile sees the next
    for (let handled = 1; ; handled++) {
      if (handled % CHECK_EVERY === 0 && monotonicNow() - start > SLICE_MS) break;
      if (this._status !== 'running' || this._busy) return;
      const mailbox = this._mailbox;
      let head: string | Letter | undefined;
      let payload: unknown;
      if (mailbox instanceof Mailbox) {
        head = mailbox.take();
        if (head === undefined) {
          if (mailbox.unbounded && mailbox.size === 0) this._mailbox = undefined; // idle: it holds no mailbox
          return;
        }
        payload = mailbox.takePayload();
      } else {
        if (mailbox === undefined) return;
        head = mailbox; // a letter alone
        this._mailbox = undefined;
      }
      // A plain tell comes as its type and payload; the rest as letters.
      const letter = typeof head === 'string' ? undefined : head;
      const type = letter === undefined ? (head as string) : letter.type;
      const data = letter === undefined ? payload : letter.payload;
      if (letter?.from !== undefined && this._supervised) this._host.handled(this.id, letter.from);
      const handler = handlers.get(type);
      if (handler === undefined) {
        this._unknown(letter ?? tellLetter(type, data));
        continue;
      }
      let result: unknown;
      this.handled++;
      try {
        if (observer === undefined) result = handler(this._ctx, data as never);
        else result = observer.handle(this, type, letter?.trace, handler as never, this._ctx, data);
      } catch (error) {
        this._failed(letter ?? tellLetter(type, data), error);
        continue;
      }
      if (isThenable(result)) {
        // The letter marks the running handler: stop() abandons it by identity.
        const current = letter ?? tellLetter(type, data);
        this._busy = true;
        // The slice's start, for its first message (most often the only one): a clock read less.
        this._busySince = Math.floor(handled === 1 ? start : monotonicNow());
        this._current = current;
        result.then((value) => this._finish(current, true, value), (error: unknown) => this._finish(current, false, error));
        if ((this._flags & STOP_WHEN_DONE) !== 0) this._graceSelf(); // it called ctx.stop() before its first await
        return;
      }
      letter?.replier?.resolve(result);
    }
    this._schedule(true);
  }

  private _finish(letter: Letter, ok: boolean, value: unknown): void {
    if (this._current !== letter) return; // abandoned by stop()
    this._busy = false;
    this._current = undefined;
    if (ok) letter.replier?.resolve(value);
    else this._failed(letter, value);
    const idle = this._rare?.idle;
    if (idle !== undefined) {
      idle();
      (this._rare as Rare).idle = undefined;
    } else if ((this._flags & STOP_WHEN_DONE) !== 0) this._stoppedItself();
    else this.run();
  }

  /** A handler threw: its asker gets the error; a supervised actor crashes, an unsupervised one goes on. */
  private _failed(letter: Letter, error: unknown): void {
    letter.replier?.reject(error);
    if (this._supervised) this._crash(error);
    else if (letter.replier === undefined && !this._endedByStop(error)) this._host.failure(this.id, letter.type, error);
  }

  /** A supervised actor crashes: it halts, its supervisor hears of it, its family ends. */
  private _crash(error: unknown): void {
    if (this._status !== 'running') return;
    this._status = 'halted';
    this._end();
    this._host.crashed(this.id, error, this._generation);
    this._rareOnes().ending = this._endFamily();
    this._host.ended(this, { kind: 'error', error: error instanceof Error ? error : new Error(errorMessage(error)) });
  }

  /**
   * A supervisor this actor started gave up: the actor crashes with `error`. A supervised
   * actor is then its supervisor's to restart; an unsupervised one stops, with that error
   * as its reason.
   */
  escalate(error: Error): void {
    if (!this.alive) return;
    if (this._supervised) return this._crash(error);
    this._rareOnes().escalation = error;
    this._host.stopSelf(this.id, this._generation);
  }

  /** A handler that gave up a wait because the actor stopped (`ctx.signal`) did not fail. */
  private _endedByStop(error: unknown): boolean {
    const ended = this._rare?.ended;
    return error instanceof MultitaskError && error.code === 'ABORTED' && ended !== undefined && error.cause === ended;
  }

  private _unknown(letter: Letter): void {
    const { definition, handlers } = this._kind;
    const error = new MultitaskError('UNKNOWN_MESSAGE', `actor ${definition.name} (${this.id}) has no handler for message type '${letter.type}'; ${handlerList(handlers)}`);
    if (letter.replier !== undefined) letter.replier.reject(error);
    else this._host.deadLetter(this.id, letter, error, definitionKey(definition));
  }

  /** What a reply of this actor is, for a `NOT_SERIALIZABLE` message: whose, to which message. */
  replyOf(type: string): string {
    return `the reply of actor ${this._kind.definition.name} (${this.id}) to '${type}'`;
  }

  /** The mailbox dropped `letter` to make room (`drop-oldest`). */
  dropped(letter: Letter): void {
    if (letter.from !== undefined && this._supervised) this._host.handled(this.id, letter.from);
    const error = new MultitaskError('MAILBOX_FULL', `dropped from the full mailbox of ${describeActor(this.id, this._label)} (drop-oldest)`, { actor: this.id });
    this._host.deadLetter(this.id, letter, error);
    letter.replier?.reject(error);
  }

  private _refuse(letter: Letter, error: Error): void {
    if (letter.from !== undefined && this._supervised) this._host.handled(this.id, letter.from);
    if (letter.refused !== undefined) letter.refused(error);
    else if (letter.replier !== undefined) letter.replier.reject(error);
    else this._host.deadLetter(this.id, letter, error);
  }
}

const UNBOUNDED_OPTIONS: MailboxOptions = Object.freeze({});
const NO_LETTERS: readonly Letter[] = Object.freeze([]);
/** Why most actors end: one object for all of them. */
const STOPPED_DOWN: DownReason = Object.freeze({ kind: 'stopped' });
const STARTED: Promise<void> = Promise.resolve();
const STOPPED: Promise<void> = STARTED;

/** Whether someone waits on the letter's fate (an ask's replier, a send's refusal). */
function waits(letter: Letter): boolean {
  return letter.refused !== undefined || letter.replier !== undefined;
}

const BUSY = 1;
const SCHEDULED = 2;
const SUPERVISED = 4;
/** Inside {@link ActorCell.run}: a handler is running now, plain or async. */
const IN_RUN = 8;
/** `ctx.stop()` was called while a handler ran: it ends as the handler returns. */
const STOP_WHEN_DONE = 16;
/** The status is kept above the flags, and the slot above the status. */
const STATUS_SHIFT = 5;
const STATUS_BITS = 7 << STATUS_SHIFT;
const SLOT_SHIFT = 8;
/** The flags and the status. */
const LOW_BITS = (1 << SLOT_SHIFT) - 1;
const STATUSES: readonly Status[] = ['starting', 'running', 'halted', 'stopping', 'stopped'];
const STARTING = 0 << STATUS_SHIFT;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

// Where it was made first: nodes and the system import it from here.
export { stoppedError };
