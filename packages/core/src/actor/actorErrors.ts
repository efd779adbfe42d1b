import { MultitaskError, type ErrorCode } from '../errors.js';
import type { ActorId } from '../wire/ids.js';
import type { DownReason } from './DownReason.js';

/**
 * How errors name an actor: as the user named it (a supervised child by its path, another
 * actor by its `name`), then by its id; by its id alone when it has neither.
 * @internal
 */
export function describeActor(id: ActorId, label: string | undefined): string {
  return label === undefined ? `actor ${id}` : `actor ${label} (${id})`;
}

/**
 * An error about actor `id`: `actor orders/worker (a1b2:3.s1) <rest>`, with the id as
 * `error.actor`.
 * @internal
 */
export function actorError(code: ErrorCode, id: ActorId, label: string | undefined, rest: string, cause?: unknown): MultitaskError {
  return new MultitaskError(code, `${describeActor(id, label)} ${rest}`, { cause, actor: id });
}

/** `ACTOR_STOPPED`: actor `id` is stopped. @internal */
export function stoppedError(id: ActorId, label?: string): MultitaskError {
  return actorError('ACTOR_STOPPED', id, label, 'is stopped');
}

/**
 * What messages to an actor that is gone for good fail with: the reason's code
 * (`SUPERVISOR_ESCALATED`, `WORKER_CRASHED`, ...; `ACTOR_STOPPED` after a stop or for an
 * error of its own handler) and the reason's error as `cause`, naming the actor. An error
 * that names the actor already (its host's death) is the reason's error itself.
 * @internal
 */
export function goneError(id: ActorId, label: string | undefined, reason: DownReason): Error {
  if (reason.kind === 'stopped') return stoppedError(id, label);
  const { error } = reason;
  if (error instanceof MultitaskError && error.actor === id) return error;
  return actorError(error instanceof MultitaskError ? error.code : 'ACTOR_STOPPED', id, label, `is stopped: ${error.message}`, error);
}
