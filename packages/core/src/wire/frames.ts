/**
 * Frames: how a batch of envelopes travels between two nodes.
 * @internal
 * @packageDocumentation
 */
import { MultitaskError } from '../errors.js';
import { columnsOf, rowOf } from './columns.js';
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
/**
 * Tells like the previous one whose payloads are plain objects of one shape with primitive
 * values: the count, the keys, and one column per key (a single value when it is the same
 * in every row). V8 copies an array of numbers or of one string many times faster than as
 * many small objects; measured on 2 cores, a batch of 1024 `{ i, tag }` tells costs about
 * a fifth of the CPU to post and read as columns.
 */
const TELL_RUN = 9;

/** How many elements each opcode takes, itself included. */
const WIDTH: readonly number[] = [7, 8, 8, 5, 2, 3, 4, 8, 4, 4];

/** Fewest tells a run is written as columns for; fewer pay for the check and not back. */
const RUN_MIN = 16;
/**
 * Most tells in one run: a longer one is written as several. A reader refuses a longer run:
 * a frame from another machine must not make a million payloads out of a few bytes.
 */
const RUN_MAX = 4096;

/** A batch on the wire. @internal */
export type Frame = unknown[];

/**
 * Writes envelopes into one frame. Runs of tells (or asks) to the same actor with the same
 * type carry the strings once: V8 copies strings in full on both sides, and they were the
 * larger part of a small message.
 * @internal
 */
export class FrameWriter {
  readonly #frame: Frame = [];
  /** Whether runs of like tells may be written as columns (the reader is this library, of this version). */
  readonly #runs: boolean;
  /** Payloads (enc 0) of the tells like the previous one, not written yet. */
  #run: unknown[] = [];
  /** The previous tell's destination, actor, type and sender ('' before the first). */
  #tellDst = '';
  #tellTo = '';
  #tellType = '';
  #tellFrom = '';
  #ask: RequestEnvelope | undefined;
  #channel: ChannelEnvelope | undefined;

  /** @param runs - write runs of like tells as columns (the reader is this library: this system's threads and processes, a node of its cluster) */
  constructor(runs = false) {
    this.#runs = runs;
  }

  /** The frame, with every envelope written so far. The writer is done with after. */
  finish(): Frame {
    this.#endRun();
    return this.#frame;
  }

  /** Writes a tell from its fields: the tell path makes no envelope object (one per tell was a third of its garbage). */
  writeTell(dst: string, to: string, type: string, payload: unknown, enc: Encoded, from: string): void {
    if (to === this.#tellTo && type === this.#tellType && dst === this.#tellDst && from === this.#tellFrom) {
      if (this.#runs && enc === 0) {
        if (this.#run.push(payload) === RUN_MAX) this.#endRun();
      } else {
        this.#endRun();
        this.#frame.push(TELL_AGAIN, payload, enc);
      }
      return;
    }
    this.#endRun();
    this.#frame.push(TELL, dst, to, type, payload, enc, from);
    this.#tellDst = dst;
    this.#tellTo = to;
    this.#tellType = type;
    this.#tellFrom = from;
  }

  write(e: Envelope): void {
    if (e.kind === 'tell' && e.trace === undefined) return this.writeTell(e.dst, e.to, e.type, e.payload, e.enc, e.from);
    this.#endRun();
    const frame = this.#frame;
    switch (e.kind) {
      case 'ask':
      case 'send': {
        // A traced message goes whole, as an object (OTHER): untraced ones carry no field for it.
        if (e.trace !== undefined) return void frame.push(OTHER, e);
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
      default: // and a traced tell, whole
        frame.push(OTHER, e);
    }
  }

  /** Writes the pending run: as columns when it is long enough and of one flat shape, else tell by tell. */
  #endRun(): void {
    const run = this.#run;
    if (run.length === 0) return;
    this.#run = [];
    const columns = run.length >= RUN_MIN ? columnsOf(run) : undefined;
    if (columns !== undefined) this.#frame.push(TELL_RUN, run.length, columns.keys, columns.values);
    else for (const payload of run) this.#frame.push(TELL_AGAIN, payload, 0);
  }
}

/** Whether the fields of a run read from a frame are what a writer makes (a frame from elsewhere may hold anything). */
function isRun(count: unknown, keys: unknown, values: unknown): count is number {
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > RUN_MAX) return false;
  if (!Array.isArray(keys) || !Array.isArray(values) || keys.length !== values.length || keys.length === 0) return false;
  for (let k = 0; k < keys.length; k++) {
    const column: unknown = values[k];
    if (typeof keys[k] !== 'string' || keys[k] === '__proto__' || !Array.isArray(column) || (column.length !== 1 && column.length !== count)) return false;
  }
  return true;
}

