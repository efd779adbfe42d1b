#!/usr/bin/env node
// The `multitask-copy` command: a committed shim, so that npm links it at install time,
// before the TypeScript sources are built into dist/. It loads the tool bundled into one
// module with the library (`npm run build`), which Node 20 loads ~30 ms sooner than the
// 60-odd modules it is made of: a fifth of copying a few large files.
import { runCli } from '../dist/copy/multitask-copy.js';

await runCli();
