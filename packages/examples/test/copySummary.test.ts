// multitask-copy's figures: what it copied, what it skipped, and the tree's total, each true.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatBytes } from '../src/copy/progress.js';
import { countEntries, fileBytes, fresh, makeTree, run } from './copyFixtures.js';

interface Figures {
  files: number;
  bytes: number;
  skipped: number;
  skippedBytes: number;
  totalFiles: number;
  totalBytes: number;
  interrupted: boolean;
}

describe('the summary of multitask-copy', () => {
  it('reports 0 bytes copied, and what it skipped, when every file exists already', async () => {
    const src = fresh('src');
    const dst = fresh('dst');
    makeTree(src, 100 * 1024);
    const tree = fileBytes(src);
    expect((await run([src, dst, '--quiet'])).code).toBe(0);
    const again = await run([src, dst, '--skip-existing', '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ files: 0, bytes: 0, skipped: 125, skippedBytes: tree, totalFiles: 125, totalBytes: tree });
    const line = (await run([src, dst, '--skip-existing'])).stderr.trim().split('\n').at(-1);
    const size = formatBytes(tree);
    expect(line).toMatch(new RegExp(`^copied 0 of 125 files \\(0 B of ${size}\\), 6 folders, 0 symlinks in \\d+s \\(125 files \\(${size}\\) and 3 symlinks skipped as existing\\)$`));
  });

  it('reports the files and bytes it copied before an interrupt, not those of the whole tree', async () => {
    const src = fresh('src');
    const dst = fresh('dst');
    mkdirSync(join(src, 'files'), { recursive: true });
    for (let i = 0; i < 1500; i++) writeFileSync(join(src, 'files', `f${i}`), Buffer.alloc(16 * 1024, i));
    const stop = new AbortController();
    // Stops once the first file is copied (the copy takes several times longer than a poll).
    const poll = setInterval(() => countEntries(dst).files > 0 && stop.abort(), 2);
    const { code, stdout } = await run([src, dst, '--placement', 'inline', '--workers', '1', '--json'], { signal: stop.signal }).finally(() => clearInterval(poll));
    const summary = JSON.parse(stdout) as Figures;
    expect({ code, interrupted: summary.interrupted }).toEqual({ code: 130, interrupted: true });
    const copied = countEntries(dst);
    expect(copied.temporary).toBe(0);
    expect(summary.files).toBe(copied.files);
    expect(summary.files).toBeLessThan(1500);
    expect(summary.bytes).toBe(fileBytes(dst));
    expect({ totalFiles: summary.totalFiles, totalBytes: summary.totalBytes }).toEqual({ totalFiles: 1500, totalBytes: 1500 * 16 * 1024 });
  });
});
