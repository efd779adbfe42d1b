/**
 * One node of the cluster demo, in a process of its own: `node clusterNode.js <name> <server URL> [cluster]`.
 * It serves the demo's actors, the producer/consumer actors and the pool jobs, reports
 * `ready` to its parent, and leaves when the parent goes.
 */
import { createSystem } from '@multitask/core';
import { Forwarder, Tally } from './clusterActors.js';
import { jobTasks } from '../jobTasks.js';
import { Analyser, Downloader } from '../queueActors.js';

const [name = 'node', servers = 'nats://127.0.0.1:4222', cluster = 'demo'] = process.argv.slice(2);
// #region node
const system = createSystem({
  node: name, // unique in the cluster
  serve: [Tally, Forwarder, Downloader, Analyser, jobTasks], // what other nodes may start here, by key
  cluster: { servers, name: cluster, heartbeat: 250, downAfter: 2_500 },
  shutdownTimeout: 2_000,
});
// #endregion node
process.on('disconnect', () => void system.shutdown().then(() => process.exit(0)));
system.ready().then(
  () => process.send?.({ ready: name, pid: process.pid }),
  (error: Error) => {
    console.error(`${name}: ${error.message}`);
    process.exit(1);
  },
);
