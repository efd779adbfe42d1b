import type { MultitaskError } from '../errors.js';

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
