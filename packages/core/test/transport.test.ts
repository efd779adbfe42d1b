import { describe, expect, it } from 'vitest';
import type { Frame } from '../src/wire/frames.js';
import type { Endpoint } from '../src/transport/Endpoint.js';
import { openInlinePair } from '../src/transport/inlineTransport.js';
import { openPortPair, portEndpoint } from '../src/transport/threadTransport.js';
import { Outbox } from '../src/transport/Outbox.js';
import { spawnProcess } from '../src/transport/processTransport.js';
import { actorId } from '../src/wire/ids.js';
import type { TellEnvelope } from '../src/wire/protocol.js';
import { node } from './nodes.js';

const adapters: Record<string, () => { a: Endpoint; b: Endpoint }> = {
  inline: openInlinePair,
  port: () => {
    const { a, b } = openPortPair();
    return { a: portEndpoint(a), b: portEndpoint(b) };
  },
};

describe.each(Object.keys(adapters))('the %s endpoint pair', (name) => {
  it('delivers frames both ways, in order', async () => {
    const { a, b } = adapters[name]!();
    const atB: Frame[] = [];
    const atA: Frame[] = [];
    let done!: () => void;
    const all = new Promise<void>((resolve) => (done = resolve));
    b.onReceive((frame) => {
      atB.push(frame);
      if (atB.length === 100) b.post(['done']);
    });
    a.onReceive((frame) => {
      atA.push(frame);
      done();
    });
    for (let i = 0; i < 100; i++) a.post([i, { i }]);
    await all;
    expect(atB).toEqual(Array.from({ length: 100 }, (_, i) => [i, { i }]));
    expect(atA).toEqual([['done']]);
    a.close();
    b.close();
  });
});

describe('a batch that cannot be posted whole', () => {
  it('posts each envelope with its own transfer list, so that only the culprit fails and nothing is lost', async () => {
    const { a, b } = openPortPair();
    const sender = portEndpoint(a);
    const receiver = portEndpoint(b);
    const arrived: unknown[] = [];
    const done = new Promise<void>((resolve) => receiver.onReceive((frame) => arrived.push(frame) === 3 && resolve()));
    const refused: string[] = [];
    const outbox = new Outbox(sender, (envelope) => refused.push(envelope.kind === 'tell' ? envelope.type : envelope.kind));
    const tell = (type: string, payload: unknown): TellEnvelope => ({ kind: 'tell', dst: node(1), to: actorId(node(1), 1), type, payload, enc: 0, from: node(0) });
    const bytes = new Uint8Array([1, 2, 3]);
    outbox.push(tell('before', 'plain'));
    outbox.push(tell('moved', bytes), [bytes.buffer]);
    outbox.push(tell('culprit', () => 1)); // cannot be cloned: the batch fails as a whole
    outbox.push(tell('after', 'plain'));
    outbox.flush();
    await done;
    expect(refused).toEqual(['culprit']);
    expect(arrived.map((frame) => (frame as unknown[])[3])).toEqual(['before', 'moved', 'after']);
    expect([...((arrived[1] as unknown[])[4] as Uint8Array)]).toEqual([1, 2, 3]);
    sender.close();
    receiver.close();
  });
});

describe('a process host', () => {
  it('is killed at once when ended now, also while it is stuck: without the grace a stop gives it to exit', async () => {
    const host = spawnProcess({ main: new URL('./fixtures/spinHost.mjs', import.meta.url).href, data: null, execArgv: [] });
    await new Promise((resolve) => host.endpoint.onReceive(resolve)); // it spins from now on
    const exit = new Promise((resolve) => host.onExit(resolve));
    const started = performance.now();
    await host.kill(true);
    expect(await exit).toEqual({ kind: 'signal', signal: 'SIGKILL' });
    // A stop's grace is 2 s before SIGKILL; a kill takes milliseconds (the bound is loose on purpose).
    expect(performance.now() - started).toBeLessThan(1_500);
  });
});
