import { describe, expect, it } from 'vitest';
import { readFrame, type Frame } from '../src/wire/frames.js';
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

describe('an outbox with work that may wait for the end of the turn', () => {
  /** An endpoint that records each frame posted on it, with the turn it was posted in. */
  function recording(): { readonly endpoint: Endpoint; readonly posts: Array<{ frame: Frame; turn: number }>; readonly turn: { n: number } } {
    const posts: Array<{ frame: Frame; turn: number }> = [];
    const turn = { n: 0 };
    return { endpoint: { post: (frame) => void posts.push({ frame, turn: turn.n }), onReceive() {}, close() {} }, posts, turn };
  }
  const tell = (type: string): TellEnvelope => ({ kind: 'tell', dst: node(1), to: actorId(node(1), 1), type, payload: type, enc: 0, from: node(0) });
  const nextTurn = (turn: { n: number }): Promise<void> => new Promise((resolve) => setImmediate(() => (turn.n++, resolve())));

  it('posts late work alone only at the end of the turn', async () => {
    const { endpoint, posts, turn } = recording();
    const outbox = new Outbox(endpoint, () => undefined);
    outbox.push(tell('late'), undefined, true);
    for (let i = 0; i < 20; i++) await Promise.resolve(); // the microtask checkpoint goes on: nothing is posted yet
    expect(posts).toEqual([]);
    await nextTurn(turn);
    expect(posts.map((post) => [(post.frame as unknown[])[3], post.turn])).toEqual([['late', 0]]);
  });

  it('sends late work with sooner work, in the order both were pushed', async () => {
    const { endpoint, posts, turn } = recording();
    const outbox = new Outbox(endpoint, () => undefined);
    outbox.push(tell('late'), undefined, true);
    outbox.push(tell('soon'));
    await Promise.resolve();
    expect(posts).toHaveLength(1); // at the end of the microtask checkpoint, not of the turn
    expect(readTypes(posts[0]!.frame)).toEqual(['late', 'soon']);
    await nextTurn(turn);
    expect(posts).toHaveLength(1); // the late flush found nothing left
  });
});

/** The types of the tells in a frame, in order. */
function readTypes(frame: Frame): string[] {
  const types: string[] = [];
  readFrame(frame, (envelope) => envelope.kind === 'tell' && types.push(envelope.type));
  return types;
}

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
