/**
 * The public shapes of an actor system: its events and options.
 * @packageDocumentation
 */
import type { Clock } from '../clock.js';
import type { Supervisor } from '../supervisor/Supervisor.js';
import type { ActorRef } from '../actor/ActorRef.js';
import type { AnyActorDefinition } from '../actor/defineActor.js';
import type { DownReason } from '../actor/DownReason.js';
// Types only: a system serves task sets without loading the pool's code.
import type { TaskSet } from '../pool/defineTasks.js';
import type { TelemetryOptions } from '../observe/Telemetry.js';

/**
 * A message that could not be delivered, as the `dead-letter` event reports it.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#DeadLetter}
 */
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

/**
 * Bytes from another machine that were dropped, as the `bad-frame` event reports them.
 *
 * @example
 * ```ts
 * system.on('bad-frame', ({ node, reason }) => console.warn(`dropped a frame from ${node ?? 'an unknown sender'}: ${reason}`));
 * ```
 */
export interface BadFrame {
  /** The node it came from, when that is known (a sender that is joined). */
  readonly node: string | undefined;
  /** Why it was dropped. */
  readonly reason: string;
}

/**
 * The events of an {@link ActorSystem}, with their arguments.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#SystemEvents}
 */
export interface SystemEvents {
  /** An actor started (its `onStart` completed). */
  'actor:started': [ref: ActorRef];
  /**
   * An actor is gone for good: asked to stop, stopped itself, or its thread or process
   * died (unsupervised actors), or its supervisor will not restart it.
   */
  'actor:stopped': [ref: ActorRef, reason: DownReason];
  /** An actor went down abnormally: a supervised handler threw, or its thread or process died. */
  'actor:crashed': [ref: ActorRef, reason: DownReason];
  /** A supervisor restarted an actor; `restarts` counts its restarts so far. */
  'actor:restarted': [ref: ActorRef, restarts: number];
  /** A supervisor restarted children more often than its intensity allows, stopped them, and gave up. */
  'supervisor:escalated': [supervisor: Supervisor, reason: DownReason];
  /** A handler of an unsupervised actor threw while handling a message nobody was waiting on (`tell`, `send`); the actor goes on. */
  'actor:failed': [ref: ActorRef, error: Error, messageType: string];
  /** A message could not be delivered. */
  'dead-letter': [letter: DeadLetter];
  /** Another system (a node of a cluster) joined this one. */
  'node:up': [node: string];
  /** A joined system left or became unreachable: what waited on it was settled with `NODE_DOWN`. */
  'node:down': [node: string, error: Error];
  /**
   * Bytes from another machine could not be read (damaged, of another codec version, past
   * `cluster.limits`, or from a sender that is not joined) and were dropped. What they
   * answered or carried, where it can be told, settles with `BAD_FRAME`.
   */
  'bad-frame': [frame: BadFrame];
  /**
   * This node lost its connection to the cluster's NATS server: until it is back, asks to
   * other nodes reject at once with `NODE_DOWN` and tells to them become dead letters.
   */
  'cluster:disconnected': [];
  /** This node's connection to the NATS server is back: it announces itself again. */
  'cluster:reconnected': [];
}

/**
 * Options of {@link createSystem}.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#SystemOptions}
 */
export interface SystemOptions {
  /**
   * The system's id: part of the address of every actor in it, so that ids of different
   * systems never collide. 1 to 64 letters, digits, `_` or `-`.
   * @defaultValue a random id
   */
  readonly id?: string;
  /**
   * The system's name among the systems it joins (a cluster's node name): placements on it
   * say `{ node: name }`.
   * @defaultValue the system's id
   */
  readonly node?: string;
  /**
   * What this system runs for other systems: actor definitions (`spawn(def, { placement: { node } })`
   * from a joined system) and task sets (workers of pools on other nodes, `createPool({ nodes })`).
   * Another system can only ask for these, by their key (module file name and definition or
   * task set name); nothing it sends is ever imported by path: a pool worker started here
   * loads this node's own copy of the task module.
   * @defaultValue none
   */
  readonly serve?: ReadonlyArray<AnyActorDefinition | TaskSet>;
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
   * Node flags for threads and processes. Threads refuse per-process flags given here
   * (`--max-old-space-size`, `--expose-gc`, ...): Node applies those to every thread.
   * @defaultValue `process.execArgv` (so loaders such as tsx carry over; threads inherit them, per-process flags included)
   */
  readonly execArgv?: readonly string[];
  /**
   * Copy what inline actors are sent and what they answer exactly as a thread would: spawn
   * arguments, `tell`/`send`/`ask` payloads and replies go through the same check and
   * structured clone as on a thread (a function or a symbol is refused with
   * `NOT_SERIALIZABLE`, a class instance arrives as a plain object, the receiver's copy
   * does not see later changes by the sender), and an error thrown by a handler reaches the
   * asker as a thread would rebuild it (its `name`, `message`, `code`, `stack`, `cause` and
   * own properties, but not its class unless it is a built-in one or a `MultitaskError`).
   *
   * @remarks
   * Code that works inline can break on a thread; turn this on in tests so that it breaks
   * inline first. It costs a structured clone per message (see the performance guide):
   * leave it off in production, where inline messages are handed over as they are.
   * Channels are not affected: an inline actor's channel items are not copied.
   * @defaultValue false
   */
  readonly copyInline?: boolean;
  /**
   * OpenTelemetry metrics and traces, through `@opentelemetry/api` (an optional peer
   * dependency, loaded only when one is on; install it and an SDK). Each thread and process
   * records with the providers registered there (an SDK loaded with `--import` is: hosts
   * inherit `execArgv`). See the observability guide.
   * @defaultValue off
   */
  readonly telemetry?: TelemetryOptions;
  /**
   * Publish each handler's start and end on the `multitask:handler:start` and
   * `multitask:handler:end` diagnostics channels, on every host. They are on anyway on a
   * thread where someone subscribed to them before the system (or the host) started.
   * @defaultValue false
   */
  readonly diagnostics?: boolean;
  /** The clock for timeouts on this thread; inject one to test timeouts without waiting. */
  readonly clock?: Clock;
  /**
   * Random numbers in [0, 1) for the jitter of restart backoffs; inject one for repeatable tests.
   * @defaultValue `Math.random`
   */
  readonly random?: () => number;
}
