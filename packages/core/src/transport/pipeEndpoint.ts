import type { OnReadOpts, Socket, SocketConstructorOpts } from 'node:net';
import { nodeNet } from '../lazyBuiltins.js';
import type { Frame } from '../wire/frames.js';
import type { Endpoint } from './Endpoint.js';
import { encodeFrame } from './frameBytes.js';
import { FrameReader } from './FrameReader.js';

/**
 * The file descriptor of a process host's frame pipe, in the child (0–2 are its stdio, 3
 * its IPC channel, kept for the parent's disconnect).
 * @internal
 */
export const PIPE_FD = 4;

/** How much one read of the child's pipe takes in at most (its one buffer, reused). */
const READ_BYTES = 64 * 1024;

const ignore = (): void => undefined;

/**
 * An endpoint over a pipe to another process of this machine, carrying frames as bytes
 * ({@link encodeFrame}), and the function that reads what arrives on it. Node's IPC
 * channel writes and reads much the same bytes but emits an event per message; here every
 * frame a read brought is handed over in one go, and small frames travel as JSON, not
 * `v8.serialize`. A write to a peer that is gone is dropped (its end is reported by its
 * host); a transfer list is ignored (an `ArrayBuffer` is copied to another process anyway).
 */
function framePipe(socket: Socket, letGo: () => void, kept: boolean): { readonly endpoint: Endpoint; readonly read: (chunk: Buffer) => void } {
  socket.on('error', ignore);
  let receive: ((frame: Frame) => void) | undefined;
  let early: Frame[] | undefined;
  const reader = new FrameReader((frame) => (receive === undefined ? (early ??= []).push(frame) : receive(frame)), kept);
  const endpoint: Endpoint = {
    packsRuns: true,
    post(frame) {
      const bytes = encodeFrame(frame);
      if (socket.writable) socket.write(bytes);
    },
    onReceive(receiver) {
      receive = receiver;
      const arrived = early ?? [];
      early = undefined;
      for (const frame of arrived) receiver(frame);
    },
    close() {
      socket.end();
      letGo();
    },
  };
  return { endpoint, read: (chunk) => reader.push(chunk) };
}

/**
 * The parent's end of a child's frame pipe (the socket `fork` made for it). Closing it also
 * lets the child go: `letGo` closes its IPC channel, as closing that channel did when frames
 * travelled on it.
 * @internal
 */
export function childPipeEndpoint(socket: Socket, letGo: () => void): Endpoint {
  const { endpoint, read } = framePipe(socket, letGo, true); // a stream's chunks are new buffers, each its own
  socket.on('data', read);
  return endpoint;
}

/** `SocketConstructorOpts` with `onread`, which Node takes but the typings of Node 20 leave out. */
interface PipeSocketOptions extends SocketConstructorOpts {
  readonly onread: OnReadOpts;
}

/**
 * The child's end of its frame pipe ({@link PIPE_FD}). It reads into one buffer of its own
 * (`onread`): no allocation, and no stream machinery, per read. Closing it also closes the
 * IPC channel, which lets this process exit.
 * @internal
 */
export function parentPipeEndpoint(): Endpoint {
  const { Socket } = nodeNet();
  let read: (chunk: Buffer) => void = ignore;
  const options: PipeSocketOptions = {
    fd: PIPE_FD,
    readable: true,
    writable: true,
    onread: {
      buffer: Buffer.allocUnsafe(READ_BYTES),
      callback(bytes, buffer) {
        read((buffer as Buffer).subarray(0, bytes));
        return true;
      },
    },
  };
  const pipe = framePipe(
    new Socket(options),
    () => {
      if (process.connected) process.disconnect();
    },
    false, // its one read buffer is written again by the next read
  );
  read = pipe.read;
  return pipe.endpoint;
}
