/**
 * The process `actors.spawn` / `actors.shutdown` measure in (memoryCases.ts): spawns `count`
 * idle inline actors from the main thread one after another (timed), has each handle one
 * message (untimed), then shuts the system down (timed). Prints, as one JSON line, µs per
 * actor for each, and the heap in use with them all alive, after a full GC (`--expose-gc`),
 * in MB: a fresh process per run, in Node's default heap, so that a million shows it fits.
 */
import { createSystem, type ActorRef } from '@multitask/core';
import { Idle } from './actors.js';

const count = Number(process.argv[2]);
const system = createSystem();
await (await system.spawn(Idle, { placement: 'inline' })).ask('ping'); // what a system does once
const refs: Array<ActorRef<typeof Idle>> = [];
let start = performance.now();
for (let i = 0; i < count; i++) refs.push(await system.spawn(Idle, { placement: 'inline' }));
const spawn = performance.now() - start;
await Promise.all(refs.map((ref) => ref.ask('ping')));
(globalThis as { gc?: () => void }).gc?.();
const heap = process.memoryUsage().heapUsed / 1e6;
start = performance.now();
await system.shutdown();
const shutdown = performance.now() - start;
process.stdout.write(`${JSON.stringify({ spawn: (spawn * 1000) / count, shutdown: (shutdown * 1000) / count, heap })}\n`);
