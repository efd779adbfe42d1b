// The multitask side of the "Coming from Python" guide, one region per Python API.
import { ChannelEmptyError, ChannelFullError, createChannel, createPool, createSystem } from '@multitask/core';
import { Greeter } from './greeter.js';
import { mathTasks } from './mathTasks.js';

export async function fromPython(): Promise<Record<string, unknown>> {
  const seen: Record<string, unknown> = {};
  {
    // #region process
    await using system = createSystem();
    // Process(target=f, args=('Hello',)); p.start()
    const p = await system.spawn(Greeter, { placement: 'process', args: 'Hello' });
    // os.getpid() inside the child
    const childPid = await p.ask('pid');
    // p.join(): stop it (onStop runs), or let `await using` shut everything down
    await system.stop(p);
    // #endregion process
    seen.childPid = childPid !== process.pid;
  }
  {
    // #region queue
    const q = createChannel<number>({ capacity: 2 }); // Queue(maxsize=2)
    await q.send(1); // q.put(1): waits while the channel is full
    await q.send(2);
    const full = q.isFull(); // q.full() -> true
    const size = q.size; // q.qsize() -> 2
    const refused = await q.trySend(3).catch((error: unknown) => error instanceof ChannelFullError); // q.put_nowait(3) raises Full
    const first = await q.receive(); // q.get(): waits while the channel is empty
    const second = await q.tryReceive(); // q.get_nowait()
    const empty = q.isEmpty(); // q.empty() -> true
    const missing = await q.tryReceive().catch((error: unknown) => error instanceof ChannelEmptyError); // raises Empty
    // #endregion queue
    Object.assign(seen, { full, size, refused, first, second, empty, missing });
  }
  {
    // #region manager
    await using system = createSystem();
    // Manager().Queue() shared by processes: a channel handed to actors on any placement
    const shared = createChannel<string>({ capacity: 16 });
    const producer = await system.spawn(Greeter, { placement: 'process', args: 'Hello' });
    await shared.send(await producer.ask('greet', 'queue'));
    shared.close();
    const received: string[] = [];
    for await (const item of shared) received.push(item); // ends when closed and drained
    // #endregion manager
    seen.received = received;
  }
  {
    // #region pool
    const pool = createPool({ tasks: mathTasks, size: 3 }); // Pool(3)
    const later = pool.apply('square', 4); // apply_async(square, (4,)): a promise
    const mapped = await pool.map('square', [1, 2, 3]); // pool.map(square, [1, 2, 3])
    pool.close(); // pool.close()
    await pool.join(); // pool.join()
    // #endregion pool
    Object.assign(seen, { later: await later, mapped });
  }
  return seen;
}

/** The process and manager samples without `await using`, as plain JavaScript on Node 20 writes them. */
export async function fromPythonWithoutUsing(): Promise<{ childPid: boolean; received: unknown[] }> {
  let childPid = 0;
  const received: unknown[] = [];
  {
    // #region process-finally
    const system = createSystem();
    try {
      const p = await system.spawn(Greeter, { placement: 'process', args: 'Hello' });
      childPid = await p.ask('pid');
      await system.stop(p); // p.join()
    } finally {
      await system.shutdown();
    }
    // #endregion process-finally
  }
  {
    // #region manager-finally
    const system = createSystem();
    try {
      const shared = createChannel({ capacity: 16 });
      const producer = await system.spawn(Greeter, { placement: 'process', args: 'Hello' });
      await shared.send(await producer.ask('greet', 'queue'));
      shared.close();
      for await (const item of shared) received.push(item);
    } finally {
      await system.shutdown();
    }
    // #endregion manager-finally
  }
  return { childPid: childPid !== process.pid, received };
}
