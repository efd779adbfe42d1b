import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/** Runs an ES module in a fresh Node (no loader: the built package, as users install it). */
async function runModule(source: string): Promise<unknown> {
  const cwd = fileURLToPath(new URL('..', import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', source], { cwd });
  return JSON.parse(stdout) as unknown;
}

describe('the @multitask/core/comlink entry point', () => {
  it('is a subpath export of the package; the main entry does not load comlink, the subpath does', async () => {
    // comlink's Node build is CommonJS: once loaded, it sits in the CommonJS module cache.
    const result = await runModule(`
      import { createRequire } from 'node:module';
      const cache = createRequire(process.cwd() + '/').cache;
      const comlinkLoaded = () => Object.keys(cache).some((file) => /[\\\\/]comlink[\\\\/]/.test(file));
      const core = await import('@multitask/core');
      const afterMain = comlinkLoaded();
      const interop = await import('@multitask/core/comlink');
      console.log(JSON.stringify({
        main: typeof core.createSystem,
        afterMain,
        exports: Object.keys(interop).sort(),
        afterSubpath: comlinkLoaded(),
      }));
    `);
    expect(result).toEqual({ main: 'function', afterMain: false, exports: ['comlinkActor', 'exposeActor'], afterSubpath: true });
  });
});
