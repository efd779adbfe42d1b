#!/usr/bin/env node
// The `multitask-copy` command: a committed shim, so that npm links it at install time,
// before `npm run build` makes what it loads. It runs the tool bundled with the library into
// one CommonJS file through V8's code cache (see src/copy/command.ts and src/copy/codeCache.ts);
// the cache is saved as the first run exits.
'use strict';
const { join } = require('node:path');
const { loadCached } = require('../dist/copy/codeCache.cjs');

const command = loadCached(join(__dirname, '../dist/copy/multitask-copy.cjs'));
process.once('exit', () => command.save());
command.exports.runCli();
