/**
 * Every error multitask raises carries a code from {@link ErrorCode}.
 *
 * @packageDocumentation
 */
import type { ActorId } from './wire/ids.js';

/**
 * The codes a {@link MultitaskError} can carry. Compare against these values, never
 * against messages.
 *
 * @example
 * ```ts
 * import { ErrorCode, MultitaskError } from '@multitask/core';
 * function isTimeout(error: unknown): boolean {
 *   return error instanceof MultitaskError && error.code === ErrorCode.ASK_TIMEOUT;
 * }
 * ```
 */
export const ErrorCode = {
  /** An `ask` got no reply within its timeout. */
  ASK_TIMEOUT: 'ASK_TIMEOUT',
  /** A mailbox with the `fail` or `drop-newest` overflow policy refused a message. */
  MAILBOX_FULL: 'MAILBOX_FULL',
  /** The actor was stopped (or its system shut down) before it could handle the message. */
  ACTOR_STOPPED: 'ACTOR_STOPPED',
  /** The actor has no handler for this message type. */
  UNKNOWN_MESSAGE: 'UNKNOWN_MESSAGE',
  /** Sending on a closed channel. */
  CHANNEL_CLOSED: 'CHANNEL_CLOSED',
  /** `trySend` on a channel holding `capacity` items. */
  CHANNEL_FULL: 'CHANNEL_FULL',
  /** `tryReceive` on an empty channel. */
  CHANNEL_EMPTY: 'CHANNEL_EMPTY',
  /** A channel `send` (on a full channel) or `receive` (on an empty one) waited past its `timeout`. */
  CHANNEL_TIMEOUT: 'CHANNEL_TIMEOUT',
  /** A message, argument or reply cannot be copied to another thread or process. */
  NOT_SERIALIZABLE: 'NOT_SERIALIZABLE',
  /** An actor could not be started: missing module or export, or its `onStart` threw. */
  SPAWN_FAILED: 'SPAWN_FAILED',
  /** A registered name is already in use. */
  NAME_TAKEN: 'NAME_TAKEN',
  /** The thread or process hosting the actor died (crash, exit, signal, out of memory). */
  WORKER_CRASHED: 'WORKER_CRASHED',
  /** The pool no longer accepts work. */
  POOL_CLOSED: 'POOL_CLOSED',
  /** The pool's queue holds `maxQueue` tasks and the pool was told to refuse more (`queueFull: 'reject'`). */
  POOL_FULL: 'POOL_FULL',
  /** A task ran past its timeout. */
  TASK_TIMEOUT: 'TASK_TIMEOUT',
  /** The caller's `AbortSignal` fired. */
  ABORTED: 'ABORTED',
  /** A supervised actor's handler ran past its `handlerTimeout`; its thread or process was ended. */
  HANDLER_TIMEOUT: 'HANDLER_TIMEOUT',
  /** A supervisor restarted its children more often than its intensity allows and gave up (later messages to its children fail with it too). */
  SUPERVISOR_ESCALATED: 'SUPERVISOR_ESCALATED',
  /** An actor linked to this one died. */
  LINKED_EXIT: 'LINKED_EXIT',
  /**
   * Another system (a node of a cluster) that hosted the actor, or that a request waited
   * on, is gone or cannot be reached.
   */
  NODE_DOWN: 'NODE_DOWN',
  /** A ref looked up with a definition (`lookup(name, Def)`) names an actor of another definition. */
  DEFINITION_MISMATCH: 'DEFINITION_MISMATCH',
  /**
   * Bytes from another machine could not be read: not a frame of this codec version,
   * damaged, or past the cluster's limits (`cluster.limits`). The frame (or the part of it
   * that could not be read) is dropped and counted (`bad-frame`); a request it answered or
   * carried settles with this code.
   */
  BAD_FRAME: 'BAD_FRAME',
  /** An option or argument given at a call site is invalid. */
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
} as const;

/**
 * One of the values of {@link ErrorCode}.
 *
 * @example
 * {@includeCode ../../examples/src/guides/apiExamples.ts#ErrorCode}
 */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * Options accepted by the {@link MultitaskError} constructor.
 *
 * @example
 * {@includeCode ../../examples/src/guides/apiExamples.ts#MultitaskErrorOptions}
 */
export interface MultitaskErrorOptions {
  /** The underlying error, kept as the standard `cause`. */
  cause?: unknown;
  /** The id of the actor the error is about, kept as {@link MultitaskError.actor}. */
  actor?: ActorId | undefined;
}

/**
 * The one error class multitask throws. Its `code` says what happened; `cause` holds the
 * underlying error when there is one.
 *
 * @remarks
 * Errors thrown by your handlers keep their own class name, message, `code`, `stack`,
 * `cause` and own enumerable properties when they cross to the caller's thread or
 * process; errors raised by multitask itself are instances of this class.
 *
 * @example
 * ```ts
 * import { MultitaskError } from '@multitask/core';
 * try {
 *   throw new MultitaskError('ASK_TIMEOUT', 'no reply within 10 ms');
 * } catch (error) {
 *   if (error instanceof MultitaskError) console.log(error.code); // 'ASK_TIMEOUT'
 * }
 * ```
 */
export class MultitaskError extends Error {
  /** What happened, from {@link ErrorCode}. */
  readonly code: ErrorCode;
  /**
   * The id of the actor the error is about, when it is about one. The message names the
   * actor as you did: a supervised child by its path (`orders/worker`: its supervisor's id,
   * then its own), another actor by its `name`, followed by this id.
   */
  declare readonly actor?: ActorId;

  /**
   * @param code - what happened, from {@link ErrorCode}
   * @param message - a sentence for people
   * @param options - `cause`: the underlying error; `actor`: the id of the actor it is about
   */
  constructor(code: ErrorCode, message: string, options?: MultitaskErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    Object.defineProperty(this, 'name', { value: 'MultitaskError', configurable: true, writable: true });
    // Set only when known, as an own property: it crosses threads and processes with the error.
    if (options?.actor !== undefined) (this as { actor?: ActorId }).actor = options.actor;
  }
}

/**
 * Whether `value` is a {@link MultitaskError} with the given code.
 *
 * @example
 * {@includeCode ../../examples/src/guides/apiExamples.ts#isMultitaskError}
 */
export function isMultitaskError(value: unknown, code?: ErrorCode): value is MultitaskError {
  return value instanceof MultitaskError && (code === undefined || value.code === code);
}
