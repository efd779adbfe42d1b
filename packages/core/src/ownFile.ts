import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * A module of this package that another thread or process loads by URL (a host's bootstrap
 * and runtime, the pool's worker actor). It lies next to the module asking when the package
 * runs from its own files. When an application bundled the package into one file of its own
 * (esbuild, say), nothing lies there: the installed package's copy is used, found by name as
 * the application would import it.
 * @param here - the asking module's `import.meta.url`
 * @param name - the file's name beside it; without an extension, the asker's own (`.ts` when
 * run from source, `.js` when built)
 * @param inPackage - the same file relative to the package's entry module (`dist/index.js`)
 * @internal
 */
export function ownFile(here: string, name: string, inPackage: string): string {
  const ext = /\.[cm]?[jt]s$/.test(name) ? '' : here.endsWith('.ts') ? '.ts' : '.js';
  const beside = new URL(`./${name}${ext}`, here);
  if (existsSync(fileURLToPath(beside))) return beside.href;
  try {
    return new URL(inPackage, import.meta.resolve('@multitask/core')).href;
  } catch {
    return beside.href; // not installed either: loading it fails, naming this path
  }
}
