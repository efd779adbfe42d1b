/**
 * Frames: how a batch of envelopes travels between two nodes.
 * @internal
 * @packageDocumentation
 */
import type { ActorId, NodeId } from './ids.js';
import type { ChannelEnvelope, Encoded, Envelope, RequestEnvelope } from './protocol.js';

// // Structured clone rebuilds objects slowly and flat arrays quickly, so a batch travels as
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
  /** The previous tell's destination, actor, type and sender ('' before the first). */
  #tellDst = '';
  #tellTo = '';
  #tellType = '';
  #tellFrom = '';
  #ask: RequestEnvelope | undefined;
  #channel: ChannelEnvelope | undefined;

  /** Writes a tell from its fields: the tell path makes no envelope object (one per tell was a third of its garbage). */
  writeTell(dst: string, to: string, type: string, payload: unknown, enc: Encoded, from: string): void {
    if (to === this.#tellTo && type === this.#tellType && dst === this.#tellDst && from === this.#tellFrom) {
      this.frame.push(TELL_AGAIN, payload, enc);
      return;
    }
    this.frame.push(TELL, dst, to, type, payload, enc, from);
    this.#tellDst = dst;
    this.#tellTo = to;
    this.#tellType = type;
    this.#tellFrom = from;
  }

  write(e: Envelope): void {
    const frame = this.frame;
    switch (e.kind) {
      case 'tell':
        return this.writeTell(e.dst, e.to, e.type, e.payload, e.enc, e.from);
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

/** Takes the tells of a frame field by field, without an envelope object per tell. @internal */
export interface TellReader {
  tell(dst: NodeId, to: ActorId, type: string, payload: unknown, enc: Encoded, from: NodeId): void;
}

/** Tells as envelopes, for readers that take every kind the same way. */
function tellsAsEnvelopes(visit: (envelope: Envelope) => void): TellReader {
  return { tell: (dst, to, type, payload, enc, from) => visit({ kind: 'tell', dst, to, type, payload, enc, from }) };
}

/** Calls `visit` with each envelope of a frame, in order (`tells` with each tell, when given). @internal */
export function readFrame(frame: Frame, visit: (envelope: Envelope) => void, tells: TellReader = tellsAsEnvelopes(visit)): void {
  const f = frame as never[];
  let dst!: NodeId;
  let to!: ActorId;
  let type!: string;
  let from!: NodeId;
  let ask: RequestEnvelope | undefined;
  let channel: ChannelEnvelope | undefined;
  for (let i = 0; i < f.length; ) {
    switch (f[i]! as number) {
      case TELL:
        dst = f[i + 1]!;
        to = f[i + 2]!;
        type = f[i + 3]!;
        from = f[i + 6]!;
        tells.tell(dst, to, type, f[i + 4]!, f[i + 5]!, from);
        i += 7;
        break;
      case TELL_AGAIN:
        tells.tell(dst, to, type, f[i + 1]!, f[i + 2]!, from);
        i += 3;
        break;
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
