import type { MessagePort } from 'node:worker_threads';
import { workerThreads } from '../lazyBuiltins.js';
import { MultitaskError } from '../errors.js';
import type { FrameCodec } from '../wire/FrameCodec.js';
import type { Frame } from '../wire/frames.js';
import type { Endpoint } from './Endpoint.js';

/** One end of a {@link MemoryNetwork}: an endpoint whose frames cross as bytes. @internal */
export interface NetworkEnd extends Endpoint {
  /** Frames that arrived here and could not be decoded (dropped). */
  readonly badFrames: number;
  /** Puts raw bytes on the wire toward the other end, as a rogue peer could. */
  sendRaw(bytes: Uint8Array): void;
}

/** Two systems' ends of an in-memory wire. @internal */
export interface MemoryNetwork {
  readonly a: NetworkEnd;
  readonly b: NetworkEnd;
  /** Cuts the wire: both ends stop, and each reports its end (`onClose`) with `error`. */
  cut(error?: Error): void;
}

/**
 * An in-memory stand-in for a network between two systems in one process, for tests: a
 * `MessageChannel` carries each frame as the bytes `codec` made of it, so what crosses is
 * exactly what a network adapter would send, decoded on the other side by the same codec.
 * A frame that fails to decode is dropped and counted. The NATS adapter plugs into the same
 * seam (an {@link Endpoint} per peer system, with `onClose`).
 * @internal
 */
export function openMemoryNetwork(codec: FrameCodec): MemoryNetwork {
  const { port1, port2 } = new (workerThreads().MessageChannel)();
  const closers: Array<(error: Error) => void> = [];
  let cut = false;
  const end = (error: Error): void => {
    if (cut) return;
    cut = true;
    port1.close();
    for (const close of closers) close(error);
  };
  const side = (port: MessagePort): NetworkEnd => {
    let bad = 0;
    const listeners: Array<(error: Error) => void> = [];
    closers.push((error) => {
      for (const listener of listeners) listener(error);
    });
    const post = (bytes: Uint8Array): void => {
      if (cut) return;
      const copy = new Uint8Array(bytes); // a buffer of its own, moved rather than copied again
      port.postMessage(copy, [copy.buffer]);
    };
    return {
      get badFrames() {
        return bad;
      },
      post: (frame) => post(codec.encode(frame)),
      sendRaw: post,
      onReceive(receiver) {
        port.on('message', (bytes: Uint8Array) => {
          let frame: Frame;
          try {
            frame = codec.decode(bytes);
          } catch {
            bad += 1;
            return;
          }
          receiver(frame);
        });
      },
      onClose(listener) {
        listeners.push(listener);
      },
      close: () => end(new MultitaskError('NODE_DOWN', 'the link to the other system was closed')),
    };
  };
  return { a: side(port1), b: side(port2), cut: (error) => end(error ?? new MultitaskError('NODE_DOWN', 'the link to the other system was cut')) };
}
