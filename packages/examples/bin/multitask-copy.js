#!/usr/bin/env node
// The `multitask-copy` command: a committed shim, so that npm links it at install time,
// before the TypeScript sources are built into dist/. It loads the tool bundled into one
// module with the library (see src/copy/command.ts).
import { runCli } from '../dist/copy/multitask-copy.js';

await runCli();
