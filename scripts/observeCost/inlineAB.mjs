// One-off A/B of inline.tell in one process, two builds of the core interleaved (so that
// load from other work on the machine falls on both alike):
//   node scripts/observeCost/inlineAB.mjs BASE_DIST_INDEX NEW_DIST_INDEX
// prints the least and the median CPU time per message (ns) of each, over 30 rounds.
import { pathToFileURL } from 'node:url';

const builds = [];
for (const path of process.argv.slice(2, 4)) {
  const core = await import(pathToFileURL(path).href);
  const Sink = core.defineActor({ url: import.meta.url, name: 'Sink', init: () => ({ count: 0 }), handlers: { hit(ctx) { ctx.state.count += 1; }, count(ctx) { return ctx.state.count; } } });
  const system = core.createSystem();
  builds.push({ path, system, ref: await system.spawn(Sink, {}), cpu: [] });
}
const N = 500_000;
async function run(b) {
  const start = (await b.ref.ask('count')) + N;
  const c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) b.ref.tell('hit', { i, tag: 'bench' });
  while ((await b.ref.ask('count')) < start);
  const cpu = process.cpuUsage(c0);
  return ((cpu.user + cpu.system) * 1000) / N;
}
for (const b of builds) for (let i = 0; i < 3; i++) await run(b); // warm up
for (let round = 0; round < 30; round++) for (const b of round % 2 === 0 ? builds : [...builds].reverse()) b.cpu.push(await run(b));
for (const b of builds) {
  const sorted = [...b.cpu].sort((x, y) => x - y);
  console.log(JSON.stringify({ build: b.path, minNs: Math.round(sorted[0]), medianNs: Math.round(sorted[15]) }));
  await b.system.shutdown();
}
