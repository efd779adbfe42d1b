import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, createSystem, defineTasks, type ActorSystem } from '../src/index.js';
import { remoteWorker } from '../src/pool/PoolWorker.js';
import { startThreeNodes, until, within, type NodeProcess, type ThreeNodes } from './clusterNodes.js';
import { failureOf } from './helpers.js';
import { tasks } from './fixtures/tasks.js';

describe('a pool whose workers live on several nodes', () => {
  let three: ThreeNodes;
  let a: ActorSystem;
  let b: NodeProcess;
  let c: NodeProcess;
  let files: string;
  beforeAll(async () => {
    files = mkdtempSync(join(tmpdir(), 'multitask-pool-'));
    three = await startThreeNodes('pools', [tasks]);
    ({ a, b, c } = three);
  });
  afterAll(async () => {
    await three?.close();
    rmSync(files, { recursive: true, force: true });
  });

  it('runs apply, run, map, starmap, imap, imapUnordered and broadcast on the workers of every node, with metrics per node', async () => {
    await using pool = createPool({ tasks, system: a, nodes: { a: 1, b: 2 } });
    await pool.ready;
    expect(pool.size).toBe(3);
    expect(await pool.apply('square', 7)).toBe(49);
    expect(await pool.run('add', [2, 3])).toBe(5);
    const numbers = Array.from({ length: 2_000 }, (_, i) => i);
    expect(await pool.map('square', numbers)).toEqual(numbers.map((n) => n * n));
    expect(await pool.starmap('add', [[1, 2], [3, 4]])).toEqual([3, 7]);
    const ordered: number[] = [];
    for await (const n of pool.imap('square', numbers.slice(0, 200), { chunkSize: 7 })) ordered.push(n);
    expect(ordered).toEqual(numbers.slice(0, 200).map((n) => n * n));
    const unordered: number[] = [];
    for await (const n of pool.imapUnordered('square', numbers.slice(0, 200))) unordered.push(n);
    expect(unordered.sort((x, y) => x - y)).toEqual(numbers.slice(0, 200).map((n) => n * n));
    const where = await pool.broadcast('where');
    expect(where.map((w) => w.pid).sort()).toEqual([process.pid, b.pid, b.pid].sort()); // every worker of every node
    const metrics = pool.metrics();
    expect(metrics.nodes.map((n) => [n.node, n.workers]).sort()).toEqual([['a', 1], ['b', 2]]);
    expect(metrics.nodes.find((n) => n.node === 'b')?.roundTrip).toBeGreaterThan(0);
    expect(metrics.workers.filter((w) => w.node === 'b')).toHaveLength(2);
    expect(metrics.nodes.reduce((sum, n) => sum + n.completed, 0)).toBe(metrics.completed);
  });

  it("sends work to another node's workers when this node has none, and 'serving' takes every node that serves the set", async () => {
    await using remote = createPool({ tasks, system: a, nodes: ['b', 'c'], size: 1 });
    const pids = new Set((await remote.broadcast('where')).map((w) => w.pid));
    expect(pids).toEqual(new Set([b.pid, c.pid]));
    await using serving = createPool({ tasks, system: a, nodes: 'serving', size: 1 });
    await serving.ready;
    expect(serving.metrics().nodes.map((n) => n.node).sort()).toEqual(['a', 'b', 'c']);
  });

  it('a node that joins later gets workers: by following membership, or by resize', async () => {
    await using serving = createPool({ tasks, system: a, nodes: 'serving', size: 1 });
    await using sized = createPool({ tasks, system: a, nodes: { a: 1 } });
    await serving.ready;
    await sized.resize(2, 'late'); // not there yet: its workers start when it joins
    await using local = createPool({ tasks, system: a, size: 1 }); // of this node only, until resized onto others
    const listening = a.listenerCount('node:up');
    await local.resize(1, 'late');
    await local.resize(1, 'late');
    expect(a.listenerCount('node:up')).toBe(listening + 1); // one listener however often it is resized
    const late = await three.more('late');
    await until(() => serving.metrics().nodes.some((n) => n.node === 'late' && n.workers === 1), 15_000, "a worker of 'serving' on the late node");
    await until(() => sized.metrics().nodes.some((n) => n.node === 'late' && n.workers === 2), 15_000, 'two workers of the resized pool on the late node');
    expect((await sized.broadcast('where')).filter((w) => w.pid === late.pid)).toHaveLength(2);
    await sized.resize(0, 'late');
    expect(sized.size).toBe(1);
    await until(() => sized.metrics().workers.every((w) => w.node === 'a'), 15_000, 'the late workers to retire');
    await late.kill();
  });

  it('times a task out on another node and replaces its worker there, and recycles workers there after maxTasksPerWorker', async () => {
    await using pool = createPool({ tasks, system: a, nodes: { b: 1 }, maxTasksPerWorker: 2 });
    const replaced = new Promise((resolve) => pool.once('worker:replaced', resolve));
    expect((await failureOf(pool.run('spin', [], { timeout: 300 }))).code).toBe('TASK_TIMEOUT');
    await within(replaced, 15_000, 'the replacement');
    expect(await pool.apply('square', 3)).toBe(9); // on the new worker
    const threads = new Set<number>();
    for (let i = 0; i < 6; i++) threads.add((await pool.apply('where')).thread);
    expect(threads.size).toBeGreaterThanOrEqual(3); // a fresh thread every two tasks
    expect(pool.metrics().nodes.find((n) => n.node === 'b')?.workers).toBe(1);
  });

  it('retries the tasks of a node killed mid-run on the nodes left, and puts those sent ahead to it back in line', async () => {
    const doomed = await three.more('doomed');
    await using pool = createPool({ tasks, system: a, nodes: { doomed: 1, c: 1 } });
    await pool.ready;
    const release = join(files, 'retry');
    const held = Array.from({ length: 4 }, () => pool.run('hold', [release], { retries: 1 }));
    await until(() => pool.metrics().nodes.find((n) => n.node === 'doomed')!.running > 0, 10_000, 'a task running on the doomed node');
    await doomed.kill();
    await until(() => pool.metrics().nodes.find((n) => n.node === 'doomed')!.workers === 0, 15_000, 'the doomed workers to be gone');
    writeFileSync(release, 'go');
    expect(await within(Promise.all(held), 15_000, 'the held tasks')).toEqual(['released', 'released', 'released', 'released']);
    expect(pool.metrics().nodes.find((n) => n.node === 'c')!.workers).toBe(1); // no worker of the dead node came back elsewhere
  });

  it("rejects a task running on a node that dies with NODE_DOWN, and what is queued once none of the pool's nodes is left", async () => {
    const doomed = await three.more('lonely');
    await using pool = createPool({ tasks, system: a, nodes: { lonely: 1 } });
    await pool.ready;
    const running = failureOf(pool.run('hold', [join(files, 'never')]));
    const queued = Array.from({ length: 5 }, () => failureOf(pool.run('hold', [join(files, 'never')])));
    await until(() => pool.metrics().running > 0, 10_000, 'a task running on the node');
    await doomed.kill();
    expect((await within(running, 15_000, 'the running task')).code).toBe('NODE_DOWN');
    for (const failure of await Promise.all(queued)) expect(failure.code).toBe('NODE_DOWN');
    expect((await failureOf(pool.apply('square', 2))).code).toBe('NODE_DOWN');
  });

  it('starts a pool worker on another node from that node\'s own copy of the task module, never from a path it was sent', async () => {
    const forged = remoteWorker({ ...tasks, url: 'file:///nowhere/evil/tasks.ts' });
    const worker = await a.spawn(forged, { placement: { node: 'b', in: 'thread' }, args: { url: 'file:///nowhere/evil/tasks.ts', name: 'tasks', initializer: undefined } });
    expect(await worker.ask('run', { task: 'square', args: [9] })).toBe(81);
    expect((await worker.ask('run', { task: 'where', args: [] })) as { pid: number }).toMatchObject({ pid: b.pid });
    await a.stop(worker);
  });

  it("refuses a pool on a node that does not serve the task set with SPAWN_FAILED, naming the set's key", async () => {
    await three.more('bare', { bare: true });
    await using pool = createPool({ tasks, system: a, nodes: { bare: 1 } });
    const failure = await failureOf(pool.ready);
    expect(failure.code).toBe('SPAWN_FAILED');
    expect(failure.message).toContain("'tasks/tasks'");
  });
});

