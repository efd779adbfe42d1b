import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MultitaskError } from '../src/errors.js';
import { ownFile } from '../src/ownFile.js';

describe('the files hosts load', () => {
  it('are found beside the module asking, with its own extension when the name has none', () => {
    const here = new URL('../src/system/HostTable.ts', import.meta.url).href;
    expect(ownFile(here, 'hostMain', './dist/system/hostMain.js')()).toBe(new URL('../src/system/hostMain.ts', import.meta.url).href);
    const transport = new URL('../src/transport/bootUrl.ts', import.meta.url).href;
    expect(ownFile(transport, 'boot.mjs', './dist/transport/boot.mjs')()).toBe(new URL('../src/transport/boot.mjs', import.meta.url).href);
  });

  it('are found under the folder of the asking chunk, at their path in the build, when the package runs from its bundled build', () => {
    const build = mkdtempSync(join(tmpdir(), 'multitask-build-'));
    try {
      mkdirSync(join(build, 'system'));
      writeFileSync(join(build, 'system/hostMain.js'), '');
      const chunk = pathToFileURL(join(build, 'chunk-ABCD1234.js')).href;
      expect(ownFile(chunk, 'hostMain', './dist/system/hostMain.js')()).toBe(pathToFileURL(join(build, 'system/hostMain.js')).href);
    } finally {
      rmSync(build, { recursive: true, force: true });
    }
  });

  it('are taken from the installed package when the asker was bundled into a file of an application', () => {
    // A bundle has nothing beside it: the package is found by name, as the application imports it.
    const bundle = new URL('../../examples/dist/copy/bundle-of-an-app.js', import.meta.url).href;
    const found = ownFile(bundle, 'hostMain', './dist/system/hostMain.js')();
    expect(found).toMatch(/\/core\/dist\/system\/hostMain\.js$/);
    expect(existsSync(fileURLToPath(found))).toBe(true);
  });
});

describe('a bundle whose library has no host files on disk', () => {
  let deployed: string;
  beforeAll(() => {
    deployed = mkdtempSync(join(tmpdir(), 'multitask-ownfile-'));
  });
  afterAll(() => rmSync(deployed, { recursive: true, force: true }));

  const expectSpawnFailed = (find: () => string, why: RegExp): void => {
    let thrown: unknown;
    try {
      find();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(MultitaskError);
    expect(thrown).toMatchObject({ code: 'SPAWN_FAILED' });
    const { message } = thrown as MultitaskError;
    expect(message).toMatch(/host file dist\/transport\/boot\.mjs is not on disk/);
    expect(message).toMatch(why);
    expect(message).toMatch(/keep @multitask\/core installed beside the bundle .* or mark it external/);
  };

  it('fails with SPAWN_FAILED, naming the file and the fix, when no @multitask/core is installed beside it', () => {
    const bundle = pathToFileURL(join(deployed, 'app.js')).href;
    expectSpawnFailed(() => ownFile(bundle, 'boot.mjs', './dist/transport/boot.mjs')(), /bundled into .*app\.js, and no @multitask\/core is installed/);
  });

  it('fails with SPAWN_FAILED when the installed @multitask/core lacks the file', () => {
    const folder = join(deployed, 'partial');
    mkdirSync(join(folder, 'node_modules/@multitask/core'), { recursive: true });
    const manifest = { name: '@multitask/core', exports: { './package.json': './package.json' } };
    writeFileSync(join(folder, 'node_modules/@multitask/core/package.json'), JSON.stringify(manifest));
    const bundle = pathToFileURL(join(folder, 'app.js')).href;
    expectSpawnFailed(() => ownFile(bundle, 'boot.mjs', './dist/transport/boot.mjs')(), /the @multitask\/core installed in .*partial.* has no such file/);
  });

  it('fails with SPAWN_FAILED, asking for import.meta.url, when a CommonJS bundle left it empty', () => {
    const empty = {} as { url?: string };
    expectSpawnFailed(() => ownFile(empty.url as string, 'boot.mjs', './dist/transport/boot.mjs')(), /no import\.meta\.url .* must define it as the bundle's own file URL/);
  });
});
