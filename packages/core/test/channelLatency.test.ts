import { afterEach, describe, expect, it } from 'vitest';
import { createSystem, type ActorSystem, type Channel } from '../src/index.js';
import { openMemoryNetwork, type NetworkEnd } from '../src/transport/memoryNetwork.js';
import type { Endpoint } from '../src/transport/Endpoint.js';
import { readFrame } from '../src/wire/frames.js';
import { createMsgpackCodec } from '../src/wire/msgpackCodec.js';
import { Relay } from './fixtures/relay.js';

const codec = createMsgpackCodec();

/** `end`, with every frame it sends held back `ms` (in order): a link with a long round trip. */
function slow(end: NetworkEnd, ms: number, seen: (kind: string, op: string | undefined) => void): Endpoint {
  return {
    post(frame) {
      readFrame(frame, (e) => seen(e.kind, e.kind === 'channel' ? e.op : undefined));
      const bytes = codec.encode(frame);
      setTimeout(() => end.sendRaw(bytes), ms);
    },
    onReceive: (receiver) => end.onReceive(receiver),
    onClose: (listener) => end.onClose?.(listener),
    close: () => end.close(),
  };
}

describe('a channel over a link with a long round trip', () => {
  let systems: ActorSystem[] = [];
  afterEach(async () => {
    await Promise.all(systems.map((system) => system.shutdown()));
    systems = [];
  });

  it('fetches batches that cover the round trip, so a steady consumer does not wait a round trip per few items', async () => {
    const a = createSystem({ node: 'a', shutdownTimeout: 2_000 });
    const b = createSystem({ node: 'b', shutdownTimeout: 2_000, serve: [Relay] });
    systems = [a, b];
    let fetches = 0;
    const net = openMemoryNetwork(codec);
    a.attachPeer(b.peerInfo, slow(net.a, 15, (kind, op) => kind === 'channel' && (op === 'receive' || op === 'prefetch') && fetches++));
    b.attachPeer(a.peerInfo, slow(net.b, 15, () => undefined));
    const relay = await a.spawn(Relay, { placement: { node: 'b' } });
    const theirs = (await relay.ask('channel', 100_000)) as Channel<number>; // owned on b
    // A producer on b fills the channel; this consumer takes ~0.05 ms per item.
    const count = 3_000;
    const filling = relay.ask('fill', { into: theirs, from: 0, to: count }, { timeout: 60_000 });
    for (let i = 0; i < count; i++) {
      expect(await theirs.receive()).toBe(i);
      const until = performance.now() + 0.05;
      while (performance.now() < until);
    }
    await filling;
    // Sized by 2 ms of receiving alone, a fetch would bring ~40 items: about 75 fetches.
    expect(fetches).toBeLessThan(40);
  });
});
