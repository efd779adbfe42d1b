import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ownFile } from '../src/ownFile.js';

describe('the files hosts load', () => {
  it('are found beside the module asking, with its own extension when the name has none', () => {
    const here = new URL('../src/system/HostTable.ts', import.meta.url).href;
    expect(ownFile(here, 'hostMain', './dist/system/hostMain.js')()).toBe(new URL('../src/system/hostMain.ts', import.meta.url).href);
    const transport = new URL('../src/transport/bootUrl.ts', import.meta.url).href;
    expect(ownFile(transport, 'boot.mjs', './dist/transport/boot.mjs')()).toBe(new URL('../src/transport/boot.mjs', import.meta.url).href);
  });

  it('are taken from the installed package when the asker was bundled into a file of an application', () => {
    // A bundle has nothing beside it: the package is found by name, as the application imports it.
    const bundle = new URL('../../examples/dist/copy/bundle-of-an-app.js', import.meta.url).href;
    const found = ownFile(bundle, 'hostMain', './dist/system/hostMain.js')();
    expect(found).toMatch(/\/core\/dist\/system\/hostMain\.js$/);
    expect(existsSync(fileURLToPath(found))).toBe(true);
  });
});
