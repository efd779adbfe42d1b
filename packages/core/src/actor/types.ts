import type { ActorDefinition, Handlers } from './defineActor.js';

/**
 * The spawn arguments of a definition.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#ArgsOf}
 */
export type ArgsOf<D> = D extends ActorDefinition<infer A, infer _S, infer _H> ? A : never;

/**
 * The state of a definition.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#StateOf}
 */
export type StateOf<D> = D extends ActorDefinition<infer _A, infer S, infer _H> ? S : never;

/**
 * The handlers of a definition.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#HandlersOf}
 */
export type HandlersOf<D> = D extends ActorDefinition<infer _A, infer _S, infer H> ? H : Handlers<never>;

/**
 * The message types an actor accepts.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#MessageType}
 */
export type MessageType<D> = keyof HandlersOf<D> & string;

/**
 * The payload of message `K`: the handler's second parameter (`undefined` when it has none).
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#PayloadOf}
 */
export type PayloadOf<D, K extends MessageType<D>> =
  Parameters<HandlersOf<D>[K]> extends [unknown] | [] ? undefined : Parameters<HandlersOf<D>[K]>[1];

/**
 * What an `ask` of message `K` resolves with: the handler's (awaited) return value.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#ReplyOf}
 */
export type ReplyOf<D, K extends MessageType<D>> = Awaited<ReturnType<HandlersOf<D>[K]>>;

/**
 * The payload argument(s) of `tell`/`send`: required when the handler takes one, else optional.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#PayloadArgs}
 */
export type PayloadArgs<D, K extends MessageType<D>> =
  Parameters<HandlersOf<D>[K]> extends [unknown] | [] ? [payload?: undefined] : undefined extends PayloadOf<D, K> ? [payload?: PayloadOf<D, K>] : [payload: PayloadOf<D, K>];

/**
 * Options for {@link ActorRef.ask}.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#AskOptions}
 */
export interface AskOptions {
  /**
   * Milliseconds to wait for the reply before rejecting with `ASK_TIMEOUT` (the deadline
   * is the next whole millisecond of the system's clock after that).
   * @defaultValue the system's `askTimeout` (30 000)
   */
  readonly timeout?: number;
  /** Rejects the ask with `ABORTED` when aborted. */
  readonly signal?: AbortSignal;
}

/**
 * Options for {@link ActorRef.send}.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#SendOptions}
 */
export interface SendOptions {
  /** Rejects the send with `ABORTED` when aborted before the mailbox accepted it. */
  readonly signal?: AbortSignal;
}

/**
 * The argument(s) of `ask`: the payload, then options.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#AskArgs}
 */
export type AskArgs<D, K extends MessageType<D>> =
  Parameters<HandlersOf<D>[K]> extends [unknown] | []
    ? [payload?: undefined, options?: AskOptions]
    : undefined extends PayloadOf<D, K>
      ? [payload?: PayloadOf<D, K>, options?: AskOptions]
      : [payload: PayloadOf<D, K>, options?: AskOptions];

/**
 * The argument(s) of `send`: the payload, then options.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#SendArgs}
 */
export type SendArgs<D, K extends MessageType<D>> =
  Parameters<HandlersOf<D>[K]> extends [unknown] | []
    ? [payload?: undefined, options?: SendOptions]
    : undefined extends PayloadOf<D, K>
      ? [payload?: PayloadOf<D, K>, options?: SendOptions]
      : [payload: PayloadOf<D, K>, options?: SendOptions];
