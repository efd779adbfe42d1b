import { describe, expect, it } from 'vitest';
import type { Frame } from '../src/wire/frames.js';
import type { Endpoint } from '../src/transport/Endpoint.js';
import { openInlinePair } from '../src/transport/inlineTransport.js';
import { openPortPair, portEndpoint } from '../src/transport/threadTransport.js';

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
