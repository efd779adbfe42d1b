/**
 * `npm run demo`: every case, non-interactively.
 */
import { createSystem, type Placement } from '@multitask/core';
import { downloadThenAnalyse, manyToMany } from './producerConsumer.js';
import { superviseParser } from './supervision.js';
import { tenJobsOnThree } from './poolJobs.js';
import { Worker } from './worker.js';

console.log('== one actor on each placement');
{
  await using system = createSystem();
  console.log(`main: pid ${process.pid}`);
  for (const placement of ['inline', 'thread', 'process'] satisfies Placement[]) {
    const worker = await system.spawn(Worker, { placement, args: `${placement} actor` });
    const reply = await worker.ask('sum', 1_000_000);
    console.log(`  ${reply.label}: sum = ${reply.total} (pid ${reply.pid}, thread ${reply.thread})`);
  }
  console.log('  shutting down');
}

console.log('== producer/consumer over a channel (download, then analyse)');
for (const placement of ['thread', 'process'] as const) {
  const data = await downloadThenAnalyse({ placement });
  console.log(`  on the ${placement} placement: the analyser got ${JSON.stringify(data.map((item) => item.value))}`);
}
const big = await downloadThenAnalyse({ placement: 'thread', stream: 100_000 });
console.log(`  a stream of 100000 items through a channel of capacity 64: the analyser got ${big.length}`);
const many = await manyToMany({ placement: 'thread' });
console.log(`  3 producers -> 3 consumers: ${many.received} items, each exactly once: ${many.exactlyOnce}`);
if (!many.exactlyOnce) process.exitCode = 1;

for (const placement of ['thread', 'process'] as const) {
  console.log(`== ten jobs on a pool of three ${placement === 'process' ? 'processes' : 'threads'}`);
  const reports = await tenJobsOnThree({ placement, maxMs: 300 });
  console.log(`  ${reports.length} jobs on ${new Set(reports.map((r) => r.worker)).size} workers`);
}

console.log('== supervision: let it crash');
{
  const report = await superviseParser();
  console.log(`  "forty-two" made the parser throw; the asker got: ${report.askAfterThrow}`);
  console.log(`  restarted in place (same thread: ${report.sameThreadAfterThrow}), then parsed "42" -> ${report.parsedAfterRestart}`);
  console.log(`  process.exit killed its thread; the pending ask rejected with ${report.pendingAskCode}; new thread: ${report.newThreadAfterExit}`);
  console.log(`  crashes seen: ${report.crashes.join('; ')}; restarts: ${report.restarts}`);
}
