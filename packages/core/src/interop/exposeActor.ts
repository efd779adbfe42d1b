import type { TransferListItem } from 'node:worker_threads';
import { workerThreads } from '../lazyBuiltins.js';
import type { Endpoint } from 'comlink';
import { match } from 'ts-pattern';
import { MultitaskError, type ActorRef, type AnyActorDefinition, type MessageType, type PayloadArgs, type ReplyOf } from '../index.js';
import { closeEndpoint, isComlinkEndpoint, watchEnd, webEndpoint, type ComlinkEndpoint } from './comlinkEndpoint.js';
import { fromWire, parseRequest, thrownWire, toWire, type ComlinkRequest, type WireValue } from './comlinkWire.js';

/**
 * What a comlink client sees of an actor exposed with {@link exposeActor}: one method per
 * message type, taking the payload (or nothing) and resolving with the reply. Pass it to
 * `Comlink.wrap` to type the proxy.
 * @typeParam D - the actor's definition (`typeof Counter`)
 *
 * @example
 * ```ts
 * import * as Comlink from 'comlink';
 * import type { ExposedActor } from '@multitask/core/comlink';
 * import type { Counter } from './counter.js';
 *
 * const counter = Comlink.wrap<ExposedActor<typeof Counter>>(port);
 * await counter.add(2);               // ask('add', 2)
 * const total = await counter.get();  // ask('get'): a number
 * ```
 */
export type ExposedActor<D> = {
  readonly [K in MessageType<D>]: (...payload: PayloadArgs<D, K>) => Promise<ReplyOf<D, K>>;
};

/**
 * Options of {@link exposeActor}.
 *
 * @example
 * ```ts
 * const exposure = exposeActor(counter, port, { timeout: 5_000 });
 * ```
 */
export interface ExposeOptions {
  /**
   * Milliseconds each call waits for the actor's reply before it fails with `ASK_TIMEOUT`.
   * @defaultValue the system's `askTimeout` (30 000)
   */
  readonly timeout?: number;
}

/**
 * An actor exposed on an endpoint, as {@link exposeActor} returns it.
 *
 * @example
 * ```ts
 * await using exposure = exposeActor(counter, port);
 * await exposure.closed; // the client released its proxy (or the port closed)
 * ```
 */
export interface ActorExposure extends AsyncDisposable {
  /**
   * Stops serving: calls that arrive from now on fail with `ACTOR_STOPPED`, calls the actor
   * is working on are still answered, then the endpoint is closed (a `MessagePort` or
   * `BroadcastChannel`; a `Worker` is left running) and {@link ActorExposure.closed}
   * resolves. Endpoints made by `Comlink.createEndpoint` through this one close with it.
   * Idempotent.
   */
  close(): Promise<void>;
  /**
   * Resolves once the exposure ended: {@link ActorExposure.close} was called, the client
   * released its proxy (`Comlink.releaseProxy`), or the endpoint closed (its other side
   * closed the port, the worker exited). Never rejects.
   */
  readonly closed: Promise<void>;
}

