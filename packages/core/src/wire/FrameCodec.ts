/**
 * How a frame becomes bytes, for links that carry bytes rather than objects (a network).
 * Threads of one machine need none: their ports copy frames by structured clone. Process
 * hosts write their frames on a pipe with their own small encoding (`transport/frameBytes.ts`).
 * @internal
 * @packageDocumentation
 */
import { nodeV8 } from '../lazyBuiltins.js';
import type { Frame } from './frames.js';

/** Turns frames into bytes and back. @internal */
export interface FrameCodec {
  /** A name for errors and logs. */
  readonly name: string;
  /** @throws when something in the frame cannot be encoded */
  encode(frame: Frame): Uint8Array;
  /** @throws when the bytes are not a frame this codec wrote */
  decode(bytes: Uint8Array): Frame;
}

/**
 * Structured clone as bytes (`v8.serialize`): what threads and processes of one machine
 * already use. Only for bytes from a trusted peer on the same machine: `v8.deserialize` is
 * not safe on bytes from a network.
 * @internal
 */
export const structuredCloneCodec: FrameCodec = {
  name: 'structured-clone',
  encode: (frame) => nodeV8().serialize(frame),
  decode(bytes) {
    const frame: unknown = nodeV8().deserialize(bytes);
    if (!Array.isArray(frame)) throw new TypeError('a frame must be an array');
    return frame;
  },
};
