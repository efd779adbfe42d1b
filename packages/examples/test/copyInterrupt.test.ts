// Ctrl-C stops multitask-copy in every stage: the command is run as a child process and sent
// SIGINT once its output says the stage has begun. What it does after that is counted, not
// timed: it must not go on creating entries, and it must leave no temporary file.
import { existsSync, lstatSync, mkdirSync, readdirSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createChannel, createSystem } from '@multitask/core';
import { Copier } from '../src/copy/actors.js';
import type { Done } from '../src/copy/progress.js';
import { countEntries, fresh, freshInMemory, interrupt, makeWideTree } from './copyFixtures.js';

/**
 * 3 000 folders with 3 symlinks each: a walk and a recreation that take a while, made in a
 * moment (in memory; the copies go to the disk, where making them takes longer still).
 */
const FOLDERS = 3000 + 30 + 1;
const wide = freshInMemory('wide');
beforeAll(() => makeWideTree(wide, 3000, 3), 120_000);

describe('Ctrl-C in multitask-copy', () => {
  it('stops the walk of a large tree at once: exit 130, and nothing is created', async () => {
    const dst = fresh('dst');
    const run = await interrupt([wide, dst], dst, /scanning/);
    expect({ sent: run.sent, code: run.code }).toEqual({ sent: true, code: 130 });
    expect(existsSync(dst)).toBe(false);
    expect(run.stderr).toMatch(/interrupted while scanning the source: copied 0 files/);
  });

  it('stops creating folders at once: exit 130, no symlink made, most folders not made', async () => {
    const dst = fresh('dst');
    const run = await interrupt([wide, dst], dst, /creating 3031 folders and 9000 symlinks/);
    expect({ sent: run.sent, code: run.code }).toEqual({ sent: true, code: 130 });
    const made = countEntries(dst);
    expect(made.symlinks).toBe(0);
    expect(made.folders).toBeLessThan(FOLDERS / 2);
    expect(run.stderr).toMatch(/interrupted while creating folders and symlinks: copied 0 files \(0 B\), \d+ folders?, 0 symlinks/);
  });

  it('stops copying: the files being copied finish, no temporary file is left, and it says what it copied', async () => {
    const src = freshInMemory('src'); // made in a moment; the copy goes to the disk
    const dst = fresh('dst');
    mkdirSync(src);
    for (let d = 0; d < 20; d++) {
      mkdirSync(join(src, `d${d}`));
      for (let f = 0; f < 250; f++) writeFileSync(join(src, `d${d}`, `f${f}`), `${d}/${f}`.repeat(200));
      chmodSync(join(src, `d${d}`), 0o700);
    }
    const run = await interrupt([src, dst, '--workers', '1'], dst, /copying 5000 files/, true); // a second Ctrl-C changes nothing
    expect({ sent: run.sent, code: run.code }).toEqual({ sent: true, code: 130 });
    expect(run.stderr).toMatch(/copying 5000 files \(.*\) with 1 thread worker\n/); // 5 000 files: on a worker thread
    const copied = countEntries(dst);
    expect(copied.temporary).toBe(0);
    expect(copied.files).toBeLessThan(5_000);
    expect(run.stderr).toContain(`interrupted while copying: copied ${copied.files} of 5000 files`);
    // The folders' modes are not set after an interrupt, but they were made no more open than the originals.
    for (const d of readdirSync(dst)) expect(lstatSync(join(dst, d)).mode & 0o077).toBe(0);
  });

  it('stops verifying: exit 130, and it says how many files it verified', async () => {
    const src = freshInMemory('src'); // made in a moment; the copy goes to the disk
    const dst = fresh('dst');
    mkdirSync(src);
    for (let i = 0; i < 16; i++) writeFileSync(join(src, `f${i}`), Buffer.alloc(4 * 1024 * 1024, i));
    const run = await interrupt([src, dst, '--workers', '1', '--verify'], dst, /verifying \[/);
    expect({ sent: run.sent, code: run.code }).toEqual({ sent: true, code: 130 });
    const verified = /interrupted while verifying: copied 16 files \(64\.0 MB\), 1 folder, 0 symlinks in \d+s \((\d+) of 16 files verified\)/.exec(run.stderr);
    expect(verified).not.toBeNull();
    expect(Number(verified?.[1])).toBeLessThan(16);
  });
});

describe('a copier told to stop', () => {
  it.each(['inline', 'thread'] as const)('starts no file of a batch once its stop channel is closed (%s)', async (placement) => {
    const src = fresh('src');
    const dst = fresh('dst');
    mkdirSync(src);
    mkdirSync(dst);
    writeFileSync(join(src, 'a'), 'a');
    const file = { rel: 'a', size: 1, mode: 0o644, atimeMs: 0, mtimeMs: 0, temp: '.a.multitask-copy.tmp' };
    await using system = createSystem();
    const stop = createChannel<never>();
    const progress = createChannel<Done>();
    const copier = await system.spawn(Copier, { placement, args: { src, dst, skipExisting: false, progress: progress.sender, stop: stop.receiver } });
    expect(await copier.ask('copy', [file])).toMatchObject({ copied: 1, left: 0 });
    stop.close();
    // The close reaches a copier on a thread a moment later: ask until it has.
    let result = await copier.ask('copy', [file, file]);
    while (result.left === 0) result = await copier.ask('copy', [file, file]);
    expect(result).toMatchObject({ copied: 0, left: 2, failures: [] });
    expect(readdirSync(dst)).toEqual(['a']);
  });
});
