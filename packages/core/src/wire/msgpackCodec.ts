/**
 * The codec between machines: MessagePack with the explicit, versioned extension table of
 * `msgpackExtensions.ts`, within {@link WireLimits}. Bytes from the network are checked
 * before they are decoded and never reach `v8.deserialize` or structured clone.
 * @internal
 * @packageDocumentation
 */
import { Decoder, Encoder } from '@msgpack/msgpack';
import { MultitaskError } from '../errors.js';
import { BadValue, HAS_BAD_VALUES } from './BadValue.js';
import type { FrameCodec } from './FrameCodec.js';
import type { Frame } from './frames.js';
import { MalformedFrame, checkFrame } from './msgpackCheck.js';
import { extensionCodec, type WireContext } from './msgpackExtensions.js';
import { ToWire, fromWire } from './msgpackValues.js';
import { DEFAULT_WIRE_LIMITS, type WireLimits } from './wireLimits.js';

/**
 * The codec version a frame starts with. A node refuses frames of another version (they
 * are bad frames), so nodes of one cluster run the same version.
 * @internal
 */
export const MSGPACK_CODEC_VERSION = 2;

/** Flag bit: the frame holds tagged containers (maps, sets, sparse arrays, errors, odd keys). */
const CONTAINERS = 1;
const HEADER = 2;

/** A frame from another machine could not be read. @internal */
export function badFrame(reason: string, cause?: unknown): MultitaskError {
  return new MultitaskError('BAD_FRAME', `a frame from another machine was dropped: ${reason}`, cause === undefined ? undefined : { cause });
}

const TOO_LARGE: unique symbol = Symbol('multitask.frameTooLarge');

/** `NOT_SERIALIZABLE` because of the frame's size alone: the same envelopes in smaller frames may go. @internal */
export function tooLarge(message: string): MultitaskError {
  return Object.defineProperty(new MultitaskError('NOT_SERIALIZABLE', message), TOO_LARGE, { value: true });
}

/** Whether `error` says a frame was too large (and nothing else was wrong with it). @internal */
export function isTooLarge(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[TOO_LARGE] === true;
}

/** The MessagePack frame codec, with its limits. @internal */
export interface MsgpackCodec extends FrameCodec {
  readonly limits: WireLimits;
  /**
   * Checks that a payload can cross (the walk `encode` does, without the bytes).
   * @throws MultitaskError `NOT_SERIALIZABLE`
   */
  check(value: unknown): void;
}

/**
 * Makes the MessagePack codec.
 *
 * Encoding refuses (`NOT_SERIALIZABLE`) what it cannot carry exactly: functions, symbols,
 * promises, weak collections, `SharedArrayBuffer`, boxed primitives, cycles and anything
 * past the limits. Shared references arrive as separate copies.
 *
 * Decoding throws `BAD_FRAME` for bytes it cannot read as a frame at all (wrong version,
 * damage, nesting past `maxDepth`); an element of the frame that is past a limit or
 * malformed on its own becomes a {@link BadValue}, so that the rest is still delivered.
 * @internal
 */
export function createMsgpackCodec(limits: WireLimits = DEFAULT_WIRE_LIMITS): MsgpackCodec {
  // Depth is enforced by the walks; the library's own limit only has to stay out of their way.
  const encoder = new Encoder({ extensionCodec, context: { tags: true }, maxDepth: limits.maxDepth + 1, initialBufferSize: 4096 });
  const decoderOf = (tags: boolean): Decoder<WireContext> =>
    new Decoder({
      extensionCodec,
      context: { tags },
      maxStrLength: limits.maxStringBytes,
      maxBinLength: limits.maxStringBytes,
      maxExtLength: limits.maxStringBytes + 1,
      maxArrayLength: limits.maxArrayLength,
      maxMapLength: limits.maxMapLength,
    });
  // A frame that declares no containers is decoded by one that refuses tags: no walk after.
  const withTags = decoderOf(true);
  const withoutTags = decoderOf(false);
  const element = (bytes: Uint8Array, containers: boolean): unknown => (containers ? fromWire(withTags.decode(bytes)) : withoutTags.decode(bytes));

  const decodeFrame = (bytes: Uint8Array): Frame => {
    if (bytes.length > limits.maxFrameBytes) throw badFrame(`${bytes.length} bytes is more than maxFrameBytes (${limits.maxFrameBytes})`);
    if (bytes.length <= HEADER) throw badFrame('too short');
    if (bytes[0] !== MSGPACK_CODEC_VERSION) throw badFrame(`codec version ${bytes[0]} (this node reads version ${MSGPACK_CODEC_VERSION})`);
    const flags = bytes[1] as number;
    if ((flags & ~CONTAINERS) !== 0) throw badFrame('unknown flags');
    const containers = (flags & CONTAINERS) !== 0;
    const { bounds, bad } = checkFrame(bytes, HEADER, limits);
    if (bad.size === 0) {
      try {
        const frame = element(bytes.subarray(HEADER), containers);
        if (Array.isArray(frame)) return frame;
      } catch {
        // an element is malformed inside: read them one by one below
      }
    }
    const frame: Frame = [];
    for (let i = 0; i + 1 < bounds.length; i++) {
      const problem = bad.get(i);
      if (problem !== undefined) {
        frame.push(new BadValue(problem));
        continue;
      }
      try {
        frame.push(element(bytes.subarray(bounds[i], bounds[i + 1]), containers));
      } catch (error) {
        frame.push(new BadValue(error instanceof Error ? error.message : String(error)));
      }
    }
    Object.defineProperty(frame, HAS_BAD_VALUES, { value: true });
    return frame;
  };

  return {
    name: `msgpack-v${MSGPACK_CODEC_VERSION}`,
    limits,
    check(value) {
      new ToWire(limits).value(value, 3);
    },
    encode(frame) {
      const walk = new ToWire(limits);
      const wire = walk.value(frame, 1);
      let body: Uint8Array;
      try {
        body = encoder.encodeSharedRef(wire);
      } catch (error) {
        throw new MultitaskError('NOT_SERIALIZABLE', `a frame could not be encoded: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
      if (body.length + HEADER > limits.maxFrameBytes) throw tooLarge(`a frame of ${body.length + HEADER} bytes is more than maxFrameBytes (${limits.maxFrameBytes})`);
      const bytes = new Uint8Array(body.length + HEADER);
      bytes[0] = MSGPACK_CODEC_VERSION;
      bytes[1] = walk.containers ? CONTAINERS : 0;
      bytes.set(body, HEADER);
      return bytes;
    },
    decode(bytes) {
      try {
        return decodeFrame(bytes);
      } catch (error) {
        if (error instanceof MultitaskError) throw error;
        throw badFrame(error instanceof MalformedFrame ? error.message : `undecodable (${error instanceof Error ? error.message : String(error)})`, error);
      }
    },
  };
}
