import { serialize } from 'node:v8';
import { afterEach, describe, expect, it } from 'vitest';
import { createChannel, createSystem, type ActorSystem } from '../src/index.js';
import { openMemoryNetwork } from '../src/transport/memoryNetwork.js';
import type { FrameCodec } from '../src/wire/FrameCodec.js';
import { FrameWriter, readFrame, type Frame } from '../src/wire/frames.js';
import type { Envelope } from '../src/wire/protocol.js';
import { createMsgpackCodec } from '../src/wire/msgpackCodec.js';
import { Relay } from './fixtures/relay.js';
import { codeOf } from './helpers.js';

/** The MessagePack codec, with every batch of channel items in a reply made v8 bytes, as a rogue owner could. */
function packingCodec(): FrameCodec {
  const codec = createMsgpackCodec();
  const pack = (e: Envelope): Envelope => {
    if (e.kind !== 'reply' || !Array.isArray(e.value) || !Array.isArray(e.value[0])) return e;
    const [segments, ...rest] = e.value as [Array<{ items?: unknown[] }>, ...unknown[]];
    if (!segments.some((segment) => Array.isArray(segment.items))) return e;
    const packed = segments.map((segment) => (segment.items === undefined ? segment : { bytes: serialize(segment.items), count: segment.items.length, enc: 0 }));
    return { ...e, value: [packed, ...rest] };
  };
  return {
    name: 'packing',
    encode(frame: Frame) {
      const writer = new FrameWriter();
      readFrame(frame, (e) => writer.write(pack(e)));
      return codec.encode(writer.finish());
    },
    decode: (bytes) => codec.decode(bytes),
  };
}

/** The MessagePack codec, noting every channel item that crosses as bytes rather than values. */
function watchingCodec(): FrameCodec & { readonly packed: number } {
  const codec = createMsgpackCodec();
  let packed = 0;
  const holdsBytes = (value: unknown): boolean => value instanceof Uint8Array || (Array.isArray(value) && value.some(holdsBytes)) || (typeof value === 'object' && value !== null && Object.values(value).some(holdsBytes));
  return {
    name: 'watching',
    get packed() {
      return packed;
    },
    encode(frame) {
      readFrame(frame, (e) => {
        if ((e.kind === 'channel' && holdsBytes(e.item)) || (e.kind === 'reply' && holdsBytes(e.value))) packed += 1;
      });
      return codec.encode(frame);
    },
    decode: (bytes) => codec.decode(bytes),
  };
}

describe('channels between machines', () => {
  let systems: ActorSystem[] = [];
  afterEach(async () => {
    await Promise.all(systems.map((system) => system.shutdown()));
    systems = [];
  });

  it('carry items as plain values, never as v8 bytes the other machine would have to deserialize', async () => {
    const a = createSystem({ node: 'a', shutdownTimeout: 2_000 });
    const b = createSystem({ node: 'b', shutdownTimeout: 2_000, serve: [Relay] });
    systems = [a, b];
    const codec = watchingCodec();
    const net = openMemoryNetwork(codec);
    a.attachPeer(b.peerInfo, net.a);
    b.attachPeer(a.peerInfo, net.b);
    const relay = await a.spawn(Relay, { placement: { node: 'b', in: 'thread' } });
    const ours = createChannel<number>({ capacity: 64 });
    const filling = relay.ask('fill', { into: ours, from: 0, to: 200 }); // bursts: packed between b's nodes
    const got: number[] = [];
    for (let i = 0; i < 200; i++) got.push(await ours.receive());
    expect(await filling).toBe(200);
    expect(got).toEqual(Array.from({ length: 200 }, (_, i) => i));
    const theirs = (await relay.ask('channel')) as ReturnType<typeof createChannel<number>>;
    const sender = await a.spawn(Relay, { placement: 'thread' });
    expect(await sender.ask('fill', { into: theirs, from: 0, to: 16 })).toBe(16); // a's thread → b's thread: packed on a, opened before it leaves
    expect(await relay.ask('take', { from: theirs, count: 16 })).toEqual(Array.from({ length: 16 }, (_, i) => i));
    expect(codec.packed).toBe(0);
  });

  it('refuse a batch packed as v8 bytes by another machine: the receive rejects with BAD_FRAME, nothing is deserialized', async () => {
    const a = createSystem({ node: 'a', shutdownTimeout: 2_000 });
    const b = createSystem({ node: 'b', shutdownTimeout: 2_000, serve: [Relay] });
    systems = [a, b];
    const net = openMemoryNetwork(packingCodec()); // batches of channel items in replies become v8 bytes
    a.attachPeer(b.peerInfo, net.a);
    b.attachPeer(a.peerInfo, net.b);
    const relay = await a.spawn(Relay, { placement: { node: 'b' } });
    const theirs = (await relay.ask('channel')) as ReturnType<typeof createChannel<number>>;
    await relay.ask('fill', { into: theirs, from: 0, to: 3 });
    expect(await codeOf(theirs.receive({ timeout: 5_000 }))).toBe('BAD_FRAME');
  });
});
