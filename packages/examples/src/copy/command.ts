/**
 * The entry of the `multitask-copy` command as it ships: `npm run build` bundles this module
 * with the library into one file (dist/copy/multitask-copy.js), which Node 20 loads in ~12 ms
 * against ~40 ms for the 60-odd modules it is made of. Copier threads and processes load their
 * actors and tasks from the same file, so it exports them too.
 */
export { runCli } from './cli.js';
export { Copier, copyTasks } from './actors.js';
