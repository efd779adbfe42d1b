import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

describe('a single machine', () => {
  it('runs without loading the NATS client or the MessagePack codec, which load only for a cluster', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--import', fixture('noNatsRegister.mjs'), fixture('singleMachine.ts')], { encoding: 'utf8', timeout: 20_000 });
    const { count, joined } = JSON.parse(out) as { count: number; joined: string };
    expect(count).toBe(42);
    expect(joined).toMatch(/^NODE_DOWN: could not join cluster 'none'.*refused to load @(nats-io|msgpack)\//); // the hook works: a cluster needs them
  });
});
