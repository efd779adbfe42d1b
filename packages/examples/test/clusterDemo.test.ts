import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { mirrorOf } from '../../../scripts/typescript/mirror.mjs';

describe('the cluster demo', () => {
  it('spawns across three node processes, settles the ask on the killed one with NODE_DOWN, the others carry on, its supervised actor answers again from another, and a pool and a channel run across nodes', () => {
    const demo = mirrorOf(fileURLToPath(new URL('../src/cluster/clusterDemo.ts', import.meta.url))); // compiled, as the tests run it
    const out = execFileSync(process.execPath, [demo], { encoding: 'utf8', timeout: 40_000 });
    expect(out).toMatch(/nodes: (control|north|south|east)(, (control|north|south|east)){3}/);
    expect(out).toContain('adds to the Tally on south through the ref it was given: 15');
    expect(out).toContain('the pending ask settled with NODE_DOWN');
    expect(out).toContain('a new ask to east: NODE_DOWN');
    expect(out).toContain("a supervised Tally named 'ledger' on east: count 101");
    expect(out).toContain('the others carry on: north 11, south 16');
    expect(out).toMatch(/'ledger' answers again from (north|south) under the same id \(its name finds it\), started afresh: count 101/);
    expect(out).toContain('10 jobs done, on 3 workers in 2 node processes');
    expect(out).toContain('the consumer on south got 10000 items, in order: true');
    expect(out).toContain('== everything stopped');
  });
});
