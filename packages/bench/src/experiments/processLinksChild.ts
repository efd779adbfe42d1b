// The child of processLinks.ts: echoes over the link it is told to use.
import { Socket } from 'node:net';
import { deserialize, serialize } from 'node:v8';

const way = process.argv[2];
const reply = (message: unknown): unknown => (Array.isArray(message) && message[0] === 'cpu' ? [process.cpuUsage()] : message);

/** Length-prefixed frames: 4 bytes of length, 1 byte of codec (0 json, 1 v8), the body. */
export function encodeFrame(message: unknown, json: boolean): Buffer {
  if (json) {
    const text = JSON.stringify(message);
    const buffer = Buffer.allocUnsafe(5 + Buffer.byteLength(text));
    buffer.writeUInt32LE(buffer.length - 4, 0);
    buffer[4] = 0;
    buffer.write(text, 5);
    return buffer;
  }
  const bytes = serialize(message);
  const head = Buffer.allocUnsafe(5);
  head.writeUInt32LE(bytes.length + 1, 0);
  head[4] = 1;
  return Buffer.concat([head, bytes]);
}

export function frameReader(deliver: (message: unknown) => void): (chunk: Buffer) => void {
  let pending: Buffer | undefined;
  return (chunk) => {
    const data = pending === undefined ? chunk : Buffer.concat([pending, chunk]);
    let at = 0;
    while (data.length - at >= 4) {
      const size = data.readUInt32LE(at);
      if (data.length - at - 4 < size) break;
      const body = at + 5;
      deliver(data[at + 4] === 0 ? JSON.parse(data.toString('utf8', body, at + 4 + size)) : deserialize(data.subarray(body, at + 4 + size)));
      at += 4 + size;
    }
    pending = at === data.length ? undefined : data.subarray(at);
  };
}

/** Newline-delimited JSON, read from chunks (copied out when a line spans chunks). */
export function lineReader(deliver: (message: unknown) => void): (chunk: Uint8Array, length: number) => void {
  let pending = '';
  return (chunk, length) => {
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, length);
    let at = 0;
    for (let nl = bytes.indexOf(10, at); nl !== -1 && nl < length; nl = bytes.indexOf(10, at)) {
      const text = bytes.toString('latin1', at, nl);
      deliver(JSON.parse(pending === '' ? text : pending + text));
      pending = '';
      at = nl + 1;
    }
    if (at < length) pending += bytes.toString('latin1', at, length);
  };
}

export const lineOf = (message: unknown): string => `${JSON.stringify(message)}\n`;

if (process.argv[1]?.endsWith('processLinksChild.js')) {
  if (way === 'json' || way === 'advanced') {
    process.on('message', (message) => process.send?.(reply(message)));
  } else if (way === 'pipe-line-onread') {
    const read = lineReader((message) => socket.write(lineOf(reply(message)), 'latin1'));
    const socket = new Socket({ fd: 4, readable: true, writable: true, onread: { buffer: Buffer.allocUnsafe(65536), callback: (n: number, buf: Uint8Array) => (read(buf, n), true) } } as never);
    process.on('disconnect', () => process.exit(0));
  } else if (way === 'pipe-line') {
    const socket = new Socket({ fd: 4, readable: true, writable: true });
    const read = lineReader((message) => socket.write(lineOf(reply(message)), 'latin1'));
    socket.on('data', (chunk: Buffer) => read(chunk, chunk.length));
    process.on('disconnect', () => process.exit(0));
  } else {
    const socket = new Socket({ fd: 4, readable: true, writable: true });
    const json = way === 'pipe-json';
    socket.on('data', frameReader((message) => socket.write(encodeFrame(reply(message), json))));
    process.on('disconnect', () => process.exit(0));
  }
}
