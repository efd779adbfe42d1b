import { describe, expect, it } from 'vitest';
import { acrossNodes, downloadThenAnalyse, manyToMany } from '../src/producerConsumer.js';

describe.each(['thread', 'process'] as const)('the producer/consumer case on the %s placement', (placement) => {
  it('analyses exactly what was downloaded, in order, and ends when the channel closes', async () => {
    const data = await downloadThenAnalyse({ placement });
    expect(data.map((item) => item.value)).toEqual([11, 22, 33, 44]);
  });

  it('delivers every item exactly once from three producers to three consumers', async () => {
    await expect(manyToMany({ placement, stream: 200 })).resolves.toEqual({ received: 600, exactlyOnce: true });
  });
});

describe('the producer/consumer case across nodes (--cluster)', () => {
  it('streams from a producer on one node to a consumer on another, every item once and in order', async () => {
    const data = await acrossNodes({ placement: 'thread', stream: 2_000 });
    expect(data.map((item) => item.value)).toEqual(Array.from({ length: 2_000 }, (_, i) => i));
  });
});
