import { MultitaskError } from '../errors.js';
import { reviveError, serializeError, type SerializedDown } from '../wire/errorWire.js';

/**
 * Why an actor went down: it was stopped or stopped itself (`stopped`), a handler threw
 * under a supervisor (`error`), or its thread or process died (`error` for an uncaught
 * error, `exit`, `signal`, `out-of-memory`, `timeout`). `error` is what pending requests
 * were rejected with.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#DownReason}
 */
export type DownReason =
  | {
      /** Stopped on request (`stop(ref)`, `shutdown()`, its supervisor) or by `ctx.stop()`. */
      readonly kind: 'stopped';
    }
  | {
      /** A handler threw (supervised actors), or the host crashed with an uncaught error. */
      readonly kind: 'error';
      /** The handler's error, or `WORKER_CRASHED` with the uncaught error as `cause`. */
      readonly error: Error;
    }
  | {
      /** The host exited (for instance `process.exit(code)` in a handler). */
      readonly kind: 'exit';
      /** The exit code. */
      readonly code: number;
      /** `WORKER_CRASHED`, naming the code. */
      readonly error: MultitaskError;
    }
  | {
      /** The process was killed by a signal. */
      readonly kind: 'signal';
      /** The signal, such as `'SIGKILL'`. */
      readonly signal: string;
      /** `WORKER_CRASHED`, naming the signal. */
      readonly error: MultitaskError;
    }
  | {
      /** The thread ran past its `resourceLimits`. */
      readonly kind: 'out-of-memory';
      /** `WORKER_CRASHED`, with Node's error as `cause`. */
      readonly error: MultitaskError;
    }
  | {
      /** A handler ran past the child's `handlerTimeout`; its host was ended. */
      readonly kind: 'timeout';
      /** `HANDLER_TIMEOUT`. */
      readonly error: MultitaskError;
    };

/** @internal */
export function serializeDown(reason: DownReason): SerializedDown {
  return {
    kind: reason.kind,
    code: reason.kind === 'exit' ? reason.code : undefined,
    signal: reason.kind === 'signal' ? reason.signal : undefined,
    error: reason.kind === 'stopped' ? undefined : serializeError(reason.error),
  };
}

/** @internal */
export function reviveDown(wire: SerializedDown): DownReason {
  if (wire.kind === 'stopped' || wire.error === undefined) return { kind: 'stopped' };
  const error = reviveError(wire.error);
  const coded = error instanceof MultitaskError ? error : new MultitaskError('WORKER_CRASHED', error.message, { cause: error });
  switch (wire.kind) {
    case 'exit':
      return { kind: 'exit', code: wire.code ?? 0, error: coded };
    case 'signal':
      return { kind: 'signal', signal: wire.signal ?? 'SIGKILL', error: coded };
    case 'out-of-memory':
      return { kind: 'out-of-memory', error: coded };
    case 'timeout':
      return { kind: 'timeout', error: coded };
    default:
      return { kind: 'error', error };
  }
}
