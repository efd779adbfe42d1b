import { describe, expect, it } from 'vitest';
import { encodeFrame } from '../src/transport/frameBytes.js';
import { FrameReader } from '../src/transport/FrameReader.js';
import type { Frame } from '../src/wire/frames.js';

/** Frames of each codec: JSON, JSON with payloads without a value, structured clone. */
const FRAMES: Frame[] = [
  [1, 'n1.0', 'a7', 'ping', { n: 1 }, 0, 'n0.0', 7],
  [3, 'n0.0', 7, undefined, 0],
  [0, 'n1.0', 'a7', 'hit', new Map([['k', new Uint8Array([1, 2, 3])]]), 0, 'n0.0'],
  [0, 'n1.0', 'a7', 'hit', 'é — ünïcode ✓', 0, 'n0.0'],
];

const bytesOf = (frames: readonly Frame[]): Buffer => Buffer.concat(frames.map((frame) => Buffer.from(encodeFrame(frame))));

describe('frames as bytes on a process pipe', () => {
  it.each([
    ['copied (a read buffer reused)', false],
    ['read where they lie (chunks of their own)', true],
  ])('are read back in order, whole, however the stream is cut into chunks: %s', (_how, kept) => {
    const stream = bytesOf(FRAMES);
    for (let size = 1; size <= stream.length; size++) {
      const read: Frame[] = [];
      const reader = new FrameReader((frame) => read.push(frame), kept);
      for (let at = 0; at < stream.length; at += size) reader.push(Buffer.from(stream.subarray(at, at + size)));
      expect(read).toEqual(FRAMES);
    }
  });

  it('keep their typed arrays when the chunk they came in is reused for the next read', () => {
    const stream = bytesOf([FRAMES[2]!]);
    const chunk = Buffer.alloc(stream.length);
    const read: Frame[] = [];
    const reader = new FrameReader((frame) => read.push(frame));
    stream.copy(chunk);
    reader.push(chunk);
    chunk.fill(0);
    expect((read[0]![4] as Map<string, Uint8Array>).get('k')).toEqual(new Uint8Array([1, 2, 3]));
  });

  it('refuse what structured clone cannot copy, as the IPC channel did', () => {
    expect(() => encodeFrame([0, 'n1.0', 'a7', 'hit', () => 1, 0, 'n0.0'])).toThrow();
    expect(() => encodeFrame([0, 'n1.0', 'a7', 'hit', { f: Symbol('s') }, 0, 'n0.0'])).toThrow();
  });
});