/**
 * Serves an actor to any comlink client on the other side of `endpoint`: each call
 * `remote.type(payload)` there is an `ask(type, payload)` here, so it waits its turn in the
 * actor's mailbox like every other message, and resolves with the handler's reply.
 *
 * @remarks
 * - **Arguments.** An actor message has one payload, so a call takes at most one argument:
 *   `remote.add(2)` is `ask('add', 2)`, `remote.get()` is `ask('get')`. A call with more
 *   fails with `INVALID_ARGUMENT`: pass one object instead. Arguments and replies are
 *   copied (structured clone); comlink's transfer handlers apply to both, as they do for
 *   `Comlink.expose`.
 * - **Errors** reach the comlink caller as an `Error` with the original `name`, `message`,
 *   `stack`, `code`, `cause` and own properties: a handler's error, or a
 *   {@link @multitask/core!MultitaskError} such as `UNKNOWN_MESSAGE` (no handler of that name),
 *   `ASK_TIMEOUT`, `ACTOR_STOPPED`, `NOT_SERIALIZABLE` (a reply comlink cannot copy).
 *   Reading or setting a property (`await remote.get`, `remote.x = 1`) and `new remote()`
 *   fail with `INVALID_ARGUMENT`: an actor has messages, not properties.
 * - **Lifetime.** The exposure ends when the client calls `remote[Comlink.releaseProxy]()`
 *   (the port is then closed, as `Comlink.expose` does), when the endpoint closes, or on
 *   {@link ActorExposure.close}. It does not stop the actor. A `MessagePort` being served
 *   keeps the process alive until then. `Comlink.createEndpoint` works: it makes another
 *   endpoint serving the same actor, to hand to a third thread.
 *
 * @param ref - the actor to serve (of any placement)
 * @param endpoint - where the comlink client is: a `MessagePort`, a `Worker`, its `parentPort`, any comlink endpoint
 * @param options - `timeout` of each call
 * @returns the exposure, to close it or learn when it ended
 * @throws {@link @multitask/core!MultitaskError} `INVALID_ARGUMENT` when `ref` is not an actor ref, `endpoint` cannot carry comlink messages, or `timeout` is not a positive number
 *
 * @example
 * ```ts
 * import { MessageChannel, type TransferListItem } from 'node:worker_threads';
 * import * as Comlink from 'comlink';
 * import { createSystem } from '@multitask/core';
 * import { exposeActor, type ExposedActor } from '@multitask/core/comlink';
 * import { Counter } from './counter.js';
 *
 * await using system = createSystem();
 * const counter = await system.spawn(Counter, { args: 0 });
 * const { port1, port2 } = new MessageChannel();
 * exposeActor(counter, port1);
 *
 * // Code that speaks comlink, here or in another thread:
 * const remote = Comlink.wrap<ExposedActor<typeof Counter>>(port2);
 * await remote.add(2);
 * console.log(await remote.get()); // 2
 * remote[Comlink.releaseProxy](); // ends the exposure and closes both ports
 * ```
 */
export function exposeActor<D>(ref: ActorRef<D>, endpoint: ComlinkEndpoint, options: ExposeOptions = {}): ActorExposure {
  if (typeof (ref as Partial<ActorRef> | undefined)?.ask !== 'function') throw new MultitaskError('INVALID_ARGUMENT', 'exposeActor: ref must be an actor ref');
  if (!isComlinkEndpoint(endpoint)) {
    throw new MultitaskError('INVALID_ARGUMENT', 'exposeActor: endpoint must have postMessage and addEventListener (a MessagePort) or on/off (a Worker)');
  }
  const timeout = options?.timeout;
  if (timeout !== undefined && !(typeof timeout === 'number' && timeout > 0)) {
    throw new MultitaskError('INVALID_ARGUMENT', 'exposeActor: options.timeout must be a positive number of milliseconds');
  }
  return new Exposure(ref as ActorRef, endpoint, timeout);
}

/** One actor served on one endpoint. */
class Exposure implements ActorExposure {
  readonly closed: Promise<void>;
  readonly #ref: ActorRef<AnyActorDefinition>;
  readonly #raw: ComlinkEndpoint;
  readonly #endpoint: Endpoint;
  readonly #timeout: number | undefined;
  readonly #unwatch: () => void;
  /** Exposures made by `Comlink.createEndpoint` through this one. */
  readonly #children = new Set<Exposure>();
  #status: 'open' | 'closing' | 'closed' = 'open';
  /** Calls the actor is working on. */
  #calls = 0;
  #ended!: () => void;

