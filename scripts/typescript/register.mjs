// The TypeScript loader the test suite runs under (vitest.config.ts puts it in `execArgv`,
// so every thread and process the tests start inherits it, as they would inherit tsx).
// It does only what this repository needs: `.ts`/`.mts` modules, imported by their `.js`
// name as NodeNext wants, compiled by esbuild (as tsx does) and cached on disk. Node 20 runs
// `--import` modules in worker threads too, so each thread registers the hooks for itself.
//
// Why not tsx here: a thread or process started under tsx spent ~0.3 s of CPU in tsx's
// hooks before it ran anything, ~0.4 s in all against ~0.15 s under this loader, and the
// suite starts hundreds of them. tsx itself stays covered: tsxHosts.test.ts runs threads
// and processes under `--import tsx`, as a user does.
//
// Stack traces show positions in the compiled JavaScript (file names stay the .ts ones): Node
// reads a module's source map as it compiles it, and that cost ~45 ms of CPU in each host.
// MULTITASK_TEST_SOURCE_MAPS=1 compiles with source maps and turns them on, for debugging.
import { register } from 'node:module';

if (process.env.MULTITASK_TEST_SOURCE_MAPS === '1') process.setSourceMapsEnabled(true);
register('./hooks.mjs', import.meta.url);
