/**
 * Frames as bytes on a pipe between two processes of one machine. Each frame starts with
 * a codec byte:
 * - `j`: the frame as JSON text, up to a newline (JSON text holds none of its own);
 * - `h`: `[indices, frame]` as JSON text, up to a newline: the frame's items at those
 *   indices are `undefined` (a payload without a value), which JSON cannot say;
 * - `v`: a 4-byte length (little-endian), then the frame as structured clone bytes, as
 *   Node's `advanced` IPC serialization writes them.
 *
 * A frame that JSON rebuilds exactly ({@link jsonExactFrame}) travels as JSON: for the small
 * frames of a round trip, it costs a fraction of `v8.serialize` and its per-call setup.
 * @internal
 * @packageDocumentation
 */
import { types } from 'node:util';
import type { Deserializer, Serializer } from 'node:v8';
import type { Frame } from '../wire/frames.js';
import { jsonExactFrame } from './jsonExact.js';
import { nodeV8 } from '../lazyBuiltins.js';

/** Codec bytes (see the module's description). @internal */
export const JSON_FRAME = 0x6a; // j
/** @internal */
export const JSON_HOLES = 0x68; // h
/** @internal */
export const CLONE_FRAME = 0x76; // v
/** The byte that ends a JSON frame. @internal */
export const NEWLINE = 0x0a;
/** Bytes before a structured clone frame's body: its codec and its length. @internal */
export const CLONE_HEADER = 5;

const VIEW = 0;
const NOT_VIEW = 1;

/** The host-object hooks of `node:v8`'s default (de)serializer, which its typings leave out. */
interface HostHooks {
  _writeHostObject(object: object): void;
  _readHostObject(): unknown;
}

/** Node's `advanced` IPC (de)serializer, as {@link cloneCodec} makes it. */
interface CloneCodec {
  readonly Serializer: new () => Serializer;
  readonly Deserializer: new (body: Uint8Array) => Deserializer;
}

let clone: CloneCodec | undefined;

/**
 * Node's `advanced` IPC serializer, with its handling of host objects: typed arrays and
 * `Buffer`s keep their type, other host objects travel as a copy of their own properties.
 * Made when the first frame needs it: `node:v8` is not loaded before (see `lazyBuiltins.ts`).
 */
function cloneCodec(): CloneCodec {
  if (clone !== undefined) return clone;
  const { DefaultDeserializer, DefaultSerializer } = nodeV8();
  const writeView = (DefaultSerializer.prototype as unknown as HostHooks)._writeHostObject;
  const readView = (DefaultDeserializer.prototype as unknown as HostHooks)._readHostObject;
  class CloneSerializer extends DefaultSerializer implements Pick<HostHooks, '_writeHostObject'> {
    _writeHostObject(object: object): void {
      const view = types.isArrayBufferView(object);
      this.writeUint32(view ? VIEW : NOT_VIEW);
      if (view) writeView.call(this, object);
      else this.writeValue({ ...object });
    }
  }
  class CloneDeserializer extends DefaultDeserializer implements Pick<HostHooks, '_readHostObject'> {
    _readHostObject(): unknown {
      return this.readUint32() === VIEW ? readView.call(this) : this.readValue();
    }
  }
  return (clone = { Serializer: CloneSerializer, Deserializer: CloneDeserializer });
}

/**
 * A frame as it is written to the pipe: JSON text (a string, written as UTF-8) or
 * structured clone bytes.
 * @throws (a `DataCloneError`) when something in the frame cannot be copied to another process
 * @internal
 */
export function encodeFrame(frame: Frame): string | Buffer {
  const holes = jsonExactFrame(frame);
  if (holes === undefined) return `j${JSON.stringify(frame)}\n`;
  if (holes !== false) return `h${JSON.stringify([holes, frame])}\n`;
  const serializer = new (cloneCodec().Serializer)();
  serializer.writeRawBytes(Buffer.allocUnsafe(CLONE_HEADER));
  serializer.writeHeader();
  serializer.writeValue(frame);
  const bytes = serializer.releaseBuffer();
  bytes[0] = CLONE_FRAME;
  bytes.writeUInt32LE(bytes.length - CLONE_HEADER, 1);
  return bytes;
}

/**
 * The frame in the JSON text `bytes[start, end)` (after the codec byte, before the newline).
 * @param codec - {@link JSON_FRAME} or {@link JSON_HOLES}
 * @internal
 */
export function decodeJsonFrame(codec: number, bytes: Buffer, start: number, end: number): Frame {
  const text = bytes.toString('utf8', start, end);
  if (codec === JSON_FRAME) return JSON.parse(text) as Frame;
  if (codec !== JSON_HOLES) throw new TypeError(`not a frame: codec byte ${codec}`);
  const [holes, frame] = JSON.parse(text) as [number[], Frame];
  for (const at of holes) frame[at] = undefined;
  return frame;
}

/**
 * The frame in structured clone bytes (a frame's body, without its header). Typed arrays in
 * it are views into `body`: hand over bytes of the frame's own.
 * @internal
 */
export function decodeCloneFrame(body: Uint8Array): Frame {
  const deserializer = new (cloneCodec().Deserializer)(body);
  deserializer.readHeader();
  return deserializer.readValue() as Frame;
}
