/**
 * A second (or third) node of the cluster benchmarks, in a process of its own:
 * `node clusterNode.js <name> <server URL>`. It serves the benchmark's task set and channel
 * producer and sink, answers the raw baselines' requests (`raw.square`), counts raw
 * messages (`raw.sink`, confirmed by a `raw.drained` request), and on command publishes
 * raw items (core NATS or JetStream) for the baselines' consumers.
 */
import { connect } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { createSystem } from '@multitask/core';
import { ChanProducer, Sink } from './actors.js';
import { benchTasks } from './poolTasks.js';

const [name = 'b', servers = 'nats://127.0.0.1:4222'] = process.argv.slice(2);
const system = createSystem({ node: name, serve: [benchTasks, ChanProducer, Sink], cluster: { servers, name: 'bench', heartbeat: 500 }, shutdownTimeout: 2_000 });
const nc = await connect({ servers, name: `raw ${name}` });
const js = jetstream(nc);
const encoder = new TextEncoder();
const decoder = new TextDecoder();
// The raw tells' subscriber: counts what arrives; a `drained` request is answered once that many came.
let seen = 0;
let drained: { readonly target: number; readonly respond: () => void } | undefined;
nc.subscribe(`raw.${name}.sink`, {
  callback: () => {
    seen += 1;
    if (drained === undefined || seen < drained.target) return;
    drained.respond();
    drained = undefined;
  },
});
nc.subscribe(`raw.${name}.drained`, {
  callback: (_error, msg) => {
    const target = Number(decoder.decode(msg.data));
    if (seen >= target) return void msg.respond(String(seen));
    drained = { target, respond: () => void msg.respond(String(seen)) };
  },
});
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
