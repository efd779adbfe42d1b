/**
 * `npm run demo`: the same actor on each placement. Inline runs in this thread, thread in a
 * worker thread of this process, process in a child process (note the pids).
 */
import { createSystem, type Placement } from '@multitask/core';
import { Worker } from './worker.js';

await using system = createSystem();
console.log(`main: pid ${process.pid}`);
for (const placement of ['inline', 'thread', 'process'] satisfies Placement[]) {
  const worker = await system.spawn(Worker, { placement, args: `${placement} actor` });
  const reply = await worker.ask('sum', 1_000_000);
  console.log(`  ${reply.label}: sum = ${reply.total} (pid ${reply.pid}, thread ${reply.thread})`);
}
console.log('shutting down');
