// The JavaScript of the build: the package's entry points bundled with esbuild, the code
// they share split into chunks beside `dist/index.js`. tsc writes only the declarations.
//
// Why bundle: every thread and process host imports its runtime and then the actor's
// module, which imports `@multitask/core`. Node 20 spends most of a fresh worker's import in
// the per-module work (resolve, read, link), not in the bytes: the library's ~120 modules
// took ~70 ms to import in a new worker, the same code in a few chunks ~30 ms. A restart
// boots a spare thread behind it, a pool starts its workers, a spawn starts its host: all
// of them wait on that import.
//
// The entries are the package's exports and the files hosts load by URL (`ownFile`); they
// keep their paths, so the exports map, the declarations beside them and the host lookups
// are what they were. Code two entries share lives once, in a chunk both import: a host's
// runtime and the actor module it loads see one `ActorRef`, one `MultitaskError`. The
// dependencies stay external, loaded from node_modules as before (the lazy ones on first
// use). `transport/boot.mjs` is copied as it is: Node loads it before any loader.
import { copyFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const entries = ['src/index.ts', 'src/interop/comlink.ts', 'src/system/hostMain.ts', 'src/pool/PoolWorker.ts'];

await build({
  absWorkingDir: fileURLToPath(new URL('..', import.meta.url)),
  entryPoints: entries,
  outbase: 'src',
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  chunkNames: '[name]-[hash]',
  legalComments: 'none',
  logLevel: 'warning',
});

mkdirSync(new URL('../dist/transport/', import.meta.url), { recursive: true });
copyFileSync(new URL('../src/transport/boot.mjs', import.meta.url), new URL('../dist/transport/boot.mjs', import.meta.url));
