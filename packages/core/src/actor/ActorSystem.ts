import { EventEmitter } from 'eventemitter3';
import { systemClock, type Clock } from '../clock.js';
import { MultitaskError } from '../errors.js';
import { actorId, MAIN_NODE, nodeOf, type ActorId } from '../ids.js';
import type { MailboxOptions } from '../protocol.js';
import { ActorCell, errorMessage } from './ActorCell.js';
import type { ActorRef } from './ActorRef.js';
import { isActorDefinition, type AnyActorDefinition } from './defineActor.js';
import { HostTable, type HostRecord, type StopReason, type ThreadLimits } from './HostTable.js';
import { checkMailboxOptions } from './Mailbox.js';
import { scan } from '../cloneCheck.js';
import { encode } from './messageCodec.js';
import { Runtime, type RuntimeSink } from './Runtime.js';
import type { ArgsOf } from './types.js';

/**
 * Where an actor runs:
 * - `inline`: in the calling thread; cheapest messages, no isolation.
 * - `thread`: in its own worker thread; runs in parallel, shares the process.
 * - `process`: in its own child process; full isolation, costliest messages.
 */
export type Placement = 'inline' | 'thread' | 'process';

/** A message that could not be delivered, as the `dead-letter` event reports it. */
export interface DeadLetter {
  /** The actor the message was for. */
  readonly recipient: ActorRef;
  /** The message type. */
  readonly type: string;
  /** The payload. */
  readonly payload: unknown;
  /** Why it was not delivered (`ACTOR_STOPPED`, `MAILBOX_FULL`, `UNKNOWN_MESSAGE`, ...). */
  readonly error: Error;
}

/** The events of an {@link ActorSystem}, with their arguments. */
export interface SystemEvents {
  /** An actor started (its `onStart` completed). */
  'actor:started': [ref: ActorRef];
  /** An actor stopped: asked to, or its thread or process died. */
  'actor:stopped': [ref: ActorRef, reason: StopReason];
  /** A handler threw while handling a message nobody was waiting on (`tell`, `send`); the actor goes on. */
  'actor:failed': [ref: ActorRef, error: Error, messageType: string];
  /** A message could not be delivered. */
  'dead-letter': [letter: DeadLetter];
}

/** Options of {@link createSystem}. */
export interface SystemOptions {
  /**
   * Milliseconds an `ask` waits for its reply when it names no `timeout`.
   * @defaultValue 30000
   */
  readonly askTimeout?: number;
  /**
   * Milliseconds a stopping actor may take to finish: its running handler gets half of it
   * (then it is abandoned and its `ask` rejected with `ACTOR_STOPPED`), then `onStop` runs;
   * a thread or process still busy after the whole of it is ended.
   * @defaultValue 5000
   */
  readonly shutdownTimeout?: number;
  /**
   * Milliseconds a thread or process actor may take to load and start.
   * @defaultValue 60000
   */
  readonly spawnTimeout?: number;
  /**
   * Node flags for threads and processes.
   * @defaultValue `process.execArgv` (so loaders such as tsx carry over)
   */
  readonly execArgv?: readonly string[];
  /** The clock for timeouts on this thread; inject one to test timeouts without waiting. */
  readonly clock?: Clock;
}

/** Options of {@link ActorSystem.spawn} that do not depend on the definition. */
export interface SpawnOptionsBase {
  /**
   * Where the actor runs.
   * @defaultValue `'inline'`
   */
  readonly placement?: Placement;
  /** Registers the actor under this name, for {@link ActorSystem.lookup}. Unique in the system. */
  readonly name?: string;
  /** Mailbox capacity and overflow policy. */
  readonly mailbox?: MailboxOptions;
  /** Memory limits, for the `thread` placement. */
  readonly resourceLimits?: ThreadLimits;
}

/** Options of {@link ActorSystem.spawn}: `args` is required when the definition's `init` needs it. */
export type SpawnOptions<A> = SpawnOptionsBase &
  (undefined extends A
    ? {
        /** The argument of the definition's `init`. */
        readonly args?: A;
      }
    : {
        /** The argument of the definition's `init` (required: `init` needs it). */
        readonly args: A;
      });

/** The rest parameters of {@link ActorSystem.spawn} for a definition `D`. */
export type SpawnArgs<D> = undefined extends ArgsOf<D> ? [options?: SpawnOptions<ArgsOf<D>>] : [options: SpawnOptions<ArgsOf<D>>];

const PLACEMENTS: readonly Placement[] = ['inline', 'thread', 'process'];

/**
 * A set of actors and the threads and processes that host them. Create one with
 * {@link createSystem}; end it with {@link ActorSystem.shutdown} (or `await using`).
 *
 * @example
 * ```ts
 * import { createSystem } from '@multitask/core';
 * import { Counter } from './counter.js';
 *
 * await using system = createSystem();
 * const counter = await system.spawn(Counter, { placement: 'thread', args: 0 });
 * counter.tell('add', 2);
 * console.log(await counter.ask('get')); // 2
 * ```
 */
