import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const fixture = fileURLToPath(new URL('./fixtures/lazyBuiltins.mjs', import.meta.url));

describe("the library's start", () => {
  it('loads node:v8, node:worker_threads, the streams they bring and perf_hooks only when a program needs them', () => {
    // The built library, without tsx (which loads them itself): inline actors and a channel
    // first, then an actor on a thread.
    const out = execFileSync(process.execPath, [fixture], { encoding: 'utf8', timeout: 20_000 });
    const seen = JSON.parse(out) as { inlineTotal: number; received: number; threadTotal: number; afterInline: string[]; afterThread: string[] };
    expect(seen).toMatchObject({ inlineTotal: 42, received: 1, threadTotal: 5 });
    expect(seen.afterInline).toEqual([]);
    expect(seen.afterThread).toContain('worker_threads');
    expect(seen.afterThread).not.toContain('v8');
  });
});
