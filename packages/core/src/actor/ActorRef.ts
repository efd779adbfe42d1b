import { isSupervised, nodeOf, type ActorId, type NodeId } from '../wire/ids.js';
import type { AnyActorDefinition } from './defineActor.js';
import type { ActorCell } from './ActorCell.js';
import { REF_BRAND } from '../wire/cloneCheck.js';
import type { AskArgs, AskOptions, MessageType, PayloadArgs, ReplyOf, SendArgs, SendOptions } from './types.js';
import { signalAsPayload } from './misplacedOptions.js';

/**
 * What a ref needs from the node it lives on.
 * @internal
 */
export interface RefRouter {
  /**
   * `supervised`: the target's id is a supervised actor's (its sender keeps the tell until
   * acknowledged). `here`: the actor's cell, when the ref is its own ref on its own node.
   */
  tell(to: ActorId, node: NodeId, type: string, payload: unknown, supervised: boolean, here: ActorCell | undefined): void;
  /** `name`: the target's name, for the errors that say whom a request went to. */
  send(to: ActorId, node: NodeId, type: string, payload: unknown, options: SendOptions | undefined, name: string | undefined, here: ActorCell | undefined): Promise<void>;
  ask(to: ActorId, node: NodeId, type: string, payload: unknown, options: AskOptions | undefined, name: string | undefined, here: ActorCell | undefined): Promise<unknown>;
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
  declare readonly id: ActorId;
  /** The name the actor was registered under, if any. */
  declare readonly name: string | undefined;
  declare private readonly _router: RefRouter;
  declare private readonly _node: NodeId;
  /** Worked out once: tells to a supervised actor are kept by their sender until acknowledged. */
  declare private readonly _supervised: boolean;
  /**
   * The actor's cell, in the ref an actor has of itself on its own node, until it stops:
   * what is sent through it goes in without a look-up by id (of a million, per message).
   */
  declare private _here: ActorCell | undefined;
  /** @internal */
  declare readonly [REF_BRAND]: true;
  /**
   * Phantom: carries `D`, so a ref to one definition is not assignable to a ref to another
   * (the generic methods alone compare too loosely; the type tests check this). @internal
   */
  declare readonly '~definition'?: D;

  /** @internal Refs are made by {@link ActorRef.of}. */
  private constructor() {
    throw new Error('ActorRef.of makes them');
  }

  /**
   * @internal A ref; `node` and `supervised` are worked out from the id unless the caller
   * knows them (an actor's own node does), and `here` is the actor's cell for its own ref.
   * An object literal with this class's prototype, not `new`: V8 allocates the objects of
   * a literal that mostly live long straight in the old generation (pretenuring), where
   * every instance of a class is copied by each young collection it lives through.
   */
  static of(router: RefRouter, id: ActorId, name: string | undefined, node: NodeId = nodeOf(id), supervised: boolean = isSupervised(id), here?: ActorCell): ActorRef {
    return { __proto__: ActorRef.prototype, id, name, _router: router, _node: node, _supervised: supervised, _here: here } as unknown as ActorRef;
  }

  /**
   * Sends a message and returns at once. Never throws for a full or stopped mailbox: an
   * undeliverable message becomes a `dead-letter` event.
   * @param type - the message type: a handler name of `D`
   * @param args - the payload, when the handler takes one
   * @throws {@link MultitaskError} `NOT_SERIALIZABLE` when the payload cannot be copied to the actor's thread or process
   */
  tell<K extends MessageType<D>>(type: K, ...args: PayloadArgs<D, K>): void {
    this._router.tell(this.id, this._node, type, args[0], this._supervised, this._here);
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
    return this._router.send(this.id, this._node, type, args[0], args[1], this.name, this._here);
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
    return this._router.ask(this.id, this._node, type, args[0], args[1], this.name, this._here) as Promise<ReplyOf<D, K>>;
  }

  /** @internal The actor's cell, when this is its own ref on its own node and it has not stopped. */
  get cellHere(): ActorCell | undefined {
    return this._here;
  }

  /** @internal The actor stopped: the ref no longer holds its cell (nor, through it, its state). */
  detach(): void {
    this._here = undefined;
  }

  /** A readable label, `ActorRef(1.1 "name")`. */
  toString(): string {
    return `ActorRef(${this.id}${this.name === undefined ? '' : ` "${this.name}"`})`;
  }
}
Object.defineProperty(ActorRef.prototype, REF_BRAND, { value: true });
