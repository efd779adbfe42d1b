import { isSupervised, nodeOf, type ActorId, type NodeId } from '../wire/ids.js';
import type { AnyActorDefinition } from './defineActor.js';
import { REF_BRAND } from '../wire/cloneCheck.js';
import type { AskArgs, AskOptions, MessageType, PayloadArgs, ReplyOf, SendArgs, SendOptions } from './types.js';
import { signalAsPayload } from './misplacedOptions.js';

/**
 * What a ref needs from the node it lives on.
 * @internal
 */
export interface RefRouter {
  /** `supervised`: the target's id is a supervised actor's (its sender keeps the tell until acknowledged). */
  tell(to: ActorId, node: NodeId, type: string, payload: unknown, supervised: boolean): void;
  /** `name`: the target's name, for the errors that say whom a request went to. */
  send(to: ActorId, node: NodeId, type: string, payload: unknown, options: SendOptions | undefined, name: string | undefined): Promise<void>;
  ask(to: ActorId, node: NodeId, type: string, payload: unknown, options: AskOptions | undefined, name: string | undefined): Promise<unknown>;
}

/**
 * A reference to a running actor: the only way to talk to it. Message types, payloads and
 * replies are checked against the actor's definition `D`.
 *
 * @remarks
 * A ref can travel inside messages and spawn arguments to actors on any placement and
 * keeps working there. Refs compare by {@link ActorRef.id}.
 *
 * @typeParam D - the actor's definition (`typeof Counter`)
 *
 * @example
 * ```ts
 * const counter = await system.spawn(Counter, { args: 0 });
 * counter.tell('add', 2);                     // fire and forget
 * await counter.send('add', 3);               // resolves once the mailbox took it
 * const total = await counter.ask('get');     // 5, typed as number
 * ```
 */
export class ActorRef<D = AnyActorDefinition> {
  /** The actor's system-wide id. */
  readonly id: ActorId;
  /** The name the actor was registered under, if any. */
  readonly name: string | undefined;
  readonly #router: RefRouter;
  readonly #node: NodeId;
  /** Worked out once: tells to a supervised actor are kept by their sender until acknowledged. */
  readonly #supervised: boolean;
  /** @internal */
  declare readonly [REF_BRAND]: true;
  /**
   * Phantom: carries `D`, so a ref to one definition is not assignable to a ref to another
   * (the generic methods alone compare too loosely; the type tests check this). @internal
   */
  declare readonly '~definition'?: D;

  /** @internal */
  constructor(router: RefRouter, id: ActorId, name: string | undefined) {
    this.#router = router;
    this.#node = nodeOf(id);
    this.#supervised = isSupervised(id);
    this.id = id;
    this.name = name;
  }

  /**
   * Sends a message and returns at once. Never throws for a full or stopped mailbox: an
   * undeliverable message becomes a `dead-letter` event.
   * @param type - the message type: a handler name of `D`
   * @param args - the payload, when the handler takes one
   * @throws {@link MultitaskError} `NOT_SERIALIZABLE` when the payload cannot be copied to the actor's thread or process
   */
  tell<K extends MessageType<D>>(type: K, ...args: PayloadArgs<D, K>): void {
    this.#router.tell(this.id, this.#node, type, args[0], this.#supervised);
  }

  /**
   * Sends a message and resolves once the actor's mailbox has accepted it: under the
   * `backpressure` policy, a full mailbox makes this wait.
   * @param type - the message type
   * @param args - the payload, then options (`signal`)
   * @throws (rejects with) {@link MultitaskError} `MAILBOX_FULL`, `ACTOR_STOPPED`, `NOT_SERIALIZABLE`, `ABORTED`, `WORKER_CRASHED`,
   * `INVALID_ARGUMENT` for options given in the payload's place (from JavaScript) to a handler that takes no payload
   */
  send<K extends MessageType<D>>(type: K, ...args: SendArgs<D, K>): Promise<void> {
    const misplaced = signalAsPayload('send', type, args[0], args[1]);
    if (misplaced !== undefined) return Promise.reject(misplaced);
    return this.#router.send(this.id, this.#node, type, args[0], args[1], this.name);
  }

  /**
   * Sends a message and resolves with the handler's return value.
   * @param type - the message type
   * @param args - the payload, then options (`timeout`, `signal`)
   * @throws (rejects with) the handler's own error, or {@link MultitaskError} `ASK_TIMEOUT`,
   * `ACTOR_STOPPED`, `UNKNOWN_MESSAGE`, `MAILBOX_FULL`, `NOT_SERIALIZABLE`, `ABORTED`, `WORKER_CRASHED`,
   * `INVALID_ARGUMENT` for options given in the payload's place (from JavaScript) to a handler that takes no payload
   */
  ask<K extends MessageType<D>>(type: K, ...args: AskArgs<D, K>): Promise<ReplyOf<D, K>> {
    const misplaced = signalAsPayload('ask', type, args[0], args[1]);
    if (misplaced !== undefined) return Promise.reject(misplaced);
    return this.#router.ask(this.id, this.#node, type, args[0], args[1], this.name) as Promise<ReplyOf<D, K>>;
  }

  /** A readable label, `ActorRef(1.1 "name")`. */
  toString(): string {
    return `ActorRef(${this.id}${this.name === undefined ? '' : ` "${this.name}"`})`;
  }
}
Object.defineProperty(ActorRef.prototype, REF_BRAND, { value: true });
