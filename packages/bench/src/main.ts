/**
 * `npm run bench -- [--json] [--quick] [--filter SUBSTRING]`: the contract in BENCH.md.
 * Logs go to stderr; with --json, stdout carries one JSON document and nothing else.
 */
import { availableParallelism } from 'node:os';
import { cases } from './cases.js';
import { cpuCases } from './cpuCases.js';
import { channelCases } from './channelCases.js';
import { supervisorCases } from './supervisorCases.js';
import { poolCases } from './poolCases.js';
import { copyCases } from './copyCases.js';
import { memoryCases } from './memoryCases.js';
import { skynetCases } from './skynetCases.js';
import { clusterCases } from './clusterCases.js';
import { runCase, type Result } from './harness.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const quick = args.includes('--quick');
const filterAt = args.indexOf('--filter');
const filter = filterAt >= 0 ? args[filterAt + 1] : undefined;
if (filterAt >= 0 && filter === undefined) {
  console.error('--filter needs a SUBSTRING');
  process.exit(2);
}

const rounds = quick ? 3 : 7;
const results: Result[] = [];
for (const bench of [...cases, ...cpuCases, ...channelCases, ...supervisorCases, ...poolCases, ...memoryCases, ...skynetCases, ...clusterCases, ...copyCases]) {
  const ids = bench.metrics.flatMap((m) => [m.id, m.baseline?.id ?? '']);
  if (filter !== undefined && !ids.some((id) => id.includes(filter))) continue;
  if (bench.needsFull === true && quick && filter === undefined) continue;
  console.error(`running ${bench.metrics.map((m) => m.id).join(', ')} ...`);
  results.push(...(await runCase(bench, rounds, quick)));
}

if (json) {
  process.stdout.write(`${JSON.stringify({ node: process.version, cpus: availableParallelism(), date: new Date().toISOString(), results }, null, 2)}\n`);
} else {
  const rows = results.map((r) => [r.id, String(r.value), r.unit, r.baseline ? `${r.baseline.id} ${r.baseline.value} ${r.baseline.unit}` : '-', r.ratio === undefined ? '-' : `${r.ratio}x`]);
  const header = ['id', 'value', 'unit', 'baseline', 'ratio'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)));
  const line = (cells: string[]): string => cells.map((cell, i) => cell.padEnd(widths[i] as number)).join('  ');
  console.log(`node ${process.version}, ${availableParallelism()} cpus, ${new Date().toISOString()}`);
  console.log(line(header));
  for (const row of rows) console.log(line(row));
}
