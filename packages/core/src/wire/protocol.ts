/**
 * The wire protocol: every envelope that travels between nodes (the main thread, worker
 * threads, child processes). One union discriminated on `kind`; handle it with
 * `match(...).exhaustive()` so that a new kind fails to compile where it is ignored.
 *
 * Every envelope names its destination node in `dst`; a node that is not the destination
 * forwards it (that is how processes reach each other through their parent).
 *
 * @internal
 * @packageDocumentation
 */
import type { SerializedDown, SerializedError } from './errorWire.js';
import type { ActorId, CorrelationId, NodeId, NodePattern } from './ids.js';

/**
 * What a full mailbox does with one more message.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#OverflowPolicy}
 */
export type OverflowPolicy = 'backpressure' | 'drop-newest' | 'drop-oldest' | 'fail';

/**
 * The size and overflow policy of an actor's mailbox.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#MailboxOptions}
 */
export interface MailboxOptions {
  /**
   * The most messages waiting to be handled.
   * @defaultValue `Infinity`
   */
  readonly capacity?: number;
  /**
   * What happens when a message arrives at a full mailbox:
   * - `backpressure`: it waits in line; `send` and `ask` resolve or proceed only once it is in.
   * - `drop-newest`: the arriving message is dropped (a `dead-letter` event; `send` and `ask` reject with `MAILBOX_FULL`).
   * - `drop-oldest`: the oldest waiting message is dropped (a `dead-letter` event; its `ask` rejects with `MAILBOX_FULL`).
   * - `fail`: the arriving message is refused (`send` and `ask` reject with `MAILBOX_FULL`, `tell` becomes a `dead-letter`).
   * @defaultValue `'backpressure'`
   */
  readonly overflow?: OverflowPolicy;
}

/** 1 when the payload holds encoded actor refs to revive, else 0. @internal */
export type Encoded = 0 | 1;

/** @internal */
export interface TellEnvelope {
  readonly kind: 'tell';
  readonly dst: NodeId;
  readonly to: ActorId;
  readonly type: string;
  readonly payload: unknown;
  readonly enc: Encoded;
  /** The node that sent it: a supervised actor acknowledges its tells there (see `ack`). */
  readonly from: NodeId;
  /** The W3C `traceparent` of the span it was sent in (telemetry on, a span active); absent otherwise. */
  readonly trace?: string;
}

/** `send` (resolves on acceptance) and `ask` (resolves with the reply). @internal */
export interface RequestEnvelope {
  readonly kind: 'send' | 'ask';
  readonly dst: NodeId;
  readonly to: ActorId;
  readonly type: string;
  readonly payload: unknown;
  readonly enc: Encoded;
  readonly from: NodeId;
  readonly cid: CorrelationId;
  /** The W3C `traceparent` of the span it was sent in (telemetry on, a span active); absent otherwise. */
  readonly trace?: string;
}

/** @internal */
export interface ReplyEnvelope {
  readonly kind: 'reply';
  readonly dst: NodeId;
  readonly cid: CorrelationId;
  readonly value: unknown;
  readonly enc: Encoded;
}

/** @internal */
export interface FailEnvelope {
  readonly kind: 'fail';
  readonly dst: NodeId;
  readonly cid: CorrelationId;
  readonly error: SerializedError;
}

/** Where a spawn request asks its destination system to run the actor. @internal */
export type HostedIn = 'inline' | 'thread' | 'process';

/** A placement a node asks its system's root for: on this machine, or on a joined system. @internal */
export type PlacementWire = HostedIn | { readonly node: string; readonly in: HostedIn };

/**
 * Start an actor; answered by `reply` (with the actor's id) or `fail`. Without `placement`
 * the destination node runs it itself, importing `url` (a system's own hosts only). With
 * `placement`, the destination is another system's root node, which runs the definition
 * it serves under `key` where `placement` says, and never imports a path it was sent.
 * @internal
 */
export interface SpawnEnvelope {
  readonly kind: 'spawn';
  readonly dst: NodeId;
  readonly from: NodeId;
  readonly cid: CorrelationId;
  /** The id to start it under (a supervisor restarting it); `undefined`: the hosting node gives it one. */
  readonly id: ActorId | undefined;
  readonly url: string;
  readonly definition: string;
  /** The definition's stable key (module and name), by which other systems serve it. */
  readonly key: string;
  /** Set when asking a system's root to place the actor (a node of its own, or another system). */
  readonly placement: PlacementWire | undefined;
  /**
   * With `placement`, to another system's root: the running host of that system to start it
   * on (a pool worker there that the asking system started), instead of a host of its own.
   */
  readonly on?: NodeId;
  /** The node that supervises it, where its crashes are reported (`undefined`: none). */
  readonly supervisor: NodeId | undefined;
  readonly args: unknown;
  readonly enc: Encoded;
  readonly mailbox: MailboxOptions;
  readonly name: string | undefined;
  /** What errors call the actor: its supervised path, else its name. */
  readonly label: string | undefined;
  /** Under a supervisor: a throwing handler crashes the actor (reported by `crashed`) instead of being reported and skipped. */
  readonly supervised: boolean;
  /** The supervisor's count of this actor's starts, echoed in `crashed` so stale reports can be told apart. */
  readonly generation: number;
}