export class ActorSystem extends EventEmitter<SystemEvents> {
  readonly #runtime: Runtime;
  readonly #hosts: HostTable;
  readonly #names = new Map<string, ActorRef | null>();
  readonly #shutdownTimeout: number;
  readonly #spawnTimeout: number;
  #inlineSeq = 0;
  #shutdown: Promise<void> | undefined;

  /** @internal */
  constructor(options: SystemOptions = {}) {
    super();
    const askTimeout = positive(options.askTimeout, 30_000, 'options.askTimeout');
    this.#shutdownTimeout = positive(options.shutdownTimeout, 5_000, 'options.shutdownTimeout');
    this.#spawnTimeout = positive(options.spawnTimeout, 60_000, 'options.spawnTimeout');
    const stopGrace = this.#shutdownTimeout / 2;
    this.#runtime = new Runtime({ node: MAIN_NODE, kind: 'main', clock: options.clock ?? systemClock, askTimeout, stopGrace, parent: undefined, sink: this.#sink() });
    this.#hosts = new HostTable(this.#runtime, { askTimeout, stopGrace, execArgv: options.execArgv, onGone: (record, reason) => this.#hostGone(record, reason) });
  }

  /**
   * How many envelopes the main thread has passed on between other nodes.
   * @internal
   */
  get forwardedCount(): number {
    return this.#runtime.forwarded;
  }

  /** True once {@link ActorSystem.shutdown} has been called. */
  get isShutDown(): boolean {
    return this.#shutdown !== undefined;
  }

  /**
   * Starts an actor and resolves with a typed ref to it once its `onStart` has run.
   *
   * @param definition - what {@link defineActor} returned
   * @param options - `placement`, `args` (for `init`), `name`, `mailbox`, `resourceLimits`
   * @throws (rejects with) {@link MultitaskError} `SPAWN_FAILED` (module or export missing,
   * `init`/`onStart` threw), `NAME_TAKEN`, `NOT_SERIALIZABLE` (args), `INVALID_ARGUMENT`,
   * `ACTOR_STOPPED` (the system is shut down)
   */
  async spawn<D extends AnyActorDefinition>(definition: D, ...options: SpawnArgs<D>): Promise<ActorRef<D>> {
    const opts: Partial<SpawnOptionsBase & { args: unknown }> = options[0] ?? {};
    const placement = this.#checkSpawn(definition, opts);
    const name = opts.name;
    if (name !== undefined) this.#names.set(name, null);
    try {
      const ref = placement === 'inline' ? await this.#spawnInline(definition, opts) : await this.#spawnHosted(placement, definition, opts);
      if (name !== undefined) this.#names.set(name, ref);
      this.#emit('actor:started', ref);
      return ref as ActorRef<D>;
    } catch (error) {
      if (name !== undefined) this.#names.delete(name);
      throw error;
    }
  }

