/**
 * The process `actors.memory` measures in (memoryCases.ts): spawns `count` inline actors,
 * has each handle one message (an idle actor has usually worked before), and prints the
 * heap they added per actor, after a full GC, on stdout. Run with `--expose-gc`.
 */
import { createSystem, type ActorRef } from '@multitask/core';
import { Idle } from './actors.js';

const count = Number(process.argv[2]);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');

/** Heap in use after a full collection (twice: the first frees what the second finalizes). */
function used(): number {
  gc?.();
  gc?.();
  const memory = process.memoryUsage();
  return memory.heapUsed + memory.external;
}

const system = createSystem();
// One actor first, so that what every system or definition allocates once is not counted.
await (await system.spawn(Idle, { placement: 'inline' })).ask('ping');
const before = used();
const refs: Array<ActorRef<typeof Idle>> = [];
for (let i = 0; i < count; i++) refs.push(await system.spawn(Idle, { placement: 'inline' }));
await Promise.all(refs.map((ref) => ref.ask('ping')));
const after = used();
process.stdout.write(`${(after - before) / count}\n`);
await system.shutdown();
