import { describe, expect, it } from 'vitest';
import type { SystemSnapshot } from '@multitask/core';
import { copyTree } from '../src/copy/copyTree.js';
import { describeTree, fresh, makeTree, run } from './copyFixtures.js';

describe('multitask-copy --inspect', () => {
  it('serves the inspector of the copy in progress, with the copy\'s actors in it', async () => {
    const src = fresh('src');
    const dst = fresh('dst');
    makeTree(src, 256 * 1024);
    let snapshot: SystemSnapshot | undefined;
    let page = '';

    const summary = await copyTree(src, dst, {
      workers: 2,
      placement: 'thread',
      existing: 'refuse',
      verify: false,
      progress: 'none',
      async inspect(url) {
        page = await (await fetch(url)).text();
        snapshot = (await (await fetch(url.replace('/?', '/snapshot?'))).json()) as SystemSnapshot;
      },
    });

    expect(summary.failures).toEqual([]);
    expect(describeTree(dst)).toEqual(describeTree(src));
    expect(page).toContain('multitask inspector');
    expect(snapshot?.actors.map((a) => a.definition)).toContain('ProgressBar');
  });

  it('prints where the inspector is, with its token, on stderr', async () => {
    const src = fresh('src');
    makeTree(src, 1024);
    const { code, stderr } = await run([src, fresh('dst'), '--inspect', '--quiet']);
    expect(code).toBe(0);
    expect(stderr).toMatch(/^multitask-copy: inspector at http:\/\/127\.0\.0\.1:\d+\/\?token=\S+$/m);
  });
});