  constructor(ref: ActorRef<AnyActorDefinition>, endpoint: ComlinkEndpoint, timeout: number | undefined) {
    this.#ref = ref;
    this.#raw = endpoint;
    this.#endpoint = webEndpoint(endpoint);
    this.#timeout = timeout;
    this.closed = new Promise((resolve) => (this.#ended = resolve));
    this.#endpoint.addEventListener('message', this.#onMessage);
    this.#unwatch = watchEnd(endpoint, () => this.#end());
    this.#endpoint.start?.();
  }

  close(): Promise<void> {
    if (this.#status === 'open') {
      this.#status = 'closing';
      for (const child of this.#children) void child.close();
      if (this.#calls === 0) this.#end();
    }
    return this.closed;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  readonly #onMessage = (event: MessageEvent): void => {
    const request = parseRequest(event.data);
    if (request === undefined || this.#status === 'closed') return;
    if (this.#status === 'closing') return this.#reply(request.id, thrownWire(new MultitaskError('ACTOR_STOPPED', `actor ${this.#ref.id} is no longer exposed on this endpoint`)));
    match(request)
      .with({ type: 'APPLY' }, (r) => void this.#call(r.id, r.path, r.argumentList))
      .with({ type: 'GET' }, (r) => this.#refuse(r, `read property '${r.path.join('.')}' of`))
      // An assignment's promise is out of the caller's reach: an error would be an unhandled rejection there.
      .with({ type: 'SET' }, (r) => this.#reply(r.id, { type: 'RAW', value: false }))
      .with({ type: 'CONSTRUCT' }, (r) => this.#refuse(r, 'construct'))
      .with({ type: 'ENDPOINT' }, (r) => this.#branch(r.id))
      .with({ type: 'RELEASE' }, (r) => {
        this.#reply(r.id, { type: 'RAW', value: undefined });
        this.#end();
      })
      .exhaustive();
  };

  /** A method call: an ask to the actor, answered when the actor replies. */
  async #call(id: string | undefined, path: readonly string[], argumentList: readonly WireValue[]): Promise<void> {
    this.#calls++;
    try {
      const [type, payload] = this.#message(path, argumentList);
      const reply = await this.#ref.ask(type, payload as never, this.#timeout === undefined ? undefined : { timeout: this.#timeout });
      const { wire, transfer } = toWire(reply);
      this.#reply(id, wire, transfer);
    } catch (error) {
      this.#reply(id, thrownWire(error));
    } finally {
      this.#calls--;
      if (this.#status === 'closing' && this.#calls === 0) this.#end();
    }
  }

  /** The message type and payload a call stands for. @throws MultitaskError `INVALID_ARGUMENT`, `UNKNOWN_MESSAGE` */
  #message(path: readonly string[], argumentList: readonly WireValue[]): [type: string, payload: unknown] {
    if (path.length === 0) throw new MultitaskError('INVALID_ARGUMENT', `actor ${this.#ref.id} cannot be called itself: call one of its message types, remote.type(payload)`);
    if (path.length > 1) throw new MultitaskError('UNKNOWN_MESSAGE', `actor ${this.#ref.id} has no message type '${path.join('.')}'`);
    if (argumentList.length > 1) {
      throw new MultitaskError('INVALID_ARGUMENT', `remote.${path[0]}() takes one argument, the message payload (got ${argumentList.length}): pass one object instead`);
    }
    return [path[0] as string, argumentList.length === 0 ? undefined : fromWire(argumentList[0] as WireValue)];
  }

  #refuse(request: ComlinkRequest, what: string): void {
    const error = new MultitaskError('INVALID_ARGUMENT', `cannot ${what} actor ${this.#ref.id}: an exposed actor only takes calls of its message types, remote.type(payload)`);
    this.#reply(request.id, thrownWire(error));
  }

  /** `Comlink.createEndpoint`: the same actor on a new port, whose other end goes back to the client. */
  #branch(id: string | undefined): void {
    const { port1, port2 } = new (workerThreads().MessageChannel)();
    const child = new Exposure(this.#ref, port1, this.#timeout);
    this.#children.add(child);
    void child.closed.then(() => this.#children.delete(child));
    this.#reply(id, { type: 'RAW', value: port2 }, [port2]);
  }

  #reply(id: string | undefined, wire: WireValue, transfer: TransferListItem[] = []): void {
    if (this.#status === 'closed') return;
    try {
      this.#endpoint.postMessage({ ...wire, id }, transfer as never);
    } catch (error) {
      const refused = new MultitaskError('NOT_SERIALIZABLE', `the reply of actor ${this.#ref.id} cannot be copied to the comlink caller`, { cause: error });
      this.#endpoint.postMessage({ ...thrownWire(refused), id }, []);
    }
  }

  /** Stops listening and closes the endpoint; `closed` resolves. */
  #end(): void {
    if (this.#status === 'closed') return;
    this.#status = 'closed';
    this.#endpoint.removeEventListener('message', this.#onMessage);
    this.#unwatch();
    closeEndpoint(this.#raw);
    this.#ended();
  }
}
