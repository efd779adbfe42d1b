import { afterEach, describe, expect, it } from 'vitest';
import { createChannel, createSystem, type ActorSystem } from '../src/index.js';
import { openMemoryNetwork } from '../src/transport/memoryNetwork.js';
import type { FrameCodec } from '../src/wire/FrameCodec.js';
import { readFrame } from '../src/wire/frames.js';
import { createMsgpackCodec } from '../src/wire/msgpackCodec.js';
import { Relay } from './fixtures/relay.js';

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
});