describe('pool options for nodes', () => {
  it('refuses nodes without a system, an empty list, bad counts, and size beside counts, with INVALID_ARGUMENT', async () => {
    await using system = createSystem();
    const code = (f: () => unknown): string | undefined => {
      try {
        f();
        return undefined;
      } catch (error) {
        return (error as { code?: string }).code;
      }
    };
    expect(code(() => createPool({ tasks, nodes: ['a'] }))).toBe('INVALID_ARGUMENT');
    expect(code(() => createPool({ tasks, system, nodes: [] }))).toBe('INVALID_ARGUMENT');
    expect(code(() => createPool({ tasks, system, nodes: { a: -1 } }))).toBe('INVALID_ARGUMENT');
    expect(code(() => createPool({ tasks, system, nodes: { a: 0 } }))).toBe('INVALID_ARGUMENT');
    expect(code(() => createPool({ tasks, system, nodes: { a: 1 }, size: 2 }))).toBe('INVALID_ARGUMENT');
    expect(code(() => createPool({ tasks, system, nodes: 'everywhere' as never }))).toBe('INVALID_ARGUMENT');
    const twin = defineTasks(tasks.url, { other: () => 0 }); // the same key: module file name and set name
    expect(code(() => createSystem({ serve: [tasks, twin] }))).toBe('INVALID_ARGUMENT');
    expect(code(() => createSystem({ serve: [tasks, tasks] }))).toBeUndefined(); // the same set twice is one
  });
});
