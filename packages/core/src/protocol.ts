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
import type { SerializedError } from './errorWire.js';
import type { ActorId, CorrelationId, NodeId } from './ids.js';

/** What a full mailbox does with one more message. */
export type OverflowPolicy = 'backpressure' | 'drop-newest' | 'drop-oldest' | 'fail';

/** The size and overflow policy of an actor's mailbox. */
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

/** Start an actor on the destination node; answered by `reply` or `fail`. @internal */
export interface SpawnEnvelope {
  readonly kind: 'spawn';
  readonly dst: NodeId;
  readonly from: NodeId;
  readonly cid: CorrelationId;
  readonly id: ActorId;
  readonly url: string;
  readonly definition: string;
  readonly args: unknown;
  readonly enc: Encoded;
  readonly mailbox: MailboxOptions;
  readonly name: string | undefined;
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
  readonly port: unknown;
}

/** `node` is gone; settle whatever waits on it. @internal */
export interface DownEnvelope {
  readonly kind: 'down';
  readonly dst: NodeId;
  readonly node: NodeId;
  readonly error: SerializedError;
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
}

/** A handler threw while handling a `tell`, reported to the system's events. @internal */
export interface FailureEnvelope {
  readonly kind: 'failure';
  readonly dst: NodeId;
  readonly actor: ActorId;
  readonly type: string;
  readonly error: SerializedError;
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
  | DeadLetterEnvelope
  | FailureEnvelope;

/** Envelopes are sent in batches: everything a node posts to one peer in one tick. @internal */
export type Batch = readonly Envelope[];
