// multitask-copy --verify: progress while it hashes, large files in pieces, and problems
// reported as failures.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyTasks } from '../src/copy/actors.js';
import { BATCH_BYTES, pieceBatches } from '../src/copy/batches.js';
import { fresh, makeTree, run } from './copyFixtures.js';

const compare = copyTasks.tasks.compare;

describe('multitask-copy --verify', () => {
  it('shows its progress while it verifies, up to every file', async () => {
    const src = fresh('src');
    makeTree(src, 1024 * 1024);
    const { code, stderr } = await run([src, fresh('dst'), '--verify', '--workers', '1']);
    expect(code).toBe(0);
    expect(stderr).toMatch(/\nverifying 125 files \(.*\) with 1 thread worker\n/);
    expect(stderr).toMatch(/\nverifying \[-{20}\]   0% 0\/125 files/);
    expect(stderr).toMatch(/\nverifying \[#{20}\] 100% 125\/125 files, (.*)\/\1, /);
    expect(stderr.trim().split('\n').at(-1)).toMatch(/^copied 125 files .* \(verified\)$/);
  });

  it('cuts a file larger than a batch into pieces, the last one read to the end of the file', () => {
    const files = [
      { rel: 'small', size: 10, mode: 0o644, atimeMs: 0, mtimeMs: 0, temp: '' },
      { rel: 'large', size: 2 * BATCH_BYTES + 5, mode: 0o644, atimeMs: 0, mtimeMs: 0, temp: '' },
    ];
    expect(pieceBatches(files)).toEqual([
      [{ rel: 'small', start: 0 }],
      [{ rel: 'large', start: 0, end: BATCH_BYTES }],
      [{ rel: 'large', start: BATCH_BYTES, end: 2 * BATCH_BYTES }],
      [{ rel: 'large', start: 2 * BATCH_BYTES }],
    ]);
  });

  it('finds a copy that differs in one piece, or is longer, and reports one it cannot read', async () => {
    const src = fresh('src');
    const dst = fresh('dst');
    mkdirSync(src);
    mkdirSync(dst);
    const data = Buffer.alloc(3000, 1);
    for (const name of ['same', 'changed', 'longer']) writeFileSync(join(src, name), data);
    writeFileSync(join(dst, 'same'), data);
    writeFileSync(join(dst, 'changed'), Buffer.concat([data.subarray(0, 2999), Buffer.from([2])]));
    writeFileSync(join(dst, 'longer'), Buffer.concat([data, Buffer.from([1])]));
    writeFileSync(join(src, 'gone'), data);
    const pieces = ['same', 'changed', 'longer', 'gone'].flatMap((rel) => [
      { rel, start: 0, end: 1000 },
      { rel, start: 1000 },
    ]);
    const result = await compare({ src, dst, pieces });
    expect(result.differing.sort()).toEqual(['changed', 'longer']);
    expect(result.failures).toEqual([
      { path: join(dst, 'gone'), error: expect.stringMatching(/^could not verify: ENOENT/) },
      { path: join(dst, 'gone'), error: expect.stringMatching(/^could not verify: ENOENT/) },
    ]);
    expect({ files: result.files, bytes: result.bytes }).toEqual({ files: 4, bytes: 3 * 3000 });
  });
});
