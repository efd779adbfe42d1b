/**
 * Producer/consumer over a queue, as actors. Python's original:
 *
 *   q = multiprocessing.Queue()
 *   p1 = Process(target=downloader, args=(q,)); p2 = Process(target=analyser, args=(q,))
 *   p1.start(); p2.start(); p1.join(); p2.join()
 *
 * Run: node dist/producerConsumer.js [--placement thread|process] [--stream N] [--many] [--cluster]
 * (`--cluster`: a local nats-server and two node processes, the downloader on one, the
 * analyser on the other, the channel owned by this process.)
 */
import { pathToFileURL } from 'node:url';
import { createChannel, createSystem, type Placement } from '@multitask/core';
import { Analyser, Downloader, type Item } from './queueActors.js';

/** Options of the producer/consumer case. */
export interface QueueCaseOptions {
  readonly placement: Exclude<Placement, 'inline'>;
  /** Stream this many items instead of [11, 22, 33, 44]. */
  readonly stream?: number;
  /** Three producers and three consumers; checks every item arrived once. */
  readonly many?: boolean;
  /** Producer and consumer on two other nodes of a local cluster. */
  readonly cluster?: boolean;
}

/** One downloader, one analyser: prints what the analyser got. */
export async function downloadThenAnalyse(options: QueueCaseOptions): Promise<readonly Item[]> {
  await using system = createSystem();
  const queue = createChannel<Item>({ capacity: 64 });
  const downloader = await system.spawn(Downloader, { placement: options.placement, args: { queue: queue.sender, id: 1 } });
  const analyser = await system.spawn(Analyser, { placement: options.placement, args: { queue: queue.receiver } });
  const analysed = analyser.ask('analyse', undefined, { timeout: 120_000 });
  if (options.stream === undefined) await downloader.ask('download', [11, 22, 33, 44]);
  else await downloader.ask('stream', options.stream, { timeout: 120_000 });
  queue.close(); // the end of the data: the analyser drains what is left, then stops
  return await analysed; // await before `system` is disposed at the end of this scope
}

/**
 * The same across machines: the downloader on node `north`, the analyser on node `south`,
 * and the channel created here, on node `control`; items stream from one node to the other
 * through this one (every item once, in order).
 */
export async function acrossNodes(options: { readonly placement: 'thread' | 'process'; readonly stream?: number }): Promise<readonly Item[]> {
  const { startLocalCluster } = await import('./cluster/localCluster.js'); // NATS is loaded only for --cluster
  const cluster = await startLocalCluster(['north', 'south'], 'queue');
  try {
    const { system } = cluster;
    // #region cluster
    const queue = createChannel<Item>({ capacity: 64 });
    const downloader = await system.spawn(Downloader, { placement: { node: 'north', in: options.placement }, args: { queue: queue.sender, id: 1 } });
    const analyser = await system.spawn(Analyser, { placement: { node: 'south', in: options.placement }, args: { queue: queue.receiver } });
    // #endregion cluster
    const analysed = analyser.ask('analyse', undefined, { timeout: 120_000 });
    if (options.stream === undefined) await downloader.ask('download', [11, 22, 33, 44]);
    else await downloader.ask('stream', options.stream, { timeout: 120_000 });
    queue.close();
    return await analysed;
  } finally {
    await cluster.stop();
  }
}

/** Three downloaders and three analysers on one channel; true when every item arrived exactly once. */
export async function manyToMany(options: QueueCaseOptions): Promise<{ readonly received: number; readonly exactlyOnce: boolean }> {
  await using system = createSystem();
  const queue = createChannel<Item>({ capacity: 32 });
  const perProducer = options.stream ?? 1_000;
  const producers = await Promise.all([1, 2, 3].map((id) => system.spawn(Downloader, { placement: options.placement, args: { queue: queue.sender, id } })));
  const consumers = await Promise.all([1, 2, 3].map(() => system.spawn(Analyser, { placement: options.placement, args: { queue: queue.receiver } })));
  const analysed = consumers.map((consumer) => consumer.ask('analyse', undefined, { timeout: 120_000 }));
  await Promise.all(producers.map((producer) => producer.ask('stream', perProducer, { timeout: 120_000 })));
  queue.close();
  const items = (await Promise.all(analysed)).flat();
  const seen = new Set(items.map((item) => `${item.producer}:${item.value}`));
  return { received: items.length, exactlyOnce: items.length === 3 * perProducer && seen.size === items.length };
}

function parseArgs(argv: readonly string[]): QueueCaseOptions {
  const at = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const placement = at('--placement') ?? 'thread';
  if (placement !== 'thread' && placement !== 'process') throw new Error('--placement must be thread or process');
  const stream = at('--stream');
  return { placement, ...(stream === undefined ? {} : { stream: Number(stream) }), many: argv.includes('--many'), cluster: argv.includes('--cluster') };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const options = parseArgs(process.argv.slice(2));
  if (options.many === true) {
    const { received, exactlyOnce } = await manyToMany(options);
    console.log(`3 producers -> 3 consumers on ${options.placement === 'process' ? 'processes' : 'threads'}: ${received} items, each exactly once: ${exactlyOnce}`);
    if (!exactlyOnce) process.exitCode = 1;
  } else {
    const data = options.cluster === true && typeof options.placement === 'string' ? await acrossNodes({ ...options, placement: options.placement }) : await downloadThenAnalyse(options);
    const shown = data.length <= 10 ? JSON.stringify(data.map((item) => item.value)) : `${data.length} items`;
    console.log(`analyser on a ${options.placement}${options.cluster === true ? ' of node south, downloader on north,' : ''} got ${shown}`);
  }
}
