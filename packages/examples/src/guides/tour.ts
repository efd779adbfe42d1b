// The samples of the Actors, Channels, Supervision and Pools guides, run by the tests.
import { child, createChannel, createPool, createSystem, type DownReason } from '@multitask/core';
import { Cache, Counter, Downloader } from './lifecycle.js';
import { mathTasks } from './mathTasks.js';

export async function actorsTour(): Promise<{ count: number; events: string[] }> {
  const events: string[] = [];
  await using system = createSystem();
  // #region events
  system.on('actor:started', (ref) => events.push(`started ${ref.id}`));
  system.on('actor:stopped', (ref, reason) => events.push(`stopped ${reason.kind}`)); // gone for good
  system.on('actor:crashed', (ref, reason) => events.push(`crashed ${reason.kind}`)); // down abnormally (a supervisor may restart it)
  system.on('actor:restarted', (ref, restarts) => events.push(`restarted ${restarts}`));
  system.on('supervisor:escalated', (supervisor, reason) => events.push(`escalated ${supervisor.id} ${reason.kind}`));
  system.on('actor:failed', (ref, error, type) => events.push(`failed ${type}`)); // an unsupervised handler threw, nobody waited
  system.on('dead-letter', ({ recipient, type, error }) => events.push(`dead letter ${type} for ${recipient.id}: ${error.message}`));
  // #endregion events
  // #region spawn
  const counter = await system.spawn(Counter, { placement: 'thread', args: 0 });
  // #endregion spawn
  counter.tell('add', 5);
  const count = await counter.ask('get');
  await system.stop(counter);
  return { count, events };
}

export async function channelsTour(): Promise<{ item: number; downloaded: number[] }> {
  // #region channel
  const queue = createChannel<number>({ capacity: 64 }); // no capacity: unbounded, like Queue()
  await queue.send(11); // q.put(11): waits while full
  const item = await queue.receive(); // q.get(): waits while empty
  queue.close(); // no more sends; receivers drain, then the end
  // #endregion channel

  await using system = createSystem();
  // #region share
  const items = createChannel<number>({ capacity: 8 });
  const downloader = await system.spawn(Downloader, { placement: 'process', args: { queue: items.sender } });
  // #endregion share
  const done = downloader.ask('download', [1, 2, 3]).then(() => items.close());
  const downloaded: number[] = [];
  for await (const n of items) downloaded.push(n);
  await done;
  return { item, downloaded };
}

export async function supervisionTour(): Promise<{ kept: string | undefined; reasons: DownReason[] }> {
  await using system = createSystem();
  const sup = await system.supervise({ children: [child('cache', Cache, { placement: 'thread' }), child('counter', Counter, { args: 0 })] });
  const [cache, counter] = [sup.ref('cache'), sup.ref('counter')];
  const reasons: DownReason[] = [];
  // #region monitor
  const cancel = system.monitor(cache, (reason) => reasons.push(reason)); // once, on the next death
  const unlink = system.link(cache, counter); // if one goes down abnormally, so does the other
  // #endregion monitor
  unlink();
  await cache.send('put', { key: 'k', value: 'v' });
  await cache.ask('fail', 'a crash').catch(() => undefined);
  const kept = await cache.ask('get', 'k'); // onRestart kept the entries
  cancel();
  return { kept, reasons };
}

export async function poolTour(): Promise<{ one: number; squares: number[]; sums: number[]; firstBig: number | undefined }> {
  function* endless(): Generator<number> {
    for (let n = 0; ; n++) yield n;
  }
  let firstBig: number | undefined;
  // #region pool
  const pool = createPool({ tasks: mathTasks, size: 4, placement: 'thread' });
  const one = await pool.apply('square', 7); // 49, typed as number
  const squares = await pool.map('square', [1, 2, 3]); // [1, 4, 9], in input order
  const sums = await pool.starmap('add', [[1, 2], [3, 4]]); // [3, 7]
  for await (const n of pool.imap('square', endless())) {
    if (n > 100) {
      firstBig = n;
      break;
    }
  }
  pool.close();
  await pool.join();
  // #endregion pool
  return { one, squares, sums, firstBig };
}
