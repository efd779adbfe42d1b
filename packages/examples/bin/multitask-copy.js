#!/usr/bin/env node
// The `multitask-copy` command: a committed shim, so that npm links it at install time,
// before the TypeScript sources are built into dist/.
import { runCli } from '../dist/copy/cli.js';

await runCli();
