import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ActorRef, createSystem, defineActor, type ActorSystem, type MultitaskError, type DownReason } from '../src/index.js';
import { Counter } from './fixtures/counter.js';
import { compiled, failureOf } from './helpers.js';
import { Probe } from './fixtures/probe.js';

describe('actors on threads and processes', () => {
  let system: ActorSystem;

  beforeEach(() => {
    system = createSystem({ shutdownTimeout: 1_000 });
  });

  afterEach(async () => {
    await system.shutdown();
  });

  it('passes refs in spawn arguments between a thread actor and a process actor, both ways', async () => {
    const inProcess = await system.spawn(Counter, { placement: 'process', args: 0 });
    const inThread = await system.spawn(Counter, { placement: 'thread', args: 100 });
    const threadToProcess = await system.spawn(Probe, { placement: 'thread', args: { peer: inProcess } });
    const processToThread = await system.spawn(Probe, { placement: 'process', args: { peer: inThread } });
    await expect(threadToProcess.ask('addToPeer', 5)).resolves.toBe(5);
    await expect(processToThread.ask('addToPeer', 7)).resolves.toBe(107);
    expect(await inProcess.ask('get')).toBe(5);
    expect(await inThread.ask('get')).toBe(107);
  });

  it.each(['thread', 'process'] as const)('carries refs used as Map keys, and refs inside class instances, to a %s and back', async (placement) => {
    const counter = await system.spawn(Counter, { args: 5 });
    const echo = await system.spawn(Probe, { placement });
    const keyed = (await echo.ask('echo', new Map([[counter, 'the counter']]))) as Map<unknown, string>;
    const [key] = [...keyed.keys()];
    expect(key).toBeInstanceOf(ActorRef);
    expect(keyed.get(key)).toBe('the counter');
    expect(await (key as typeof counter).ask('get')).toBe(5);
    class Box {
      constructor(readonly ref: typeof counter) {}
    }
    const boxed = (await echo.ask('echo', new Box(counter))) as { ref: unknown };
    expect(boxed.ref).toBeInstanceOf(ActorRef); // the instance arrives as a plain object, as structured clone carries it
    expect(await (boxed.ref as typeof counter).ask('get')).toBe(5);
  });

  it('carries values that JSON would change to a process and back as structured clone does', async () => {
    const echo = await system.spawn(Probe, { placement: 'process' });
    const shared = { n: 1 };
    const sparse = [1, , 3]; // a hole at 1
    const value = { missing: undefined, negativeZero: -0, nan: Number.NaN, sparse, twice: [shared, shared], when: new Date(5), big: 2n ** 70n, long: 'x'.repeat(40_000) };
    const back = (await echo.ask('echo', value)) as typeof value;
    expect(back).toEqual(value);
    expect('missing' in back).toBe(true);
    expect(Object.is(back.negativeZero, -0)).toBe(true);
    expect(1 in back.sparse).toBe(false);
    expect(back.twice[0]).toBe(back.twice[1]);
    await expect(echo.ask('echo', undefined)).resolves.toBeUndefined();
    await expect(echo.ask('echo', [undefined, 'line\nbreak\u2028', '\ud800'])).resolves.toEqual([undefined, 'line\nbreak\u2028', '\ud800']);
  });

  it('passes refs inside messages to actors on any placement, and refs come back in replies', async () => {
    const targets = await Promise.all((['inline', 'thread', 'process'] as const).map((placement) => system.spawn(Counter, { placement, args: 0 })));
    const couriers = await Promise.all((['inline', 'thread', 'process'] as const).map((placement) => system.spawn(Probe, { placement })));
    for (const courier of couriers) {
      for (const [i, target] of targets.entries()) await courier.ask('addVia', { target, by: i + 1 });
    }
    expect(await Promise.all(targets.map((target) => target.ask('get')))).toEqual([3, 6, 9]);
    const self = await couriers[1]!.ask('self');
    expect(self.id).toBe(couriers[1]!.id);
    await expect(self.ask('echo' as never, 'via a returned ref' as never)).resolves.toBe('via a returned ref');
  });

  it('rejects a pending ask with WORKER_CRASHED when the child process is killed with SIGKILL', async () => {
    const probe = await system.spawn(Probe, { placement: 'process' });
    const stopped = new Promise<DownReason>((resolve) => system.once('actor:stopped', (_ref, reason) => resolve(reason)));
    const { pid } = await probe.ask('where');
    const pending = failureOf<MultitaskError>(probe.ask('hang'));
    process.kill(pid, 'SIGKILL');
    const error = await pending;
    expect(error.code).toBe('WORKER_CRASHED');
    expect(error.message).toContain('SIGKILL');
    expect(await stopped).toMatchObject({ kind: 'signal', signal: 'SIGKILL' });
    await expect(probe.ask('where')).rejects.toMatchObject({ code: 'WORKER_CRASHED' });
  });

  it.each(['thread', 'process'] as const)('reports a %s that calls process.exit as a crash with its exit code', async (placement) => {
    const probe = await system.spawn(Probe, { placement });
    const stopped = new Promise<DownReason>((resolve) => system.once('actor:stopped', (_ref, reason) => resolve(reason)));
    const pending = failureOf<MultitaskError>(probe.ask('exit', 3));
    expect((await pending).code).toBe('WORKER_CRASHED');
    expect(await stopped).toMatchObject({ kind: 'exit', code: 3 });
  });

  it('reports a thread that runs past its resourceLimits as out-of-memory and rejects its pending ask', async () => {
    const probe = await system.spawn(Probe, { placement: 'thread', resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 8 } });
    const stopped = new Promise<DownReason>((resolve) => system.once('actor:stopped', (_ref, reason) => resolve(reason)));
    const error = await failureOf<MultitaskError>(probe.ask('hog'));
    expect(error.code).toBe('WORKER_CRASHED');
    expect(error.message).toContain('out of memory');
    expect((await stopped).kind).toBe('out-of-memory');
  });

  it.each(['thread', 'process'] as const)('fails the spawn with SPAWN_FAILED naming a missing module on a %s', async (placement) => {
    const missing = defineActor({ url: new URL('./fixtures/no-such-module.ts', import.meta.url).href, name: 'Ghost', init: () => null, handlers: {} });
    const error = await failureOf<MultitaskError>(system.spawn(missing, { placement }));
    expect(error.code).toBe('SPAWN_FAILED');
    expect(error.message).toContain('no-such-module.ts');
  });

  it.each(['thread', 'process'] as const)('fails the spawn with SPAWN_FAILED naming a missing export on a %s', async (placement) => {
    const renamed = defineActor({ ...Counter, name: 'NotExported' });
    const error = await failureOf<MultitaskError>(system.spawn(renamed, { placement, args: 0 }));
    expect(error.code).toBe('SPAWN_FAILED');
    expect(error.message).toContain("no actor definition named 'NotExported'");
    expect(error.message).toContain(fileURLToPath(Counter.url));
  });

  it('refuses spawn arguments that cannot be cloned with NOT_SERIALIZABLE', async () => {
    const error = await failureOf<MultitaskError>(system.spawn(Counter, { placement: 'thread', args: (() => 1) as unknown as number }));
    expect(error.code).toBe('NOT_SERIALIZABLE');
  });

  it('moves messages between two thread actors over a direct channel, in order, bypassing the main thread', async () => {
    const target = await system.spawn(Counter, { placement: 'thread', args: 0 });
    const courier = await system.spawn(Probe, { placement: 'thread' });
    const totals = await Promise.all(Array.from({ length: 100 }, () => courier.ask('addVia', { target, by: 1 })));
    expect(totals).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(system.forwardedCount).toBe(0);
  });

  it('routes messages between a thread actor and a process actor through the main thread', async () => {
    const target = await system.spawn(Counter, { placement: 'process', args: 0 });
    const courier = await system.spawn(Probe, { placement: 'thread' });
    await courier.ask('addVia', { target, by: 1 });
    expect(system.forwardedCount).toBeGreaterThan(0);
  });
});

describe('a script that shuts its system down', () => {
  it('exits by itself, with no handle left open (a supervised thread and its spare, pools, included)', () => {
    const script = compiled(new URL('./fixtures/exits.ts', import.meta.url));
    const run = spawnSync(process.execPath, [...process.execArgv, script], { encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim().split('\n')).toEqual(['3 3 3 3', '1,4,9 3', '1,4,9 3']);
    expect(run.status).toBe(0);
  });

  it('starts its threads when node runs with per-process flags such as --max-old-space-size', () => {
    const script = compiled(new URL('./fixtures/exits.ts', import.meta.url));
    const run = spawnSync(process.execPath, ['--max-old-space-size=512', '--expose-gc', ...process.execArgv, script], { encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim().split('\n')).toEqual(['3 3 3 3', '1,4,9 3', '1,4,9 3']);
    expect(run.status).toBe(0);
  });
});
