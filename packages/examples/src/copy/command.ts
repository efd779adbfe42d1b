/**
 * The entry of the `multitask-copy` command as it ships: `npm run build` bundles this module
 * with the library into one CommonJS file (dist/copy/multitask-copy.cjs, see
 * scripts/bundle.mjs), which bin/multitask-copy.cjs loads through V8's code cache (see
 * codeCache.ts). A copy of a few large files ends ~35 ms sooner that way on Node 20 than from
 * the 60-odd ES modules the tool is made of, and ~10 ms sooner than from one ES module bundle. Copier threads and processes load their actors and tasks from the same file, so
 * it exports them too.
 */
export { runCli } from './cli.js';
export { Copier, copyTasks } from './actors.js';
