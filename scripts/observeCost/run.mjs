// One-off measurement of what issue 22's observability costs (not part of npm run bench):
//   node scripts/observeCost/run.mjs CORE_DIST_INDEX [--metrics] [--snapshot]
// prints one JSON line: thread.tell and inline.tell (msg/s, and the process's CPU time per
// message in ns, steadier than rates on a machine shared with other work), thread.ask.rtt
// p50 (µs), and with --snapshot the time of system.inspect() over 100 000 idle inline actors.
import { pathToFileURL } from 'node:url';

const [coreArg, ...flags] = process.argv.slice(2);
process.env.MULTITASK_CORE = pathToFileURL(coreArg).href;
const core = await import(process.env.MULTITASK_CORE);
const { Sink } = await import('./sink.mjs');
const metricsOn = flags.includes('--metrics');
if (metricsOn) {
  const { metrics } = await import('@opentelemetry/api');
  const { MeterProvider, PeriodicExportingMetricReader, InMemoryMetricExporter, AggregationTemporality } = await import('@opentelemetry/sdk-metrics');
  const reader = new PeriodicExportingMetricReader({ exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE), exportIntervalMillis: 3_600_000 });
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
}
const rate = (n, ms) => Math.round(n / (ms / 1000));

let cpuPerMessage = 0;
async function tellRun(ref, n) {
  const start = (await ref.ask('count')) + n;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) ref.tell('hit', { i, tag: 'bench' });
  while ((await ref.ask('count')) < start);
  const cpu = process.cpuUsage(c0);
  cpuPerMessage = Math.round(((cpu.user + cpu.system) * 1000) / n);
  return rate(n, performance.now() - t0);
}

/** The best rate of `runs` runs, and the least CPU per message among them. */
async function bestTell(ref, n, runs) {
  let best = 0;
  let cpu = Infinity;
  for (let i = 0; i < runs; i++) {
    best = Math.max(best, await tellRun(ref, n));
    cpu = Math.min(cpu, cpuPerMessage);
  }
  return [best, cpu];
}

async function rtt(ref, samples) {
  const times = [];
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now();
    await ref.ask('ping', i);
    times.push((performance.now() - t0) * 1000);
  }
  times.sort((a, b) => a - b);
  return Math.round(times[Math.floor(times.length / 2)]);
}

const best = async (runs, fn) => Math.max(...(await Promise.all([]), await (async () => { const r = []; for (let i = 0; i < runs; i++) r.push(await fn()); return r; })()));
const options = metricsOn ? { telemetry: { metrics: true } } : {};
const system = core.createSystem(options);
const out = {};
const inline = await system.spawn(Sink, {});
await tellRun(inline, 200_000);
[out['inline.tell'], out['inline.tell.cpu.ns']] = await bestTell(inline, 1_000_000, 3);
const thread = await system.spawn(Sink, { placement: 'thread' });
await tellRun(thread, 100_000);
[out['thread.tell'], out['thread.tell.cpu.ns']] = await bestTell(thread, 300_000, 3);
await rtt(thread, 500);
out['thread.ask.rtt.p50'] = -(await best(3, async () => -(await rtt(thread, 3_000))));
if (flags.includes('--snapshot') && typeof system.inspect === 'function') {
  for (let i = 0; i < 100_000; i++) await system.spawn(Sink, {});
  global.gc?.();
  await system.inspect();
  const times = [];
  const cpus = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const s = await system.inspect();
    const cpu = process.cpuUsage(c0);
    times.push(performance.now() - t0);
    cpus.push((cpu.user + cpu.system) / 1000);
    if (s.actors.length < 100_000) throw new Error('snapshot too small');
  }
  out['inspect.100k.ms'] = Math.round(Math.min(...times));
  out['inspect.100k.cpu.ms'] = Math.round(Math.min(...cpus));
}
await system.shutdown();
console.log(JSON.stringify(out));
