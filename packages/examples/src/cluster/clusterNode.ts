/**
 * One node of the cluster demo, in a process of its own: `node clusterNode.js <name> <server URL>`.
 * It serves the demo's actors, reports `ready` to its parent, and leaves when the parent goes.
 */
import { createSystem } from '@multitask/core';
import { Forwarder, Tally } from './clusterActors.js';

const [name = 'node', servers = 'nats://127.0.0.1:4222'] = process.argv.slice(2);
// #region node
const system = createSystem({
  node: name, // unique in the cluster
  serve: [Tally, Forwarder], // what other nodes may start here, by key
  cluster: { servers, name: 'demo', heartbeat: 250 },
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
