import { describe, expect, it } from 'vitest';
import { twoPrinters } from '../src/printers.js';

describe('two printing actors', () => {
  it.each(['thread', 'process'] as const)('print on their own %ss until stopped, then shut down cleanly', async (placement) => {
    const counts = await twoPrinters({ placement, seconds: 0.6, everyMs: 50, quiet: true });
    expect(counts).toHaveLength(2);
    for (const count of counts) expect(count).toBeGreaterThanOrEqual(2);
  });

  it('stops early when aborted (Ctrl-C)', async () => {
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 300);
    const counts = await twoPrinters({ placement: 'thread', seconds: 3_600, everyMs: 50, signal: stop.signal, quiet: true });
    expect(counts).toHaveLength(2); // it returned long before its hour was up
  });
});
