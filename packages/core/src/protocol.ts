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

/**
 * What a full mailbox does with one more message.
 *
 * @example
 * {@includeCode ../../examples/src/guides/apiExamples.ts#OverflowPolicy}
 */
export type OverflowPolicy = 'backpressure' | 'drop-newest' | 'drop-oldest' | 'fail';

/**
 * The size and overflow policy of an actor's mailbox.
 *
 * @example
 * {@includeCode ../../examples/src/guides/apiExamples.ts#MailboxOptions}
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
  readonly port: unknown;
}

/**
 * `node` is gone; settle whatever waits on it or on the actors it hosted. Messages for the
 * actors in `moved` go to the main thread from now on: their supervisor restarts them. @internal
 */
export interface DownEnvelope {
  readonly kind: 'down';
  readonly dst: NodeId;
  readonly node: NodeId;
  readonly error: SerializedError;
  readonly actors: readonly ActorId[];
  readonly moved: readonly ActorId[];
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

/** Actor `id` now runs on `node`: send its messages there. @internal */
export interface RelocateEnvelope {
  readonly kind: 'relocate';
  readonly dst: NodeId;
  readonly id: ActorId;
  readonly node: NodeId;
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

/** An operation on a channel, for the node that owns it; answered by `reply` or `fail`. @internal */
export interface ChannelEnvelope {
  readonly kind: 'channel';
  readonly dst: NodeId;
  readonly from: NodeId;
  readonly cid: CorrelationId;
  readonly channel: string;
  readonly op: 'send' | 'trySend' | 'receive' | 'prefetch' | 'tryReceive' | 'close' | 'requeue' | 'push' | 'topUp' | 'dry' | 'revoke' | 'return' | 'repay';
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
  | AckEnvelope
  | RestartEnvelope
  | CrashedEnvelope
  | PingEnvelope
  | PreloadEnvelope
  | DeadLetterEnvelope
  | FailureEnvelope
  | ChannelEnvelope
  | ChannelCancelEnvelope;


// ---- Frames: how a batch travels --------------------------------------------------------
//
// Structured clone rebuilds objects slowly and flat arrays quickly, so a batch travels as
// one flat array: the hot kinds (tell, ask, send, reply) as an opcode and their fields,
// every other kind as an opcode and the envelope object. Measured on 2 cores: batches of
// 1024 tells move at ~3.6 M msg/s as frames, ~1.8 M msg/s as arrays of objects.

const TELL = 0;
const ASK = 1;
const SEND = 2;
const REPLY = 3;
const OTHER = 4;
/** A tell to the same destination, actor and type, from the same node, as the frame's previous tell: payload and enc only. */
const TELL_AGAIN = 5;
/** An ask to the same destination, actor and type, from the same node, as the previous ask. */
const ASK_AGAIN = 6;
const CHANNEL = 7;
/** A channel operation like the previous one (destination, sender, channel, op): cid, item and enc only. */
const CHANNEL_AGAIN = 8;

/** A batch on the wire. @internal */
export type Frame = unknown[];

/**
 * Writes envelopes into one frame. Runs of tells (or asks) to the same actor with the same
 * type carry the strings once: V8 copies strings in full on both sides, and they were the
 * larger part of a small message.
 * @internal
 */
export class FrameWriter {
  readonly frame: Frame = [];
  #tell: TellEnvelope | undefined;
  #ask: RequestEnvelope | undefined;
  #channel: ChannelEnvelope | undefined;

  write(e: Envelope): void {
    const frame = this.frame;
    switch (e.kind) {
      case 'tell': {
        const last = this.#tell;
        if (last !== undefined && last.to === e.to && last.type === e.type && last.dst === e.dst && last.from === e.from) frame.push(TELL_AGAIN, e.payload, e.enc);
        else frame.push(TELL, e.dst, e.to, e.type, e.payload, e.enc, e.from);
        this.#tell = e;
        return;
      }
      case 'ask':
      case 'send': {
        const last = this.#ask;
        if (e.kind === 'ask' && last !== undefined && last.to === e.to && last.type === e.type && last.dst === e.dst && last.from === e.from) {
          frame.push(ASK_AGAIN, e.payload, e.enc, e.cid);
        } else {
          frame.push(e.kind === 'ask' ? ASK : SEND, e.dst, e.to, e.type, e.payload, e.enc, e.from, e.cid);
        }
        if (e.kind === 'ask') this.#ask = e;
        return;
      }
      case 'reply':
        frame.push(REPLY, e.dst, e.cid, e.value, e.enc);
        return;
      case 'channel': {
        const last = this.#channel;
        if (last !== undefined && last.channel === e.channel && last.op === e.op && last.dst === e.dst && last.from === e.from) frame.push(CHANNEL_AGAIN, e.cid, e.item, e.enc);
        else frame.push(CHANNEL, e.dst, e.from, e.cid, e.channel, e.op, e.item, e.enc);
        this.#channel = e;
        return;
      }
      default:
        frame.push(OTHER, e);
    }
  }
}

/** Calls `visit` with each envelope of a frame, in order. @internal */
export function readFrame(frame: Frame, visit: (envelope: Envelope) => void): void {
  const f = frame as never[];
  let tell: TellEnvelope | undefined;
  let ask: RequestEnvelope | undefined;
  let channel: ChannelEnvelope | undefined;
  for (let i = 0; i < f.length; ) {
    switch (f[i]! as number) {
      case TELL:
        tell = { kind: 'tell', dst: f[i + 1]!, to: f[i + 2]!, type: f[i + 3]!, payload: f[i + 4]!, enc: f[i + 5]!, from: f[i + 6]! };
        visit(tell);
        i += 7;
        break;
      case TELL_AGAIN: {
        const t = tell as TellEnvelope;
        visit({ kind: 'tell', dst: t.dst, to: t.to, type: t.type, payload: f[i + 1]!, enc: f[i + 2]!, from: t.from });
        i += 3;
        break;
      }
      case ASK:
      case SEND: {
        const request: RequestEnvelope = { kind: f[i]! === ASK ? 'ask' : 'send', dst: f[i + 1]!, to: f[i + 2]!, type: f[i + 3]!, payload: f[i + 4]!, enc: f[i + 5]!, from: f[i + 6]!, cid: f[i + 7]! };
        if (request.kind === 'ask') ask = request;
        visit(request);
        i += 8;
        break;
      }
      case ASK_AGAIN: {
        const a = ask as RequestEnvelope;
        visit({ kind: 'ask', dst: a.dst, to: a.to, type: a.type, payload: f[i + 1]!, enc: f[i + 2]!, from: a.from, cid: f[i + 3]! });
        i += 4;
        break;
      }
      case REPLY:
        visit({ kind: 'reply', dst: f[i + 1]!, cid: f[i + 2]!, value: f[i + 3]!, enc: f[i + 4]! });
        i += 5;
        break;
      case CHANNEL:
        channel = { kind: 'channel', dst: f[i + 1]!, from: f[i + 2]!, cid: f[i + 3]!, channel: f[i + 4]!, op: f[i + 5]!, item: f[i + 6]!, enc: f[i + 7]! };
        visit(channel);
        i += 8;
        break;
      case CHANNEL_AGAIN: {
        const c = channel as ChannelEnvelope;
        visit({ kind: 'channel', dst: c.dst, from: c.from, cid: f[i + 1]!, channel: c.channel, op: c.op, item: f[i + 2]!, enc: f[i + 3]! });
        i += 4;
        break;
      }
      default:
        visit(f[i + 1]!);
        i += 2;
    }
  }
}
