/**
 * A second (or third) node of the cluster benchmarks, in a process of its own:
 * `node clusterNode.js <name> <server URL>`. It serves the benchmark's task set and channel
 * producer, answers the raw baselines' requests (`raw.square`), and on command publishes
 * raw items (core NATS or JetStream) for the baselines' consumers.
 */
import { connect } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { createSystem } from '@multitask/core';
import { ChanProducer } from './actors.js';
import { benchTasks } from './poolTasks.js';

const [name = 'b', servers = 'nats://127.0.0.1:4222'] = process.argv.slice(2);
const system = createSystem({ node: name, serve: [benchTasks, ChanProducer], cluster: { servers, name: 'bench', heartbeat: 500 }, shutdownTimeout: 2_000 });
const nc = await connect({ servers, name: `raw ${name}` });
const js = jetstream(nc);
const encoder = new TextEncoder();
const decoder = new TextDecoder();
nc.subscribe(`raw.${name}.square`, { callback: (_error, msg) => void msg.respond(JSON.stringify((JSON.parse(decoder.decode(msg.data)) as number) ** 2)) });

/** What the benchmark asks of this node for a baseline: publish `count` items. */
interface Command {
  readonly kind: 'publish' | 'jspublish';
  readonly subject: string;
  readonly count: number;
}

process.on('message', (command: Command) => {
  void (async () => {
    if (command.kind === 'publish') {
      for (let i = 0; i < command.count; i++) nc.publish(command.subject, encoder.encode(JSON.stringify({ i, tag: 'bench' })));
      await nc.flush();
    } else {
      for (let i = 0; i < command.count; i++) await js.publish(command.subject, encoder.encode(JSON.stringify({ i, tag: 'bench' })));
    }
    process.send?.({ done: command.kind });
  })();
});
process.on('disconnect', () => void Promise.all([system.shutdown(), nc.close()]).then(() => process.exit(0)));
await system.ready();
process.send?.({ ready: name });
