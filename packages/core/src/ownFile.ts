import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The installed package's `package.json`, once a bundled copy of the library looked for it. */
let installed: string | undefined;

/**
 * A module of this package that another thread or process loads by URL (a host's bootstrap
 * and runtime, the pool's worker actor), found when first asked for: a program that never
 * starts a thread or process never looks. It lies next to the module asking when the package
 * runs from its own files. When an application bundled the package into one file of its own
 * (esbuild, say), nothing lies there: the installed package's copy is used, found by name as
 * the application would import it. The name resolved is the package's `package.json`, which
 * the package exports without conditions, so that a CommonJS bundle can resolve it too (with
 * `import.meta.resolve` defined as `require.resolve` of the bundle, as multitask-copy does);
 * it is resolved once per thread, however many files are asked for (~2 ms on Node 20).
 * @param here - the asking module's `import.meta.url`
 * @param name - the file's name beside it; without an extension, the asker's own (`.ts` when
 * run from source, `.js` when built)
 * @param inPackage - the same file relative to the package's folder (`./dist/...`)
 * @returns a function that returns the file's URL, found on its first call
 * @internal
 */
export function ownFile(here: string, name: string, inPackage: string): () => string {
  let found: string | undefined;
  return () => (found ??= locate(here, name, inPackage));
}

function locate(here: string, name: string, inPackage: string): string {
  const ext = /\.[cm]?[jt]s$/.test(name) ? '' : here.endsWith('.ts') ? '.ts' : '.js';
  const beside = new URL(`./${name}${ext}`, here);
  if (existsSync(fileURLToPath(beside))) return beside.href;
  try {
    installed ??= import.meta.resolve('@multitask/core/package.json');
    return new URL(inPackage, installed).href;
  } catch {
    return beside.href; // not installed either: loading it fails, naming this path
  }
}