  #checkSpawn(definition: AnyActorDefinition, opts: Partial<SpawnOptionsBase & { args: unknown }>): Placement {
    if (this.#shutdown !== undefined) throw new MultitaskError('ACTOR_STOPPED', 'the actor system is shut down');
    if (!isActorDefinition(definition)) throw new MultitaskError('INVALID_ARGUMENT', 'spawn: definition must be a value returned by defineActor');
    const placement = opts.placement ?? 'inline';
    if (!PLACEMENTS.includes(placement)) throw new MultitaskError('INVALID_ARGUMENT', `options.placement must be 'inline', 'thread' or 'process' (got ${String(placement)})`);
    if (opts.name !== undefined && (typeof opts.name !== 'string' || opts.name.length === 0)) {
      throw new MultitaskError('INVALID_ARGUMENT', 'options.name must be a non-empty string');
    }
    if (opts.name !== undefined && this.#names.has(opts.name)) throw new MultitaskError('NAME_TAKEN', `an actor named '${opts.name}' already exists`);
    checkMailboxOptions(opts.mailbox);
    scan(opts.args, 'args');
    return placement;
  }

  async #spawnInline(definition: AnyActorDefinition, opts: Partial<SpawnOptionsBase & { args: unknown }>): Promise<ActorRef> {
    const id = actorId(MAIN_NODE, ++this.#inlineSeq);
    const cell = ActorCell.create(this.#runtime, id, opts.name, definition, opts.mailbox ?? {});
    this.#runtime.cells.set(id, cell);
    try {
      await cell.start(opts.args);
    } catch (error) {
      this.#runtime.cells.delete(id);
      throw error;
    }
    return this.#runtime.makeRef(id, opts.name);
  }

  async #spawnHosted(kind: 'thread' | 'process', definition: AnyActorDefinition, opts: Partial<SpawnOptionsBase & { args: unknown }>): Promise<ActorRef> {
    const record = this.#hosts.start(kind, opts.resourceLimits);
    const id = actorId(record.node, 1);
    const wire = encode(opts.args, this.#runtime);
    try {
      await this.#runtime.request(
        record.node,
        (cid) => ({ kind: 'spawn', dst: record.node, from: MAIN_NODE, cid, id, url: definition.url, definition: definition.name, args: wire.value, enc: wire.enc, mailbox: opts.mailbox ?? {}, name: opts.name }),
        { timeout: this.#spawnTimeout, what: `spawn of ${definition.name}` },
      );
    } catch (error) {
      await this.#hosts.stop(record.node, this.#shutdownTimeout);
      if (error instanceof MultitaskError && error.code === 'SPAWN_FAILED') throw error;
      throw new MultitaskError('SPAWN_FAILED', `actor ${definition.name} (${definition.url}) failed to start on a ${kind}: ${errorMessage(error)}`, { cause: error });
    }
    const ref = this.#runtime.makeRef(id, opts.name);
    record.actors.set(id, ref);
    return ref;
  }

  /**
   * The actor registered under `name`, if it is running.
   * @param name - the `name` given at spawn
   */
  lookup(name: string): ActorRef | undefined {
    return this.#names.get(name) ?? undefined;
  }

  /**
   * Stops an actor: its running handler finishes, `onStop` runs, messages still queued are
   * refused with `ACTOR_STOPPED`, and its thread or process ends. Resolves when it is gone.
   * @param ref - the actor to stop; stopping a stopped actor does nothing
   */
  async stop(ref: ActorRef): Promise<void> {
    const node = nodeOf(ref.id);
    if (node !== MAIN_NODE) return this.#hosts.stop(node, this.#shutdownTimeout);
    if (!this.#runtime.cells.has(ref.id)) return;
    await this.#runtime.stopLocal(ref.id);
    this.#forget(ref, { kind: 'stopped' });
  }

  /**
   * Stops every actor (running their `onStop` hooks), ends every thread and process, and
   * rejects whatever still waits with `ACTOR_STOPPED`. Afterwards nothing of the system
   * keeps the process alive. Idempotent.
   */
  shutdown(): Promise<void> {
    this.#shutdown ??= this.#shutdownNow();
    return this.#shutdown;
  }

  async #shutdownNow(): Promise<void> {
    const inline = [...this.#runtime.cells.values()].map((cell) => this.stop(this.#runtime.makeRef(cell.id, cell.name)));
    const hosted = this.#hosts.nodes.map((node) => this.#hosts.stop(node, this.#shutdownTimeout));
    await Promise.all([...inline, ...hosted]);
    this.#runtime.pending.rejectAll(new MultitaskError('ACTOR_STOPPED', 'the actor system is shut down'));
  }

  /** Shuts the system down: `await using system = createSystem()`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown();
  }

  #hostGone(record: HostRecord, reason: StopReason): void {
    for (const ref of record.actors.values()) this.#forget(ref, reason);
  }

  #forget(ref: ActorRef, reason: StopReason): void {
    if (ref.name !== undefined && this.#names.get(ref.name)?.id === ref.id) this.#names.delete(ref.name);
    this.#emit('actor:stopped', ref, reason);
  }

  #sink(): RuntimeSink {
    return {
      deadLetter: (to, type, payload, error) => this.#emit('dead-letter', { recipient: this.#refTo(to), type, payload, error }),
      failure: (actor, type, error) => this.#emit('actor:failed', this.#refTo(actor), error instanceof Error ? error : new Error(errorMessage(error)), type),
      connect: (from, peer) => this.#hosts.connect(from, peer),
    };
  }

  #refTo(id: ActorId): ActorRef {
    const cell = this.#runtime.cells.get(id);
    return this.#runtime.makeRef(id, cell?.name ?? this.#hosts.get(nodeOf(id))?.actors.get(id)?.name);
  }

  /** Calls each listener on its own: one that throws does not keep the others from the event. */
  #emit<E extends keyof SystemEvents>(event: E, ...args: SystemEvents[E]): void {
    for (const listener of this.listeners(event)) {
      try {
        (listener as (...a: SystemEvents[E]) => void)(...args);
      } catch (error) {
        process.emitWarning(`a '${event}' listener threw: ${errorMessage(error)}`, { code: 'MULTITASK_LISTENER' });
      }
    }
  }
}

/**
 * Creates an actor system.
 * @param options - default ask timeout, shutdown and spawn timeouts, `execArgv` for hosts, clock
 * @throws {@link MultitaskError} `INVALID_ARGUMENT` for a bad option
 *
 * @example
 * ```ts
 * import { createSystem } from '@multitask/core';
 * const system = createSystem({ askTimeout: 5_000 });
 * // ... spawn actors ...
 * await system.shutdown();
 * ```
 */
export function createSystem(options?: SystemOptions): ActorSystem {
  return new ActorSystem(options);
}

function positive(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value > 0)) throw new MultitaskError('INVALID_ARGUMENT', `${what} must be a positive number of milliseconds`);
  return value;
}
