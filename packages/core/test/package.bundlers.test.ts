// The package bundled into an application with esbuild, by the recipes of docs/using.md
// (fixtures/consumer/bundle/build.mjs), and run with plain node on threads and processes.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installConsumer, node, succeeded, type Consumer } from './consumer.js';

let consumer: Consumer | undefined;
let project = '';
/** A folder with nothing installed in it or above it, where a bundle is deployed alone. */
let bare = '';

beforeAll(async () => {
  consumer = await installConsumer(['esbuild']);
  project = join(consumer.dir, 'bundle');
  bare = mkdtempSync(join(tmpdir(), 'multitask-deployed-'));
}, 120_000);
afterAll(() => {
  consumer?.remove();
  if (bare !== '') rmSync(bare, { recursive: true, force: true });
});

/** Bundles the application by one recipe of build.mjs. */
async function bundle(recipe: 'split' | 'external' | 'cjs'): Promise<void> {
  succeeded(await node(['build.mjs', recipe], project));
}

const worked = ['thread: a thread', 'process: a process', 'pool: 49'];
const lines = (out: string): string[] => out.trim().split('\n');

describe('an application bundled with esbuild', () => {
  it('runs on threads and processes as ES modules with code splitting, actor and task modules as entry points', async () => {
    await bundle('split');
    expect(lines(succeeded(await node(['dist-split/main.js'], project)))).toEqual(worked);
  });

  it('runs as ES modules without splitting, when each actor and task module is its own bundle, external to the others', async () => {
    await bundle('external');
    expect(lines(succeeded(await node(['dist-external/main.js'], project)))).toEqual(worked);
  });

  it('runs as one CommonJS file that exports its actors and tasks, with import.meta.url defined as its own URL', async () => {
    await bundle('cjs');
    expect(lines(succeeded(await node(['start.cjs'], project)))).toEqual(worked);
  });
});

describe('a bundle deployed without @multitask/core installed beside it', () => {
  /** Each line of the program is a placement that failed with SPAWN_FAILED, naming the missing host file and the fix. */
  const expectSpawnFailedEverywhere = (out: string): void => {
    const failed = lines(out);
    expect(failed.map((line) => line.split(':')[0])).toEqual(['thread', 'process', 'pool']);
    for (const line of failed) {
      expect(line).toMatch(/^\w+: SPAWN_FAILED: cannot start a thread or process: multitask's host file dist\/\S+ is not on disk/);
      expect(line).toMatch(/no @multitask\/core is installed where that file can find it/);
      expect(line).toMatch(/keep @multitask\/core installed beside the bundle .* or mark it external/);
    }
  };

  it('fails each spawn with SPAWN_FAILED saying what is missing, and the program ends (ES modules)', async () => {
    await bundle('split');
    const deployed = join(bare, 'esm');
    cpSync(join(project, 'dist-split'), deployed, { recursive: true });
    cpSync(join(project, 'package.json'), join(deployed, 'package.json'));
    expectSpawnFailedEverywhere(succeeded(await node(['main.js'], deployed)));
  });

  it('fails each spawn with SPAWN_FAILED saying what is missing, and the program ends (CommonJS)', async () => {
    await bundle('cjs');
    const deployed = join(bare, 'cjs');
    cpSync(join(project, 'dist-cjs'), join(deployed, 'dist-cjs'), { recursive: true });
    cpSync(join(project, 'start.cjs'), join(deployed, 'start.cjs'));
    expectSpawnFailedEverywhere(succeeded(await node(['start.cjs'], deployed)));
  });
});
