/**
 * The `node:diagnostics_channel` publish points of multitask, as Node libraries (undici,
 * fastify) have them: APM tools subscribe by name, without multitask knowing them.
 * @packageDocumentation
 */
import * as diagnostics from 'node:diagnostics_channel';
import type { ActorId } from '../wire/ids.js';

/**
 * The names of multitask's `node:diagnostics_channel` channels, and what each publishes:
 *
 * | name | published | message |
 * | --- | --- | --- |
 * | `multitask:actor:spawn` | an actor started (its `onStart` ran) | `{ actor }` (its ref) |
 * | `multitask:actor:crash` | an actor went down abnormally | `{ actor, reason }` |
 * | `multitask:actor:restart` | a supervisor restarted an actor | `{ actor, restarts }` |
 * | `multitask:actor:stop` | an actor is gone for good | `{ actor, reason }` |
 * | `multitask:dead-letter` | a message could not be delivered | `{ letter }` (the {@link DeadLetter}) |
 * | `multitask:handler:start` | a handler starts, on the thread that runs it | {@link HandlerMessage} |
 * | `multitask:handler:end` | that handler returned, threw or settled | the same object, with `error` when it failed |
 *
 * @remarks
 * The actor events publish on the system's root (the main thread). Handler events publish
 * on the thread or process that runs the handler: a subscriber there sees them (an APM
 * agent loaded with `--import` is, since threads and processes inherit `execArgv`). Handler
 * events are on when a subscriber to either was there when the system (or the host) started,
 * or when the system was created with `diagnostics: true`; with nobody subscribed a handler
 * pays nothing for them.
 *
 * @example
 * ```ts
 * import diagnostics from 'node:diagnostics_channel';
 * import { diagnosticsChannels } from '@multitask/core';
 *
 * diagnostics.subscribe(diagnosticsChannels.crash, (message) => console.log('crash', message));
 * ```
 */
export const diagnosticsChannels = {
  /** An actor started (its `onStart` ran): `{ actor }`. */
  spawn: 'multitask:actor:spawn',
  /** An actor went down abnormally: `{ actor, reason }`. */
  crash: 'multitask:actor:crash',
  /** A supervisor restarted an actor: `{ actor, restarts }`. */
  restart: 'multitask:actor:restart',
  /** An actor is gone for good: `{ actor, reason }`. */
  stop: 'multitask:actor:stop',
  /** A message could not be delivered: `{ letter }`. */
  deadLetter: 'multitask:dead-letter',
  /** A handler starts, on the thread that runs it: a {@link HandlerMessage}. */
  handlerStart: 'multitask:handler:start',
  /** That handler returned, threw or settled: the same object, with `error` when it failed. */
  handlerEnd: 'multitask:handler:end',
} as const;

/**
 * What `multitask:handler:start` and `multitask:handler:end` publish: one object per
 * handler run, the same for its start and its end.
 *
 * @example
 * ```ts
 * diagnostics.subscribe(diagnosticsChannels.handlerEnd, (m) => {
 *   const { definition, type, error } = m as HandlerMessage;
 *   if (error !== undefined) console.log(`${definition}.${type} failed`);
 * });
 * ```
 */
export interface HandlerMessage {
  /** The actor's id. */
  readonly actor: ActorId;
  /** The actor's definition name. */
  readonly definition: string;
  /** The message type. */
  readonly type: string;
  /** What the handler threw (or its promise rejected with); set at the end. */
  error?: unknown;
}

const spawn = diagnostics.channel(diagnosticsChannels.spawn);
const crash = diagnostics.channel(diagnosticsChannels.crash);
const restart = diagnostics.channel(diagnosticsChannels.restart);
const stop = diagnostics.channel(diagnosticsChannels.stop);
const deadLetter = diagnostics.channel(diagnosticsChannels.deadLetter);
/** @internal */
export const handlerStart = diagnostics.channel(diagnosticsChannels.handlerStart);
/** @internal */
export const handlerEnd = diagnostics.channel(diagnosticsChannels.handlerEnd);

/** Whether anyone listens for handler runs on this thread now. @internal */
export function handlersWatched(): boolean {
  return handlerStart.hasSubscribers || handlerEnd.hasSubscribers;
}

/**
 * Publishes a system event on its channel, when anyone subscribed (the args as the
 * system's events carry them).
 * @internal
 */
export function publishEvent(event: string, args: readonly unknown[]): void {
  switch (event) {
    case 'actor:started':
      if (spawn.hasSubscribers) spawn.publish({ actor: args[0] });
      return;
    case 'actor:crashed':
      if (crash.hasSubscribers) crash.publish({ actor: args[0], reason: args[1] });
      return;
    case 'actor:restarted':
      if (restart.hasSubscribers) restart.publish({ actor: args[0], restarts: args[1] });
      return;
    case 'actor:stopped':
      if (stop.hasSubscribers) stop.publish({ actor: args[0], reason: args[1] });
      return;
    case 'dead-letter':
      if (deadLetter.hasSubscribers) deadLetter.publish({ letter: args[0] });
      return;
    default:
      return;
  }
}
