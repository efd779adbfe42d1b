/**
 * Node built-ins that most programs using the library never touch, or touch late, loaded
 * the first time they are asked for. `node:worker_threads` brings all of Node's streams with
 * it and `node:v8` its heap utilities; an ES module's `import … from 'node:fs'` reads every
 * export of `fs`, its lazy streams too. ~2–3 ms of the start of every program that imports
 * the library, which one that runs only inline actors does not need (a copy of four large
 * files with `multitask-copy` takes ~80 ms in all). `node:child_process` brings `net` and
 * `dgram` (~3 ms), which only programs that fork a process host need.
 * @internal
 * @packageDocumentation
 */
import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);
let v8: typeof import('node:v8') | undefined;
let fs: typeof import('node:fs') | undefined;
let workers: typeof import('node:worker_threads') | undefined;
let childProcess: typeof import('node:child_process') | undefined;
let net: typeof import('node:net') | undefined;

/** `node:v8`, loaded on the first call. @internal */
export function nodeV8(): typeof import('node:v8') {
  return (v8 ??= load('node:v8') as typeof import('node:v8'));
}

/** `node:worker_threads`, loaded on the first call. @internal */
export function workerThreads(): typeof import('node:worker_threads') {
  return (workers ??= load('node:worker_threads') as typeof import('node:worker_threads'));
}

/** `node:fs`, loaded on the first call, without its streams. @internal */
export function nodeFs(): typeof import('node:fs') {
  return (fs ??= load('node:fs') as typeof import('node:fs'));
}

/** `node:child_process`, loaded when the first process host is forked. @internal */
export function nodeChildProcess(): typeof import('node:child_process') {
  return (childProcess ??= load('node:child_process') as typeof import('node:child_process'));
}

/** `node:net`, loaded when a process host opens its end of the frame pipe. @internal */
export function nodeNet(): typeof import('node:net') {
  return (net ??= load('node:net') as typeof import('node:net'));
}