/** Takes the tells of a frame field by field, without an envelope object per tell. @internal */
export interface TellReader {
  tell(dst: NodeId, to: ActorId, type: string, payload: unknown, enc: Encoded, from: NodeId): void;
}

/** Tells as envelopes, for readers that take every kind the same way. */
function tellsAsEnvelopes(visit: (envelope: Envelope) => void): TellReader {
  return { tell: (dst, to, type, payload, enc, from) => visit({ kind: 'tell', dst, to, type, payload, enc, from }) };
}

function notWellFormed(what: string): MultitaskError {
  return new MultitaskError('BAD_FRAME', `a frame is not well formed: ${what}`);
}

/**
 * Calls `visit` with each envelope of a frame, in order (`tells` with each tell, when given).
 * @throws MultitaskError `BAD_FRAME` at the first element that is not well formed (only a
 * frame from another system can be: what was read before it has been visited)
 * @internal
 */
export function readFrame(frame: Frame, visit: (envelope: Envelope) => void, tells: TellReader = tellsAsEnvelopes(visit)): void {
  const f = frame as never[];
  let dst!: NodeId;
  let to: ActorId | undefined;
  let type!: string;
  let from!: NodeId;
  let ask: RequestEnvelope | undefined;
  let channel: ChannelEnvelope | undefined;
  for (let i = 0; i < f.length; ) {
    const op: unknown = f[i];
    const width = typeof op === 'number' ? WIDTH[op] : undefined;
    if (width === undefined) throw notWellFormed(`an unknown opcode (${String(op)})`);
    if (i + width > f.length) throw notWellFormed('a frame cut short');
    switch (op) {
      case TELL:
        dst = f[i + 1]!;
        to = f[i + 2]!;
        type = f[i + 3]!;
        from = f[i + 6]!;
        tells.tell(dst, to, type, f[i + 4]!, f[i + 5]!, from);
        i += 7;
        break;
      case TELL_AGAIN:
        if (to === undefined) throw notWellFormed('a tell like one before it, first');
        tells.tell(dst, to, type, f[i + 1]!, f[i + 2]!, from);
        i += 3;
        break;
      case TELL_RUN: {
        const count: unknown = f[i + 1];
        const keys: string[] = f[i + 2]!;
        const values: unknown[][] = f[i + 3]!;
        if (to === undefined) throw notWellFormed('a run of tells like one before it, first');
        if (!isRun(count, keys, values)) throw notWellFormed('a run of tells with fields of the wrong kinds');
        for (let row = 0; row < count; row++) tells.tell(dst, to, type, rowOf(keys, values, row), 0, from);
        i += 4;
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
        if (ask === undefined) throw notWellFormed('an ask like one before it, first');
        const a = ask;
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
        if (channel === undefined) throw notWellFormed('a channel operation like one before it, first');
        const c = channel;
        visit({ kind: 'channel', dst: c.dst, from: c.from, cid: f[i + 1]!, channel: c.channel, op: c.op, item: f[i + 2]!, enc: f[i + 3]! });
        i += 4;
        break;
      }
      case OTHER: {
        const e: unknown = f[i + 1];
        if (typeof e !== 'object' || e === null) throw notWellFormed('an envelope that is not an object');
        visit(e as Envelope);
        i += 2;
        break;
      }
    }
  }
}