/** Stop one actor (or, without `to`, every actor of the node); answered by `reply`. @internal */
export interface StopEnvelope {
  readonly kind: 'stop';
  readonly dst: NodeId;
  readonly from: NodeId;
  readonly cid: CorrelationId;
  readonly to: ActorId | undefined;
}

/** A thread asks the main thread for a route to `peer`. @internal */
export interface ConnectEnvelope {
  readonly kind: 'connect';
  readonly dst: NodeId;
  readonly from: NodeId;
  readonly peer: NodeId;
}

/** The route to `peer`: a direct port (thread to thread) or `null` (go through the parent). @internal */
export interface LinkEnvelope {
  readonly kind: 'link';
  readonly dst: NodeId;
  readonly peer: NodeId;
  /** A `MessagePort` to `peer`, or `null`: go through `via`. */
  readonly port: unknown;
  readonly via: NodeId | undefined;
}

/**
 * `node` is gone (one node, or every node of a system); settle whatever waits on it or on
 * the actors it hosted. Messages for each actor in `moved` go to the node paired with it
 * from now on: its supervising node holds them while it restarts the actor. @internal
 */
export interface DownEnvelope {
  readonly kind: 'down';
  readonly dst: NodeId;
  readonly node: NodePattern;
  readonly error: SerializedError;
  /** Why: what watchers of its actors are told. */
  readonly reason: SerializedDown;
  readonly actors: readonly ActorId[];
  readonly moved: ReadonlyArray<readonly [ActorId, NodeId]>;
}

/** Node `from` watches `actor`, which runs on the destination: tell it (`gone`) when the actor ends. @internal */
export interface WatchEnvelope {
  readonly kind: 'watch' | 'unwatch';
  readonly dst: NodeId;
  readonly actor: ActorId;
  readonly from: NodeId;
}

/** A watched `actor` ended, for `reason` (or was gone already when the watch arrived). @internal */
export interface GoneEnvelope {
  readonly kind: 'gone';
  readonly dst: NodeId;
  readonly actor: ActorId;
  readonly reason: SerializedDown;
}

/**
 * A request of a node to its system's root, answered by `reply` or `fail`: stop or kill an
 * actor's host, and the name registry (claim, bind, unclaim, release, lookup). @internal
 */
export interface SystemEnvelope {
  readonly kind: 'system';
  readonly dst: NodeId;
  readonly from: NodeId;
  readonly cid: CorrelationId;
  readonly op: 'stop' | 'kill' | 'claim' | 'bind' | 'unclaim' | 'release' | 'lookup' | 'supervise' | 'sup-children' | 'sup-stop' | 'durable';
  readonly actor: ActorId | undefined;
  readonly name: string | undefined;
  /** `bind`: the definition's key (a typed lookup checks it); `kill`: why. */
  readonly detail: string | SerializedDown | undefined;
  /** `supervise`: the spec, encoded as a payload is. */
  readonly data?: unknown;
  readonly enc?: Encoded;
}

/** A supervisor an actor started gave up: the actor crashes with `error` (its own supervisor decides). @internal */
export interface EscalateEnvelope {
  readonly kind: 'escalate';
  readonly dst: NodeId;
  readonly actor: ActorId;
  readonly error: SerializedError;
}

/**
 * `count` more tells from this node to the supervised `actor` were handled or reported as
 * dead letters: the sender stops keeping them. @internal
 */
export interface AckEnvelope {
  readonly kind: 'ack';
  readonly dst: NodeId;
  readonly actor: ActorId;
  readonly count: number;
}

/**
 * Actor `id` now runs on `node`: send its messages there, once those sent on the way it
 * took before have arrived (see `fence`). @internal
 */
export interface RelocateEnvelope {
  readonly kind: 'relocate';
  readonly dst: NodeId;
  readonly id: ActorId;
  readonly node: NodeId;
}

