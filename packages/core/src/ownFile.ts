import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MultitaskError } from './errors.js';
import { nodeFs } from './lazyBuiltins.js';

/** The installed package's `package.json`, by the folder of the bundled copy of the library that looked for it. */
const installed = new Map<string, string>();

/**
 * A module of this package that another thread or process loads by URL (a host's bootstrap
 * and runtime, the pool's worker actor), found when first asked for: a program that never
 * starts a thread or process never looks. When the package runs from its sources it lies
 * next to the module asking. When it runs from its build, the asker is a chunk at the
 * build's root (`scripts/bundle.mjs` bundles the library) and the file lies under that
 * folder at its path in the build. When an application bundled the package into a file of
 * its own (esbuild, say), nothing lies there: the installed package's copy is used, found
 * by name from the bundle's folder as the bundle's `require` would find it. The name
 * resolved is the package's `package.json`, which the package exports without conditions,
 * so that ES module and CommonJS bundles resolve it alike (a CommonJS bundle only has to
 * define `import.meta.url` as its own file URL); it is resolved once per thread and bundle
 * folder, however many files are asked for (~2 ms on Node 20).
 * @param here - the asking module's `import.meta.url`
 * @param name - the file's name beside it; without an extension, the asker's own (`.ts` when
 * run from source, `.js` when built)
 * @param inPackage - the same file relative to the package's folder (`./dist/...`)
 * @returns a function that returns the file's URL, found on its first call
 * @throws MultitaskError `SPAWN_FAILED` (from the returned function) when the file is neither
 * beside the asker nor in an installed `@multitask/core`, saying what to do about it
 * @internal
 */
export function ownFile(here: string, name: string, inPackage: string): () => string {
  let found: string | undefined;
  return () => (found ??= locate(here, name, inPackage));
}

function locate(here: string, name: string, inPackage: string): string {
  const file = inPackage.replace(/^\.\//, '');
  // A CommonJS bundle whose import.meta was left empty by the bundler.
  if (typeof here !== 'string' || !here.startsWith('file:')) {
    throw missing(file, `the bundle that holds the library has no import.meta.url (it is ${String(here)}): a CommonJS bundle must define it as the bundle's own file URL`);
  }
  const ext = /\.[cm]?[jt]s$/.test(name) ? '' : here.endsWith('.ts') ? '.ts' : '.js';
  const beside = new URL(`./${name}${ext}`, here);
  if (nodeFs().existsSync(fileURLToPath(beside))) return beside.href;
  // The published build: the asker is a chunk of the bundle at the build's root (scripts/bundle.mjs).
  const underRoot = new URL(inPackage.replace(/^\.\/dist\//, './'), here);
  if (nodeFs().existsSync(fileURLToPath(underRoot))) return underRoot.href;
  const bundle = fileURLToPath(here);
  const folder = new URL('.', here).href;
  let packageJson = installed.get(folder);
  if (packageJson === undefined) {
    try {
      packageJson = pathToFileURL(createRequire(here).resolve('@multitask/core/package.json')).href;
    } catch (error) {
      throw missing(file, `the library was bundled into ${bundle}, and no @multitask/core is installed where that file can find it`, error);
    }
    installed.set(folder, packageJson);
  }
  const inInstalled = new URL(inPackage, packageJson);
  if (nodeFs().existsSync(fileURLToPath(inInstalled))) return inInstalled.href;
  throw missing(file, `the library was bundled into ${bundle}, and the @multitask/core installed in ${fileURLToPath(new URL('.', packageJson))} has no such file`);
}

function missing(file: string, why: string, cause?: unknown): MultitaskError {
  return new MultitaskError(
    'SPAWN_FAILED',
    `cannot start a thread or process: multitask's host file ${file} is not on disk (${why}). ` +
      'Threads and processes load the host files of the library from disk: keep @multitask/core installed beside the bundle ' +
      '(npm install @multitask/core where you deploy it), or mark it external when bundling (esbuild: --external:@multitask/core). ' +
      'See the guide "Use it in your project".',
    cause === undefined ? {} : { cause },
  );
}
