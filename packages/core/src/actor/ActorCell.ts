import { MultitaskError } from '../errors.js';
import type { ActorId, NodeId } from '../wire/ids.js';
import type { MailboxOptions } from '../wire/protocol.js';
import type { ActorRef } from './ActorRef.js';
import { definitionKey, type ActorContext, type AnyActorDefinition, type Handler } from './defineActor.js';
import { Mailbox, tellLetter, type Letter } from './Mailbox.js';
import { scheduleLater, scheduleSoon } from './RunQueue.js';
import type { Grace, Graces } from './Graces.js';
import { Context, kindOf, type DefinitionKind } from './Context.js';
import type { ActorServices } from './ActorServices.js';
import type { DownReason } from './DownReason.js';
import { Family, type FamilyCell } from './Family.js';
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
  readonly id: ActorId;
  readonly name: string | undefined;
  /**
   * The mailbox. An unbounded one (the default) exists only while messages wait: an idle
   * actor holds none (a third of an idle actor's memory was an empty mailbox). A bounded one
   * stays, for its capacity and policy.
   */
  #mailbox: Mailbox | undefined;
  readonly #host: CellHost;
  /** The definition, with its handlers by type (one object for all actors of a definition). */
  readonly #kind: DefinitionKind;
  readonly #ctx: ActorContext<unknown>;
  #status: Status = 'starting';
  /** `BUSY | SCHEDULED | SUPERVISED`. */
  #flags: number;
  /**
   * When the running async handler started (`performance.now()`, in whole milliseconds: a
   * fraction would take a number object of its own in every cell), for `handlerTimeout`.
   */
  #busySince = 0;
  /** The letter whose async handler is running. */
  #current: Letter | undefined;
  /** The children, watches and timers of this incarnation, made on first use. */
  #family: Family | undefined;
  /** The actor on this node whose child this one is (it is told when this one ends). */
  parent: ActorId | undefined;
  /** The ref to this actor, made on first use (`ctx.self`, the ref its spawn resolves with). */
  #ref: ActorRef | undefined;
  /** What most actors never need: made for a supervised actor, or when it stops. */
  #rare: Rare | undefined;
  /** Messages whose handler ran (a plain number: the snapshot and the message rates read it). */
  handled = 0;

  private constructor(host: CellHost, id: ActorId, name: string | undefined, definition: AnyActorDefinition, mailbox: MailboxOptions, generation: number | undefined, label: string | undefined) {
    this.#host = host;
    this.#flags = generation === undefined ? 0 : SUPERVISED;
    if (generation !== undefined || label !== name) this.#rare = rare(generation ?? 0, label);
    this.id = id;
    this.name = name;
    this.#kind = kindOf(definition);
    if (mailbox.capacity !== undefined || mailbox.overflow !== undefined) this.#mailbox = new Mailbox(mailbox);
    this.#ctx = new Context(this);
  }

  /** The mailbox, made when a message comes (unbounded ones). */
  get #box(): Mailbox {
    return (this.#mailbox ??= new Mailbox(UNBOUNDED_OPTIONS));
  }

  /** How many messages wait. */
  get queued(): number {
    return this.#mailbox === undefined ? 0 : this.#mailbox.length;
  }

  /** Everything waiting, as letters; an unbounded mailbox goes with it. */
  #drain(): Letter[] {
    const mailbox = this.#mailbox;
    if (mailbox === undefined || mailbox.size === 0) return [];
    if (mailbox.unbounded) this.#mailbox = undefined;
    return mailbox.drainLetters();
  }

  /** The ref to this actor (one per actor, made when first asked for). */
  get ref(): ActorRef {
    return (this.#ref ??= this.#host.makeRef(this.id, this.name));
  }

  /** What its errors call it: its supervised path, else its name (see {@link describeActor}). */
  get #label(): string | undefined {
    return this.#rare === undefined ? this.name : this.#rare.label;
  }

  get #supervised(): boolean {
    return (this.#flags & SUPERVISED) !== 0;
  }

  get #busy(): boolean {
    return (this.#flags & BUSY) !== 0;
  }

  set #busy(busy: boolean) {
    this.#flags = busy ? this.#flags | BUSY : this.#flags & ~BUSY;
  }

  /** The supervisor's count of this actor's starts. */
  get #generation(): number {
    return this.#rare?.generation ?? 0;
  }

  #rareOnes(): Rare {
    return (this.#rare ??= rare(0, this.name));
  }

  /** `ctx.signal`. */
  get signal(): AbortSignal {
    const life = this.#rareOnes();
    if (life.lifetime === undefined) {
      life.lifetime = new AbortController();
      if (life.ended === true || (life.ended === undefined && this.#status === 'stopped')) life.ended = stoppedError(this.id, this.#label);
      if (life.ended !== undefined) life.lifetime.abort(life.ended);
    }
    return life.lifetime.signal;
  }

  /** The actor's children, watches and timers (made on first use). */
  get family(): Family {
    return (this.#family ??= new Family(this, this.#host.services));
  }

  get familyIfAny(): Family | undefined {
    return this.#family;
  }

  /** Whether this incarnation takes new work. */
  get alive(): boolean {
    return this.#status === 'running' || this.#status === 'starting';
  }

  /** Where it is in its life, for the snapshot. */
  get status(): Status {
    return this.#status;
  }

  /** Its definition's name. */
  get definitionName(): string {
    return this.#kind.definition.name;
  }

  /** Its definition (the snapshot reads its key). */
  get definition(): AnyActorDefinition {
    return this.#kind.definition;
  }

  /** What errors call it: its supervised path, else its name. */
  get label(): string | undefined {
    return this.#label;
  }

  /** Messages waiting in its mailbox. */
  get depth(): number {
    return this.queued;
  }

  /** Its mailbox's capacity (`Infinity`: unbounded). */
  get capacity(): number {
    return this.#mailbox === undefined ? Number.POSITIVE_INFINITY : this.#mailbox.capacity;
  }

  get hasOnDown(): boolean {
    return this.#kind.definition.onDown !== undefined;
  }

  /** A timer of this actor fired: its message goes in line like any other. */
  deliverSelf(type: string, payload: unknown): void {
    this.deliverTell(type, payload, undefined);
  }

  /** Ends this incarnation's family (its timers, watches, then its children, last first). */
  async #endFamily(): Promise<void> {
    const family = this.#family;
    if (family === undefined) return;
    this.#family = undefined;
    await family.end();
  }

  /** `ctx.stop()`. */
  stopSelf(): void {
    this.#host.stopSelf(this.id, this.#generation);
  }

  /** Ends this incarnation: aborts `ctx.signal`, now or when first asked for. */
  #end(): void {
    // The reason is made only when a signal was handed out: an error (and its stack) per
    // stopped actor was a sixth of a tree of short-lived actors' time.
    const life = this.#rareOnes();
    if (life.lifetime === undefined) life.ended = true;
    else life.lifetime.abort((life.ended = stoppedError(this.id, this.#label)));
  }

  /**
   * Creates a cell in the `starting` state: it queues messages until {@link ActorCell.start} is done.
   * A supervised cell (one given its supervisor's `generation`) crashes when a handler
   * throws (see {@link CellHost.crashed}). `label` names it in errors (default: `name`).
   */
  static create(host: CellHost, id: ActorId, name: string | undefined, definition: AnyActorDefinition, mailbox: MailboxOptions, generation?: number, label = name): ActorCell {
    return new ActorCell(host, id, name, definition, mailbox, generation, label);
  }

  /** Milliseconds the running async handler has been running; 0 when idle. */
  get busyFor(): number {
    return this.#busy ? performance.now() - this.#busySince : 0;
  }

  /**
   * Builds the state with `init(args)`, runs `onStart`, and starts handling messages.
   * @throws MultitaskError `SPAWN_FAILED` with the hook's error as `cause`
   */
  start(args: unknown): Promise<void> {
    if (this.#supervised) (this.#rare as Rare).args = args; // a restart runs init with them again
    const definition = this.#kind.definition;
    if (!this.#supervised && definition.onStart === undefined) {
      // The common case, at once: an init that returns its state, no hook to wait for (a
      // promise chain per spawn was a third of a tree of short-lived actors' time).
      let state: unknown;
      try {
        state = (definition.init as (args: unknown) => unknown)(args);
      } catch (error) {
        return Promise.reject(this.#failedStart(new MultitaskError('SPAWN_FAILED', `actor ${definition.name} failed to start: ${errorMessage(error)}`, { cause: error })));
      }
      if (!isThenable(state)) {
        this.#ctx.state = state;
        this.#status = 'running';
        this.#schedule();
        return STARTED;
      }
    }
    return this.#init(args, this.#generation > 1 ? { state: undefined } : undefined).catch((error: unknown) => {
      throw this.#failedStart(error);
    });
  }

  /** The start failed: what waited is refused; the error goes on. */
  #failedStart(error: unknown): unknown {
    this.#status = 'stopped';
    for (const letter of this.#drain()) this.#refuse(letter, stoppedError(this.id, this.#label));
    return error;
  }

  /** `init`, then `onRestart` (on a restart, with the previous state when it survived), then `onStart`. */
  async #init(args: unknown, restart?: { readonly state: unknown }): Promise<void> {
    const definition = this.#kind.definition;
    try {
      const state = (definition.init as (args: unknown) => unknown)(args);
      this.#ctx.state = isThenable(state) ? await state : state;
      if (restart !== undefined) await definition.onRestart?.(this.#ctx as ActorContext<never>, restart.state as never);
      if (definition.onStart !== undefined) await definition.onStart(this.#ctx as ActorContext<never>);
    } catch (error) {
      throw new MultitaskError('SPAWN_FAILED', `actor ${definition.name} failed to start: ${errorMessage(error)}`, { cause: error });
    }
    if (this.#status !== 'starting') return;
    this.#status = 'running';
    this.#schedule();
  }

  /**
   * Supervision, first half of a restart: stops handling messages. A running handler gets
   * `grace` ms to finish (then it is abandoned, its `ask` rejected with `ACTOR_STOPPED`)
   * and `onStop` runs; a crashed actor is already halted. Queued messages stay.
   */
  async halt(grace: number, graces: Graces): Promise<void> {
    if (this.#status !== 'running' && this.#status !== 'starting') return void (await this.#rare?.ending);
    this.#status = 'halted';
    this.#end();
    await this.#settle(grace, graces);
    await this.#endFamily();
    await this.#onStop();
    this.#host.ended(this.id, this.parent, { kind: 'stopped' });
  }

  /**
   * Supervision, second half of a restart: `init` runs again with the spawn arguments,
   * then `onStart`, then the queued messages are handled.
   * @throws MultitaskError `SPAWN_FAILED` (the actor stays halted)
   */
  async restart(generation: number): Promise<void> {
    if (this.#status !== 'halted') return;
    this.#status = 'starting';
    const life = this.#rareOnes();
    life.generation = generation;
    life.lifetime = undefined;
    life.ended = undefined;
    await life.ending;
    life.ending = undefined;
    try {
      await this.#init(life.args, { state: this.#ctx.state });
    } catch (error) {
      if (this.#status === 'starting') this.#status = 'halted';
      throw error;
    }
  }

  get stopping(): boolean {
    return this.#status === 'stopping' || this.#status === 'stopped';
  }

  /**
   * Offers a letter: it is queued, parked (backpressure) or refused. An `ask` or `send` to a
   * handler that takes no payload, whose payload looks like its options, is refused with
   * `INVALID_ARGUMENT` (JavaScript lets `ask('get', { timeout: 5 })` through; only this
   * cell knows the handler, whatever node the ref is on).
   */
  deliver(letter: Letter): void {
    if (this.stopping) return this.#refuse(letter, stoppedError(this.id, this.#label));
    if (typeof letter.payload === 'object' && letter.payload !== null) {
      const misplaced = optionsAsPayload(letter.replier === undefined ? 'send' : 'ask', letter.type, this.#kind.handlers.get(letter.type), letter.payload);
      if (misplaced !== undefined && waits(letter)) return this.#refuse(letter, misplaced);
    }
    const offer = this.#box.offer(letter, this);
    if (offer === 'accepted') {
      letter.accepted?.();
      this.#schedule();
    } else if (offer === 'refused') this.#full(letter);
  }

  /**
   * Offers a plain tell, without making a letter for it on the way in. `from`, the node a tell
   * came from, matters only to a supervised actor, which acknowledges the tell there.
   */
  deliverTell(type: string, payload: unknown, from: NodeId | undefined): void {
    if (from !== undefined && this.#supervised) return this.deliver({ type, payload, replier: undefined, accepted: undefined, refused: undefined, from });
    if (this.stopping) return this.#refuse(tellLetter(type, payload), stoppedError(this.id, this.#label));
    const offer = this.#box.offerTell(type, payload, this);
    if (offer === 'accepted') this.#schedule();
    else if (offer === 'refused') this.#full(tellLetter(type, payload));
  }

  #full(letter: Letter): void {
    const error = new MultitaskError('MAILBOX_FULL', `the mailbox of ${describeActor(this.id, this.#label)} is full (capacity ${this.#box.capacity})`, { actor: this.id });
    if (this.#box.overflow === 'drop-newest' && waits(letter)) this.#host.deadLetter(this.id, letter, error);
    this.#refuse(letter, error);
  }

  /**
   * Stops the actor: lets the running handler finish (for at most `grace`), runs `onStop`,
   * then refuses what is still queued with `ACTOR_STOPPED`. A handler still running after
   * the grace is abandoned and its `ask` rejected with `ACTOR_STOPPED`. Idempotent.
   */
  stop(grace: number, graces: Graces): Promise<void> {
    if (this.#rare?.stopped === undefined && this.#status === 'stopped') return STOPPED; // by stopIdle
    const life = this.#rareOnes();
    life.stopped ??= this.#stop(grace, graces);
    return life.stopped;
  }

  /**
   * {@link ActorCell.stop} at once, for an actor with nothing to wait for (no running
   * handler, no children, watches or timers, no `onStop`): what a shutdown of a million idle
   * actors does a million times, without a promise each. False (nothing done): use `stop`.
   */
  stopIdle(): boolean {
    if (this.#status !== 'running' || this.#busy || this.#family !== undefined || this.#kind.definition.onStop !== undefined) return false;
    this.#status = 'stopping';
    if (this.#rare !== undefined) this.#end(); // else `signal` learns of the end from the status
    this.#stopped(true);
    return true;
  }

  /** The last step of a stop: what is still queued is refused, and the end reported (`report`: a halted one was, when it halted). */
  #stopped(report: boolean): void {
    this.#status = 'stopped';
    for (const letter of this.#drain()) this.#refuse(letter, stoppedError(this.id, this.#label));
    const escalation = this.#rare?.escalation;
    if (report) this.#host.ended(this.id, this.parent, escalation === undefined ? { kind: 'stopped' } : { kind: 'error', error: escalation });
  }

  async #stop(grace: number, graces: Graces): Promise<void> {
    const ran = this.#status === 'running';
    const halted = this.#status === 'halted';
    this.#status = 'stopping';
    this.#end();
    // Only what there is to wait for is awaited: a stop is no promise more than it must be.
    if (this.#busy) await this.#settle(grace, graces);
    if (this.#family !== undefined) await this.#endFamily(); // children first, the last started first
    if (this.#rare?.ending !== undefined) await this.#rare.ending;
    if (ran && this.#kind.definition.onStop !== undefined) await this.#onStop();
    this.#stopped(!halted);
  }

  /** Waits for the running handler, at most `grace` ms; then abandons it. */
  async #settle(grace: number, graces: Graces): Promise<void> {
    if (this.#busy) {
      let timer: Grace | undefined;
      const life = this.#rareOnes();
      await new Promise<void>((resolve) => {
        life.idle = resolve;
        timer = graces.start(grace, () => {
          this.#current?.replier?.reject(stoppedError(this.id, this.#label));
          resolve();
        });
      });
      if (timer !== undefined) graces.end(timer);
      life.idle = undefined;
      this.#busy = false;
      this.#current = undefined;
    }
  }

  async #onStop(): Promise<void> {
    try {
      await this.#kind.definition.onStop?.(this.#ctx as ActorContext<never>);
    } catch (error) {
      this.#host.failure(this.id, 'onStop', error);
    }
  }

  #schedule(yieldFirst = false): void {
    if ((this.#flags & (SCHEDULED | BUSY)) !== 0) return;
    this.#flags |= SCHEDULED;
    if (yieldFirst) scheduleLater(this);
    else scheduleSoon(this);
  }

  /** Handles what is in the mailbox, one message at a time, for at most a time slice (the run queue calls it). */
  run(): void {
    this.#flags &= ~SCHEDULED;
    const start = performance.now();
    const handlers = this.#kind.handlers;
    const observer = this.#host.observer; // read once a slice: one set meanwhile sees the next
    for (let handled = 1; ; handled++) {
      if (handled % CHECK_EVERY === 0 && performance.now() - start > SLICE_MS) break;
      if (this.#status !== 'running' || this.#busy) return;
      const mailbox = this.#mailbox;
      const head = mailbox?.take();
      if (head === undefined) {
        if (mailbox?.unbounded === true && mailbox.size === 0) this.#mailbox = undefined; // idle: it holds no mailbox
        return;
      }
      const payload = (mailbox as Mailbox).takePayload();
      // A plain tell comes as its type and payload; the rest as letters.
      const letter = typeof head === 'string' ? undefined : head;
      const type = letter === undefined ? (head as string) : letter.type;
      const data = letter === undefined ? payload : letter.payload;
      if (letter?.from !== undefined && this.#supervised) this.#host.handled(this.id, letter.from);
      const handler = handlers.get(type);
      if (handler === undefined) {
        this.#unknown(letter ?? tellLetter(type, data));
        continue;
      }
      let result: unknown;
      this.handled++;
      try {
        if (observer === undefined) result = handler(this.#ctx, data as never);
        else result = observer.handle(this, type, letter?.trace, handler as never, this.#ctx, data);
      } catch (error) {
        this.#failed(letter ?? tellLetter(type, data), error);
        continue;
      }
      if (isThenable(result)) {
        // The letter marks the running handler: stop() abandons it by identity.
        const current = letter ?? tellLetter(type, data);
        this.#busy = true;
        this.#busySince = Math.floor(performance.now());
        this.#current = current;
        result.then((value) => this.#finish(current, true, value), (error: unknown) => this.#finish(current, false, error));
        return;
      }
      letter?.replier?.resolve(result);
    }
    this.#schedule(true);
  }

  #finish(letter: Letter, ok: boolean, value: unknown): void {
    if (this.#current !== letter) return; // abandoned by stop()
    this.#busy = false;
    this.#current = undefined;
    if (ok) letter.replier?.resolve(value);
    else this.#failed(letter, value);
    const idle = this.#rare?.idle;
    if (idle !== undefined) {
      idle();
      (this.#rare as Rare).idle = undefined;
    } else this.run();
  }

  /** A handler threw: its asker gets the error; a supervised actor crashes, an unsupervised one goes on. */
  #failed(letter: Letter, error: unknown): void {
    letter.replier?.reject(error);
    if (this.#supervised) this.#crash(error);
    else if (letter.replier === undefined && !this.#endedByStop(error)) this.#host.failure(this.id, letter.type, error);
  }

  /** A supervised actor crashes: it halts, its supervisor hears of it, its family ends. */
  #crash(error: unknown): void {
    if (this.#status !== 'running') return;
    this.#status = 'halted';
    this.#end();
    this.#host.crashed(this.id, error, this.#generation);
    this.#rareOnes().ending = this.#endFamily();
    this.#host.ended(this.id, this.parent, { kind: 'error', error: error instanceof Error ? error : new Error(errorMessage(error)) });
  }

  /**
   * A supervisor this actor started gave up: the actor crashes with `error`. A supervised
   * actor is then its supervisor's to restart; an unsupervised one stops, with that error
   * as its reason.
   */
  escalate(error: Error): void {
    if (!this.alive) return;
    if (this.#supervised) return this.#crash(error);
    this.#rareOnes().escalation = error;
    this.#host.stopSelf(this.id, this.#generation);
  }

  /** A handler that gave up a wait because the actor stopped (`ctx.signal`) did not fail. */
  #endedByStop(error: unknown): boolean {
    const ended = this.#rare?.ended;
    return error instanceof MultitaskError && error.code === 'ABORTED' && ended !== undefined && error.cause === ended;
  }

  #unknown(letter: Letter): void {
    const { definition, handlers } = this.#kind;
    const error = new MultitaskError('UNKNOWN_MESSAGE', `actor ${definition.name} (${this.id}) has no handler for message type '${letter.type}'; ${handlerList(handlers)}`);
    if (letter.replier !== undefined) letter.replier.reject(error);
    else this.#host.deadLetter(this.id, letter, error, definitionKey(definition));
  }

  /** What a reply of this actor is, for a `NOT_SERIALIZABLE` message: whose, to which message. */
  replyOf(type: string): string {
    return `the reply of actor ${this.#kind.definition.name} (${this.id}) to '${type}'`;
  }

  /** The mailbox dropped `letter` to make room (`drop-oldest`). */
  dropped(letter: Letter): void {
    if (letter.from !== undefined && this.#supervised) this.#host.handled(this.id, letter.from);
    const error = new MultitaskError('MAILBOX_FULL', `dropped from the full mailbox of ${describeActor(this.id, this.#label)} (drop-oldest)`, { actor: this.id });
    this.#host.deadLetter(this.id, letter, error);
    letter.replier?.reject(error);
  }

  #refuse(letter: Letter, error: Error): void {
    if (letter.from !== undefined && this.#supervised) this.#host.handled(this.id, letter.from);
    if (letter.refused !== undefined) letter.refused(error);
    else if (letter.replier !== undefined) letter.replier.reject(error);
    else this.#host.deadLetter(this.id, letter, error);
  }
}

const UNBOUNDED_OPTIONS: MailboxOptions = Object.freeze({});
const STARTED: Promise<void> = Promise.resolve();
const STOPPED: Promise<void> = STARTED;

/** Whether someone waits on the letter's fate (an ask's replier, a send's refusal). */
function waits(letter: Letter): boolean {
  return letter.refused !== undefined || letter.replier !== undefined;
}

const BUSY = 1;
const SCHEDULED = 2;
const SUPERVISED = 4;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

// Where it was made first: nodes and the system import it from here.
export { stoppedError };