/**
 * Travels to actor `to` the way `from`'s messages to it went so far, behind them; the node
 * running the actor answers `fenced`. Until then `from` holds its new messages for the
 * actor, so that none overtakes an older one when the way changes. @internal
 */
export interface FenceEnvelope {
  readonly kind: 'fence';
  readonly dst: NodeId;
  readonly to: ActorId;
  readonly from: NodeId;
}

/** Every message sent before the fence reached `actor` (on `node`; `undefined`: it is gone). @internal */
export interface FencedEnvelope {
  readonly kind: 'fenced';
  readonly dst: NodeId;
  readonly actor: ActorId;
  readonly node: NodeId | undefined;
}

/**
 * Supervision of one actor, answered by `reply` or `fail`: `halt` stops handling (after the
 * running handler, then `onStop`) and keeps the mailbox; `start` runs `init` and `onStart`
 * again with the spawn arguments and resumes. @internal
 */
export interface RestartEnvelope {
  readonly kind: 'restart';
  readonly dst: NodeId;
  readonly from: NodeId;
  readonly cid: CorrelationId;
  readonly to: ActorId;
  readonly phase: 'halt' | 'start';
  /** With `start`: the generation the restarted actor reports its crashes with. */
  readonly generation: number;
}

/** A supervised actor died in its host (`error` set: a handler threw; `null`: it stopped itself). @internal */
export interface CrashedEnvelope {
  readonly kind: 'crashed';
  readonly dst: NodeId;
  readonly actor: ActorId;
  readonly error: SerializedError | null;
  readonly generation: number;
}

/** Import an actor module ahead of a spawn that may come (spare threads). @internal */
export interface PreloadEnvelope {
  readonly kind: 'preload';
  readonly dst: NodeId;
  readonly url: string;
}

/** Is the node responsive? Answered by `reply` with how long its longest running handler has run, in ms. @internal */
export interface PingEnvelope {
  readonly kind: 'ping';
  readonly dst: NodeId;
  readonly from: NodeId;
  readonly cid: CorrelationId;
}

/** What runs on the node now, for the system's snapshot: answered by `reply` with the node's part. @internal */
export interface InspectEnvelope {
  readonly kind: 'inspect';
  readonly dst: NodeId;
  readonly from: NodeId;
  readonly cid: CorrelationId;
}

/** A message that could not be delivered, reported to the system's events. @internal */
export interface DeadLetterEnvelope {
  readonly kind: 'dead-letter';
  readonly dst: NodeId;
  readonly to: ActorId;
  readonly type: string;
  readonly payload: unknown;
  readonly enc: Encoded;
  readonly error: SerializedError;
  /** The recipient's definition key, when it has no handler for the type (the system's root decides whether to warn). */
  readonly definition?: string | undefined;
}

/** A handler threw while handling a `tell`, reported to the system's events. @internal */
export interface FailureEnvelope {
  readonly kind: 'failure';
  readonly dst: NodeId;
  readonly actor: ActorId;
  readonly type: string;
  readonly error: SerializedError;
}

/** An operation on a channel, for the node that owns it; answered by `reply` or `fail`. @internal */
export interface ChannelEnvelope {
  readonly kind: 'channel';
  readonly dst: NodeId;
  readonly from: NodeId;
  readonly cid: CorrelationId;
  readonly channel: string;
  readonly op: 'send' | 'trySend' | 'receive' | 'prefetch' | 'tryReceive' | 'close' | 'push' | 'topUp' | 'dry' | 'revoke' | 'return' | 'repay' | 'giveBack' | 'giveBackAll';
  readonly item: unknown;
  readonly enc: Encoded;
}

/** The caller of a parked channel operation gave up (timeout, abort). @internal */
export interface ChannelCancelEnvelope {
  readonly kind: 'channel-cancel';
  readonly dst: NodeId;
  readonly from: NodeId;
  readonly cid: CorrelationId;
}

/** @internal */
export type Envelope =
  | TellEnvelope
  | RequestEnvelope
  | ReplyEnvelope
  | FailEnvelope
  | SpawnEnvelope
  | StopEnvelope
  | ConnectEnvelope
  | LinkEnvelope
  | DownEnvelope
  | RelocateEnvelope
  | FenceEnvelope
  | FencedEnvelope
  | WatchEnvelope
  | GoneEnvelope
  | SystemEnvelope
  | EscalateEnvelope
  | AckEnvelope
  | RestartEnvelope
  | CrashedEnvelope
  | PingEnvelope
  | InspectEnvelope
  | PreloadEnvelope
  | DeadLetterEnvelope
  | FailureEnvelope
  | ChannelEnvelope
  | ChannelCancelEnvelope;
