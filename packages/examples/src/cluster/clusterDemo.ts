/**
 * `npm run demo:cluster`: a local nats-server, three node processes (north, south, east)
 * and this process as a fourth node (control). Actors are spawned across the nodes, a ref
 * crosses to a third node, a supervised actor with a cluster-wide name runs on east, then
 * east is killed with SIGKILL mid-ask: what waited on it settles with NODE_DOWN, the others
 * carry on, and the supervised actor answers again from another node, under the same id.
 * Then the ten jobs of `Pool(3)` run on workers of north and south, and a producer on north
 * streams to a consumer on south.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { child, createChannel, createSystem, isMultitaskError } from '@multitask/core';
import { Forwarder, Tally } from './clusterActors.js';
import { tenJobsOnTwoNodes } from './clusterPool.js';
import { Analyser, Downloader, type Item } from '../queueActors.js';
import { startNatsServer } from './natsServer.js';

const server = await startNatsServer();
console.log(`== a nats-server at ${server.url}`);
const nodes = new Map<string, ChildProcess>();
const started = ['north', 'south', 'east'].map(
  (name) =>
    new Promise<void>((resolve, reject) => {
      const proc = fork(fileURLToPath(new URL(`./clusterNode.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url)), [name, server.url], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      nodes.set(name, proc);
      proc.once('message', () => resolve());
      proc.once('exit', (code) => reject(new Error(`node ${name} exited (${code})`)));
    }),
);
/** The node whose process has `pid` (an actor's `where`). */
const nodeOf = (pid: number): string => [...nodes].find(([, proc]) => proc.pid === pid)?.[0] ?? `pid ${pid}`;
// #region join
const system = createSystem({ node: 'control', cluster: { servers: server.url, name: 'demo', heartbeat: 250, downAfter: 2_500 }, shutdownTimeout: 2_000 });
// #endregion join
try {
  await Promise.all([system.ready(), ...started]); // joined, and the others heard
  system.on('node:down', (node, error) => console.log(`  node:down ${node} (${error.message})`));
  console.log(`== nodes: ${system.nodes().join(', ')}`);
  // #region placement
  const tallies = new Map<string, Awaited<ReturnType<typeof system.spawn<typeof Tally>>>>();
  for (const [node, where] of [['north', 'inline'], ['south', 'thread'], ['east', 'process']] as const) {
    const tally = await system.spawn(Tally, { placement: { node, in: where }, args: 0 });
    tallies.set(node, tally);
    console.log(`  a Tally on ${node} (${where}): pid ${(await tally.ask('where')).pid}, count ${await tally.ask('add', 10)}`);
  }
  const forwarder = await system.spawn(Forwarder, { placement: { node: 'north' }, args: tallies.get('south')! });
  console.log(`  a Forwarder on north adds to the Tally on south through the ref it was given: ${await forwarder.ask('forward', 5)}`);
  // #endregion placement
  // #region supervision
  const sup = await system.supervise({ children: [child('ledger', Tally, { placement: { node: 'east' }, name: 'ledger', args: 100 })] });
  const ledger = sup.ref('ledger');
  console.log(`  a supervised Tally named 'ledger' on ${nodeOf((await ledger.ask('where')).pid)}: count ${await ledger.ask('add', 1)}`);
  const restarted = new Promise((resolve, reject) => {
    const late = setTimeout(() => reject(new Error('the supervised actor was not restarted within 15 s')), 15_000);
    system.once('actor:restarted', () => resolve(clearTimeout(late)));
  });
  // #endregion supervision

  console.log('== east is killed with SIGKILL while an ask waits on it');
  // #region failure
  const east = tallies.get('east')!;
  const waiting = east.ask('hold', 60_000, { timeout: 60_000 }).then(
    () => 'answered',
    (error: unknown) => (isMultitaskError(error) ? error.code : String(error)),
  );
  await new Promise((resolve) => setTimeout(resolve, 200));
  nodes.get('east')?.kill('SIGKILL');
  console.log(`  the pending ask settled with ${await waiting}`);
  // #endregion failure
  console.log(`  a new ask to east: ${await east.ask('get').catch((error: unknown) => (isMultitaskError(error) ? error.code : String(error)))}`);
  console.log(`  nodes now: ${system.nodes().join(', ')}`);
  console.log(`  the others carry on: north ${await tallies.get('north')!.ask('add', 1)}, south ${await forwarder.ask('forward', 1)}`);
  // #region restarted
  await restarted;
  const byName = system.lookup('ledger')?.id === ledger.id ? 'its name finds it' : 'its name is lost';
  console.log(`  'ledger' answers again from ${nodeOf((await ledger.ask('where')).pid)} under the same id (${byName}), started afresh: count ${await ledger.ask('add', 1)}`);
  // #endregion restarted

  console.log('== the ten jobs of Pool(3) on workers of two nodes: one on north, two on south');
  const reports = await tenJobsOnTwoNodes(system, 'north', 'south', { maxMs: 300, quiet: true });
  const processes = new Set(reports.map((report) => report.worker.replace(/^.*process /, '')));
  console.log(`  ${reports.length} jobs done, on ${new Set(reports.map((report) => report.worker)).size} workers in ${processes.size} node processes`);

  console.log('== a producer on north streams through a channel to a consumer on south');
  const queue = createChannel<Item>({ capacity: 64 });
  const downloader = await system.spawn(Downloader, { placement: { node: 'north', in: 'thread' }, args: { queue: queue.sender, id: 1 } });
  const analyser = await system.spawn(Analyser, { placement: { node: 'south', in: 'thread' }, args: { queue: queue.receiver } });
  const analysed = analyser.ask('analyse', undefined, { timeout: 60_000 });
  await downloader.ask('stream', 10_000, { timeout: 60_000 });
  queue.close();
  const items = await analysed;
  console.log(`  the consumer on south got ${items.length} items, in order: ${items.every((item, i) => item.value === i)}`);
} finally {
  system.removeAllListeners('node:down');
  await system.shutdown();
  for (const proc of nodes.values()) proc.kill('SIGTERM');
  await Promise.all([...nodes.values()].map((proc) => (proc.exitCode !== null || proc.signalCode !== null ? undefined : new Promise((resolve) => proc.once('exit', resolve)))));
  await server.stop();
  console.log('== everything stopped');
}
