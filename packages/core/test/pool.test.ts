import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { createChannel, createPool, createSystem, type MultitaskError, type Pool } from '../src/index.js';
import { tasks } from './fixtures/tasks.js';
import { Faulty } from './fixtures/faulty.js';
import { Consumer, type Tagged } from './fixtures/pipeline.js';
import { codeOf, failureOf, manualClock } from './helpers.js';

const scratch = mkdtempSync(join(tmpdir(), 'multitask-pool-'));
let markers = 0;
const marker = (): string => join(scratch, `marker-${++markers}`);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe.each(['thread', 'process'] as const)('a pool of %ss', (placement) => {
  let pool: Pool<typeof tasks> | undefined;
  afterEach(async () => {
    await pool?.terminate();
    pool = undefined;
  });

  it('runs apply, run, map (ordered), starmap and broadcast with typed results', async () => {
    pool = createPool({ tasks, size: 2, placement });
    await pool.ready;
    const nine = await pool.apply('square', 3);
    expectTypeOf(nine).toEqualTypeOf<number>();
    expect(nine).toBe(9);
    expect(await pool.run('add', [2, 3])).toBe(5);
    const items = Array.from({ length: 1_000 }, (_, i) => i);
    expect(await pool.map('square', items)).toEqual(items.map((i) => i * i));
    expect(await pool.map('square', items, { chunkSize: 7 })).toEqual(items.map((i) => i * i));
    expect(await pool.map('square', [])).toEqual([]);
    expect(await pool.starmap('add', [[1, 2], [3, 4], [5, 6]])).toEqual([3, 7, 11]);
    const places = await pool.broadcast('where');
    expect(places).toHaveLength(2);
    expect(new Set(places.map((p) => (placement === 'thread' ? p.thread : p.pid))).size).toBe(2);
  });

  it('rejects a task that throws with its own error and goes on', async () => {
    pool = createPool({ tasks, size: 1, placement });
    const error = await failureOf(pool.apply('fail', 'bad input'));
    expect(error).toMatchObject({ name: 'RangeError', message: 'bad input' });
    expect(await pool.apply('square', 4)).toBe(16);
    expect(pool.metrics()).toMatchObject({ completed: 1, failed: 1, queued: 0, running: 0 });
  });

  it('replaces a worker that dies: its running task rejects with WORKER_CRASHED, tasks queued behind it run elsewhere', async () => {
    pool = createPool({ tasks, size: 2, placement });
    await pool.ready;
    const replaced = new Promise((resolve) => pool!.once('worker:replaced', resolve));
    const dying = pool.apply('exit', 3);
    const others = Array.from({ length: 20 }, (_, i) => pool!.apply('square', i));
    expect(await codeOf(dying)).toBe('WORKER_CRASHED');
    expect(await Promise.all(others)).toEqual(Array.from({ length: 20 }, (_, i) => i * i));
    await replaced;
    expect(await pool.broadcast('square', 2)).toEqual([4, 4]);
  });

  it('completes a map whose worker dies mid-way when the task may be retried, and rejects it with WORKER_CRASHED when not', async () => {
    pool = createPool({ tasks, size: 2, placement });
    const done = marker();
    writeFileSync(done, 'there'); // the items naming it succeed at once
    const items = Array.from({ length: 40 }, (_, i) => (i === 25 ? marker() : done));
    expect(await pool.map('crashOnce', items, { chunkSize: 5, retries: 1 })).toEqual(items.map(() => 'second time lucky'));
    const again = Array.from({ length: 40 }, (_, i) => (i === 25 ? marker() : done));
    expect(await codeOf(pool.map('crashOnce', again, { chunkSize: 5 }))).toBe('WORKER_CRASHED');
  });

  it('times a task out from when it starts, not from when it was queued, and replaces its worker', async () => {
    pool = createPool({ tasks, size: 1, placement });
    await pool.ready;
    const queued = pool.run('sleep', [300], { timeout: 1_000 }); // runs first, for 300 ms
    const waiting = pool.run('sleep', [100], { timeout: 500 }); // waits 300 ms, then runs 100: within its 500
    expect(await queued).toBe(300);
    expect(await waiting).toBe(100);
    expect(await codeOf(pool.run('spin', [], { timeout: 300 }))).toBe('TASK_TIMEOUT');
    expect(await pool.apply('square', 5)).toBe(25); // on the replacement worker
  });

  it('aborts a queued task and a running one (whose worker is replaced)', async () => {
    pool = createPool({ tasks, size: 1, placement });
    await pool.ready;
    const running = new AbortController();
    const queued = new AbortController();
    const first = pool.run('spin', [], { signal: running.signal });
    const second = pool.run('square', [2], { signal: queued.signal, timeout: 10_000 });
    queued.abort();
    expect(await codeOf(second)).toBe('ABORTED');
    running.abort();
    expect(await codeOf(first)).toBe('ABORTED');
    expect(await pool.apply('square', 6)).toBe(36);
    expect(await codeOf(pool.run('square', [1], { signal: AbortSignal.abort() }))).toBe('ABORTED');
  });

  it('runs the initializer on every worker before its first task', async () => {
    pool = createPool({ tasks, size: 2, placement, initializer: { task: 'configure', args: ['ready'] } });
    expect(await pool.broadcast('setting')).toEqual(['ready', 'ready']);
  });

  it('recycles a worker after maxTasksPerWorker tasks', async () => {
    pool = createPool({ tasks, size: 1, placement, maxTasksPerWorker: 3 });
    const counts: number[] = [];
    for (let i = 0; i < 7; i++) counts.push(await pool.apply('count'));
    expect(counts).toEqual([1, 2, 3, 1, 2, 3, 1]);
  });

  it('close refuses new work with POOL_CLOSED, join waits for accepted work, then the workers exit', async () => {
    pool = createPool({ tasks, size: 2, placement });
    expect(await codeOf(pool.join())).toBe('INVALID_ARGUMENT');
    const accepted = [pool.apply('sleep', 100), pool.apply('square', 3)];
    pool.close();
    expect(await codeOf(pool.apply('square', 1))).toBe('POOL_CLOSED');
    await pool.join();
    expect(await Promise.all(accepted)).toEqual([100, 9]);
    expect(pool.metrics().workers).toEqual([]);
  });

  it('terminate rejects queued and running work with POOL_CLOSED at once', async () => {
    pool = createPool({ tasks, size: 1, placement });
    await pool.ready;
    const running = codeOf(pool.apply('spin'));
    const queued = codeOf(pool.run('square', [2], { timeout: 5_000 }));
    await pool.terminate(); // the spinning worker is ended, not waited for
    expect(await running).toBe('POOL_CLOSED');
    expect(await queued).toBe('POOL_CLOSED');
    expect(await codeOf(pool.apply('square', 1))).toBe('POOL_CLOSED');
  });

  it('maxQueue: submissions beyond it wait for room, or reject with POOL_FULL; drain fires when the queue empties', async () => {
    pool = createPool({ tasks, size: 1, placement, maxQueue: 2, queueFull: 'reject' });
    await pool.ready;
    // A task with a timeout runs alone on its worker, so the two after it queue.
    const first = pool.run('sleep', [200], { timeout: 5_000 });
    const queued = [pool.run('square', [2], { timeout: 5_000 }), pool.run('square', [3], { timeout: 5_000 })];
    await new Promise((resolve) => setImmediate(resolve));
    expect(await codeOf(pool.run('square', [4], { timeout: 5_000 }))).toBe('POOL_FULL');
    const drained = new Promise<void>((resolve) => pool!.once('drain', resolve));
    await Promise.all([first, ...queued, drained]);
    await pool.terminate();

    pool = createPool({ tasks, size: 1, placement, maxQueue: 1 });
    await pool.ready;
    const slow = pool.run('sleep', [200], { timeout: 5_000 });
    const one = pool.run('square', [2], { timeout: 5_000 });
    let settled = false;
    const waiting = pool.run('square', [3], { timeout: 5_000 }).finally(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(settled).toBe(false); // waiting for room, not refused
    expect(await Promise.all([slow, one, waiting])).toEqual([200, 4, 9]);
  });

  it('terminates at the end of an await using scope, like Python\'s with Pool()', async () => {
    let escaped: Pool<typeof tasks> | undefined;
    {
      await using scoped = createPool({ tasks, size: 1, placement });
      escaped = scoped;
      expect(await scoped.apply('square', 3)).toBe(9);
    }
    expect(await codeOf(escaped.apply('square', 1))).toBe('POOL_CLOSED');
    expect(escaped.metrics().workers).toEqual([]);
  });

  it('imap yields in order and imapUnordered as results come, both from async inputs', async () => {
    pool = createPool({ tasks, size: 2, placement });
    async function* numbers(): AsyncGenerator<number> {
      for (let i = 0; i < 50; i++) yield i;
    }
    const ordered: number[] = [];
    for await (const n of pool.imap('square', numbers(), { chunkSize: 3 })) ordered.push(n);
    expect(ordered).toEqual(Array.from({ length: 50 }, (_, i) => i * i));
    // The first item waits until the other three were yielded: as they come, not in order.
    const gate = join(mkdtempSync(join(tmpdir(), 'multitask-imap-')), 'open');
    const unordered: Array<number | string> = [];
    for await (const result of pool.imapUnordered('hold', [gate, 1, 2, 3], { window: 4 })) {
      unordered.push(result);
      if (unordered.length === 3) writeFileSync(gate, '');
    }
    expect(unordered.at(-1)).toBe('released');
    expect(unordered.slice(0, 3).sort()).toEqual([1, 2, 3]);
  });
});

describe('pool behaviour', () => {
  let pool: Pool<typeof tasks> | undefined;
  afterEach(async () => {
    await pool?.terminate();
    pool = undefined;
  });

  it('imap reads a million-item input only as far as its window: memory stays flat', async () => {
    pool = createPool({ tasks, size: 2 });
    let pulled = 0;
    let cleanedUp = false;
    function* million(): Generator<number> {
      try {
        for (let i = 0; i < 1_000_000; i++) {
          pulled++;
          yield i;
        }
      } finally {
        cleanedUp = true;
      }
    }
    let taken = 0;
    let ahead = 0;
    let sum = 0;
    for await (const square of pool.imap('square', million(), { chunkSize: 1_000, window: 4 })) {
      taken++;
      sum += square % 7;
      ahead = Math.max(ahead, pulled - taken);
    }
    expect(taken).toBe(1_000_000);
    expect(sum).toBeGreaterThan(0);
    expect(ahead).toBeLessThanOrEqual(5 * 1_000);
    expect(cleanedUp).toBe(true);

    // Leaving early stops reading, and closes the input.
    pulled = 0;
    cleanedUp = false;
    for await (const square of pool.imap('square', million(), { chunkSize: 10, window: 2 })) if (square > 100) break;
    expect(pulled).toBeLessThanOrEqual(11 + 3 * 10);
    expect(cleanedUp).toBe(true);
  });

  it('imap and imapUnordered yield the results of the items read before the input throws, then throw its error', async () => {
    pool = createPool({ tasks, size: 2 });
    function* threeThenThrow(): Generator<number> {
      yield* [1, 2, 3];
      throw new RangeError('the input broke');
    }
    async function* slowThreeThenThrow(): AsyncGenerator<number> {
      for (const n of [1, 2, 3]) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        yield n;
      }
      throw new RangeError('the input broke');
    }
    const inputs = [threeThenThrow, slowThreeThenThrow];
    for (const [input, method, chunkSize] of inputs.flatMap((input) => (['imap', 'imapUnordered'] as const).flatMap((method) => [1, 2].map((size) => [input, method, size] as const)))) {
      const got: number[] = [];
      const error = await failureOf((async () => {
        for await (const n of pool![method]('square', input(), { chunkSize })) got.push(n);
      })());
      expect({ input: input.name, method, chunkSize, got: [...got].sort((a, b) => a - b), error: error.message }).toEqual({ input: input.name, method, chunkSize, got: [1, 4, 9], error: 'the input broke' });
    }
  });

  it('imap yields a result without waiting for a slow input to produce the next item', async () => {
    pool = createPool({ tasks, size: 2 });
    const events: string[] = [];
    let release: () => void = () => undefined;
    const firstTaken = new Promise<void>((resolve) => (release = resolve));
    async function* slow(): AsyncGenerator<number> {
      yield 2;
      // Waits for the loop to take the first result (a fallback ends the wait if it never does).
      let fallback: NodeJS.Timeout | undefined;
      await Promise.race([firstTaken, new Promise((resolve) => (fallback = setTimeout(resolve, 5_000)))]);
      clearTimeout(fallback);
      events.push('read the second item');
      yield 3;
    }
    for await (const n of pool.imap('square', slow())) {
      events.push(`took ${n}`);
      release();
    }
    expect(events).toEqual(['took 4', 'read the second item', 'took 9']);
  });

  it('map and starmap reject, never throw, when their input throws or is not iterable', async () => {
    pool = createPool({ tasks, size: 1 });
    const broken: Iterable<number> = {
      [Symbol.iterator]: () => ({
        next: () => {
          throw new RangeError('the input broke');
        },
      }),
    };
    const outcome = (call: () => Promise<unknown>): Promise<string> => {
      try {
        return call().then(() => 'resolved', (error: Error & { code?: string }) => `rejected: ${error.code ?? error.message}`);
      } catch (error) {
        return Promise.resolve(`threw: ${(error as Error).message}`);
      }
    };
    expect(await outcome(() => pool!.map('square', broken))).toBe('rejected: the input broke');
    expect(await outcome(() => pool!.starmap('add', broken as unknown as Iterable<[number, number]>))).toBe('rejected: the input broke');
    expect(await outcome(() => pool!.map('square', 5 as unknown as number[]))).toBe('rejected: INVALID_ARGUMENT');
    expect(await outcome(() => pool!.starmap('add', null as unknown as Array<[number, number]>))).toBe('rejected: INVALID_ARGUMENT');
    expect(await outcome(() => pool!.imap('square', 5 as unknown as number[]).next())).toBe('rejected: INVALID_ARGUMENT');
    expect(await outcome(() => pool!.run('add', 2 as unknown as [number, number]))).toBe('rejected: INVALID_ARGUMENT');
    expect(await outcome(() => pool!.broadcast('nope' as 'square', 1))).toBe('rejected: INVALID_ARGUMENT');
    expect(await outcome(() => (pool!.spawn as (definition: unknown) => Promise<unknown>)({}))).toBe('rejected: INVALID_ARGUMENT');
    expect(await pool.map('square', [1, 2])).toEqual([1, 4]);
  });

  it('rejects bad call options with INVALID_ARGUMENT naming the option, on every call that returns a promise', async () => {
    pool = createPool({ tasks, size: 1 });
    const bad: Array<[string, unknown]> = [
      ['options.timeout must be a positive number of milliseconds', { timeout: Number.NaN }],
      ['options.timeout must be a positive number of milliseconds', { timeout: -1 }],
      ['options.timeout must be a positive number of milliseconds', { timeout: 0 }],
      ['options.timeout must be a positive number of milliseconds', { timeout: '5' }],
      ['options.signal must be an AbortSignal', { signal: {} }],
      ['options.retries must be an integer ≥ 0', { retries: 0.5 }],
      ['options must be an object', null],
    ];
    for (const [message, options] of bad) {
      const calls: Array<[string, () => Promise<unknown>]> = [
        ['run', () => pool!.run('square', [1], options as never)],
        ['map', () => pool!.map('square', [1], options as never)],
        ['starmap', () => pool!.starmap('add', [[1, 2]], options as never)],
        ['imap', () => pool!.imap('square', [1], options as never).next()],
        ['imapUnordered', () => pool!.imapUnordered('square', [1], options as never).next()],
      ];
      for (const [name, call] of calls) {
        const error = await failureOf(call());
        expect({ name, code: error.code, message: error.message }).toEqual({ name, code: 'INVALID_ARGUMENT', message });
      }
    }
    expect((await failureOf(pool.map('square', [1], { chunkSize: 1.5 }))).message).toBe('options.chunkSize must be a positive integer');
    expect((await failureOf(pool.imap('square', [1], { window: 0 }).next())).message).toBe('options.window must be a positive integer');
  });

  it('takes timeout: Infinity as no limit, also over the pool\'s taskTimeout', async () => {
    pool = createPool({ tasks, size: 1, taskTimeout: 60_000 });
    expect(await pool.run('sleep', [20], { timeout: Infinity })).toBe(20);
    await pool.terminate();
    pool = createPool({ tasks, size: 1, taskTimeout: Infinity });
    expect(await pool.apply('sleep', 20)).toBe(20);
  });

  it('reports metrics: counts, per-worker utilisation, run and wait percentiles', async () => {
    const clock = manualClock();
    pool = createPool({ tasks, size: 2, clock });
    await pool.ready;
    await pool.map('square', Array.from({ length: 100 }, (_, i) => i), { chunkSize: 10 });
    await pool.apply('fail', 'x').catch(() => undefined);
    const metrics = pool.metrics();
    expect(metrics).toMatchObject({ queued: 0, running: 0, completed: 10, failed: 1 });
    expect(metrics.workers).toHaveLength(2);
    expect(metrics.workers.reduce((n, w) => n + w.completed, 0)).toBe(11);
    expect(metrics.runTime).toEqual({ p50: 0, p90: 0, p99: 0 }); // the manual clock did not move
    expect(metrics.waitTime.p99).toBe(0);
  });

  it('refuses bad calls at the call site with a code and keeps what it accepted', async () => {
    pool = createPool({ tasks, size: 1 });
    const fine = pool.apply('square', 9);
    expect(await codeOf(pool.apply('nope' as 'square', 1))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(pool.apply('square', (() => 1) as unknown as number))).toBe('NOT_SERIALIZABLE');
    expect(await codeOf(pool.map('square', [1], { chunkSize: 0 }))).toBe('INVALID_ARGUMENT');
    expect(() => createPool({ tasks, size: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => createPool({ tasks: {} as typeof tasks })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(await fine).toBe(81);
    // @ts-expect-error -- square takes a number
    void pool.apply('square', 'nine').catch(() => undefined);
    // @ts-expect-error -- add takes two arguments: map needs a one-argument task
    void pool.map('add', [1]).catch(() => undefined);
    // @ts-expect-error -- no such task
    void pool.apply('cube', 2).catch(() => undefined);
  });

  it('fails every call with SPAWN_FAILED when the task module cannot load', async () => {
    const broken = { ...tasks, url: new URL('./fixtures/missing.js', import.meta.url).href };
    pool = createPool({ tasks: broken, size: 1 });
    expect(await codeOf(pool.ready)).toBe('SPAWN_FAILED');
    expect(await codeOf(pool.apply('square', 1))).toBe('SPAWN_FAILED');
    expect(existsSync(scratch)).toBe(true);
  });
});

describe('actors on a pool', () => {
  let pool: Pool<typeof tasks> | undefined;
  afterEach(async () => {
    await pool?.terminate();
    pool = undefined;
  });

  it.each(['thread', 'process'] as const)('places actors on the least loaded %s workers (M:N) beside tasks, and restarts them elsewhere when a worker dies', async (placement) => {
    pool = createPool({ tasks, size: 2, placement });
    const actors = await Promise.all([1, 2, 3, 4].map((start) => pool!.spawn(Faulty, { args: { label: `pool-${placement}-${start}`, start } })));
    const key = (w: { pid: number; thread: number }): string => `${w.pid}/${w.thread}`;
    const homes = await Promise.all(actors.map((a) => a.ask('where')));
    expect(new Set(homes.map(key)).size).toBe(2); // four actors on two workers
    expect(await pool.map('square', [1, 2, 3])).toEqual([1, 4, 9]);

    // A handler that throws restarts its actor where it is.
    actors[0]!.tell('add', 10);
    actors[0]!.tell('boom', 'in a pool actor');
    expect(await actors[0]!.ask('get')).toBe(1);
    expect(key(await actors[0]!.ask('where'))).toBe(key(homes[0]!));

    // A worker that dies takes its actors down; they restart on the workers left, same refs.
    const doomed = key(homes[1]!);
    expect(await codeOf(actors[1]!.ask('exit', 1))).toBe('WORKER_CRASHED');
    for (const [i, actor] of actors.entries()) {
      expect(await actor.ask('get')).toBe(i + 1); // init ran again where the worker died
      expect(key(await actor.ask('where'))).not.toBe(doomed);
    }
    expect(await pool.apply('square', 7)).toBe(49);
  });

  it('places by the actors a worker runs now: after actors stop, the next goes to the worker they left', async () => {
    await using system = createSystem({ shutdownTimeout: 1_000 });
    pool = createPool({ tasks, size: 2, placement: 'thread', system });
    const key = (w: { pid: number; thread: number }): string => `${w.pid}/${w.thread}`;
    const first = await pool.spawn(Faulty, { args: { label: 'first' } });
    const second = await pool.spawn(Faulty, { args: { label: 'second' } });
    const third = await pool.spawn(Faulty, { args: { label: 'third' } });
    const [one, two, three] = await Promise.all([first, second, third].map((actor) => actor.ask('where')));
    expect(key(one!)).not.toBe(key(two!));
    expect(key(three!)).toBe(key(one!)); // two on the first worker, one on the other
    await system.stop(first);
    await system.stop(third);
    const next = await pool.spawn(Faulty, { args: { label: 'next' } });
    expect(key(await next.ask('where'))).toBe(key(one!)); // it runs none now, the other one
  });

  it('ends the channel loop of an actor stopped on a shared worker (ctx.signal): items sent after go to the others', async () => {
    await using system = createSystem({ shutdownTimeout: 1_000 });
    pool = createPool({ tasks, size: 1, placement: 'thread', system });
    const channel = createChannel<Tagged>();
    const consumer = await pool.spawn(Consumer, { args: { in: channel.receiver } });
    const looping = codeOf(consumer.ask('drainWhileRunning', undefined, { timeout: 60_000 }));
    await channel.send({ producer: 'main', n: 0 });
    for (let i = 0; i < 1000 && channel.size > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(channel.size).toBe(0); // the loop took it, and waits for the next
    await system.stop(consumer);
    for (let n = 1; n <= 5; n++) await channel.send({ producer: 'main', n });
    const got: number[] = [];
    for (let n = 1; n <= 5; n++) got.push((await channel.receive({ timeout: 10_000 }).catch((error: MultitaskError) => ({ n: error.code }))).n as number);
    expect(got).toEqual([1, 2, 3, 4, 5]); // none went to the stopped loop
    expect(await looping).toBe('ABORTED');
  });

  it('gives a restarted actor a fresh ctx.signal, after the crashed one fired', async () => {
    pool = createPool({ tasks, size: 1, placement: 'thread' });
    const actor = await pool.spawn(Faulty, { args: { label: 'signal' } });
    await actor.ask('keepSignal');
    expect(await actor.ask('signals')).toEqual({ kept: false, now: false });
    actor.tell('boom', 'restart me');
    expect(await actor.ask('signals')).toEqual({ kept: true, now: false });
  });
});
