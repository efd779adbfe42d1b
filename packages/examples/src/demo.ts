/**
 * `npm run demo`: every case, non-interactively.
 */
import { createSystem, type Placement } from '@multitask/core';
import { downloadThenAnalyse, manyToMany } from './producerConsumer.js';
import { superviseParser } from './supervision.js';
import { coordinate } from './jobCoordinator.js';
import { tenJobsOnThree } from './poolJobs.js';
import { Worker } from './worker.js';
import { twoPrinters } from './printers.js';
import { copyTree } from './copy/copyTree.js';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

console.log('== two printing actors, test1 and test2, for 2.5 seconds');
{
  const counts = await twoPrinters({ placement: 'thread', seconds: 2.5 });
  console.log(`  stopped cleanly: test1 printed ${counts[0]} times, test2 ${counts[1]} times`);
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

console.log('== multitask-copy: a folder copied by copier actors on a pool, with progress');
{
  const scratch = mkdtempSync(join(tmpdir(), 'multitask-demo-'));
  const src = join(scratch, 'src');
  for (let d = 0; d < 10; d++) {
    mkdirSync(join(src, `folder ${d}`, 'inner'), { recursive: true });
    for (let f = 0; f < 30; f++) writeFileSync(join(src, `folder ${d}`, f % 2 === 0 ? `file ${f}.txt` : join('inner', `file ${f}.bin`)), `${d}:${f}\n`.repeat(100 * f));
  }
  symlinkSync('folder 0', join(src, 'a link'));
  const summary = await copyTree(src, join(scratch, 'dst'), { workers: 2, placement: 'thread', existing: 'refuse', verify: true, progress: 'lines' });
  console.log(`  copied ${summary.files} files in ${summary.folders} folders and ${summary.symlinks} symlink; verified: ${summary.verified && summary.mismatches.length === 0}`);
  rmSync(scratch, { recursive: true, force: true });
  if (summary.failures.length > 0 || summary.mismatches.length > 0) process.exitCode = 1;
}

console.log('== a job coordinator: a worker per job, each watched');
{
  const outcomes = await coordinate([
    { id: 'primes below 10 000', below: 10_000, placement: 'inline' },
    { id: 'primes below 50 000', below: 50_000, placement: 'thread' },
    { id: 'a job that throws', below: 10, placement: 'inline', fail: 'throw' },
    { id: 'a worker that exits', below: 10, placement: 'process', fail: 'exit' },
  ]);
  for (const outcome of outcomes) console.log(`  ${outcome.id}: ${'primes' in outcome ? `${outcome.primes} primes` : `failed (${outcome.failed})`}`);
}

console.log('== supervision: let it crash');
{
  const report = await superviseParser();
  console.log(`  "forty-two" made the parser throw; the asker got: ${report.askAfterThrow}`);
  console.log(`  restarted in place (same thread: ${report.sameThreadAfterThrow}), then parsed "42" -> ${report.parsedAfterRestart}`);
  console.log(`  process.exit killed its thread; the pending ask rejected with ${report.pendingAskCode}; new thread: ${report.newThreadAfterExit}`);
  console.log(`  crashes seen: ${report.crashes.join('; ')}; restarts: ${report.restarts}`);
}
