/**
 * The command run from its sources (`tsx src/copy/program.ts SRC DST`), as the tests do. The
 * shipped command is bin/multitask-copy.cjs, which runs the same {@link runCli} from the bundle.
 */
import { runCli } from './cli.js';

await runCli();
