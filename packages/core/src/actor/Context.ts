import type { ActorId } from '../wire/ids.js';
import type { ActorRef } from './ActorRef.js';
import type { ActorContext, AnyActorDefinition, Handler } from './defineActor.js';

/** What a context asks of its actor's cell. @internal */
export interface ContextCell {
  readonly signal: AbortSignal;
  stopSelf(): void;
}

/**
 * The `ctx` handlers get. A class, not an object literal: a literal with a getter is kept
 * as a dictionary, and its closures are the actor's own, ~650 bytes of every actor.
 * @internal
 */
export class Context implements ActorContext<unknown> {
  state: unknown = undefined;
  readonly id: ActorId;
  readonly self: ActorRef;
  readonly #cell: ContextCell;
  #stop: (() => void) | undefined;

  constructor(cell: ContextCell, id: ActorId, self: ActorRef) {
    this.#cell = cell;
    this.id = id;
    this.self = self;
  }

  get signal(): AbortSignal {
    return this.#cell.signal;
  }

  /** A function of its own, made when first asked for, so that `const { stop } = ctx` works too. */
  get stop(): () => void {
    return (this.#stop ??= () => this.#cell.stopSelf());
  }
}

/** The handlers of a definition by message type, one map for all its actors. */
const handlerMaps = new WeakMap<AnyActorDefinition, Map<string, Handler<unknown>>>();

/** A definition's handlers by message type, made once per definition. @internal */
export function handlersOf(definition: AnyActorDefinition): Map<string, Handler<unknown>> {
  let handlers = handlerMaps.get(definition);
  if (handlers === undefined) {
    handlers = new Map(Object.entries(definition.handlers) as Array<[string, Handler<unknown>]>);
    handlerMaps.set(definition, handlers);
  }
  return handlers;
}
