import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { child, createSystem, type ActorSystem, type Clock } from '../src/index.js';
import { comlinkActor } from '../src/interop/comlink.js';
import { Legacy } from './fixtures/legacyActor.js';
import { codeOf, compiled, failureOf, nextEvent } from './helpers.js';

/** A clock whose timers fire only when the test says, and which tells when one was set. */
function steppedClock(): Clock & { readonly timerSet: Promise<void>; fire(): void } {
  const timers = new Map<object, () => void>();
  let set!: () => void;
  const timerSet = new Promise<void>((resolve) => (set = resolve));
  return {
    timerSet,
    now: () => 0,
    setTimeout(fn) {
      const handle = {};
      timers.set(handle, fn);
      set();
      return handle;
    },
    clearTimeout: (handle) => void timers.delete(handle as object),
    fire() {
      for (const fn of [...timers.values()]) fn();
      timers.clear();
    },
  };
}

describe('comlinkActor: a worker script that calls Comlink.expose, adopted as an actor', () => {
  let system: ActorSystem | undefined;
  afterEach(async () => {
    await system?.shutdown();
    system = undefined;
  });

  it("calls the exposed object's methods, each message's payload being the argument list", async () => {
    system = createSystem();
    const legacy = await system.spawn(Legacy);
    expect(await legacy.ask('add', [1, 2])).toBe(3);
    expect(await legacy.ask('greet', ['Ann'])).toBe('hello, Ann');
    expect(await legacy.ask('inc')).toBe(1);
    expect(await legacy.ask('inc', [5])).toBe(6);
    legacy.tell('inc', [4]);
    expect(await legacy.ask('get')).toBe(10);
  });

  it('handles its messages one at a time: calls never overlap in the worker', async () => {
    system = createSystem();
    const legacy = await system.spawn(Legacy);
    const labels = ['a', 'b', 'c', 'd'];
    expect(await Promise.all(labels.map((label) => legacy.ask('slow', [2, label])))).toEqual(labels);
    expect(await legacy.ask('mostActive')).toBe(1);
  });

  it('hands the spawn arguments to the worker as workerData', async () => {
    system = createSystem();
    const legacy = await system.spawn(Legacy, { args: { workerData: { scale: 2 } } });
    expect(await legacy.ask('data')).toEqual({ scale: 2 });
  });

  it("rejects a method's error with the name and message comlink carries; an unsupervised actor goes on", async () => {
    system = createSystem();
    const legacy = await system.spawn(Legacy);
    const error = await failureOf(legacy.ask('fail', ['out of range']));
    expect(error.name).toBe('RangeError');
    expect(error.message).toBe('out of range');
    expect(await legacy.ask('add', [2, 2])).toBe(4);
  });

  it('rejects a payload that is not an argument list with INVALID_ARGUMENT', async () => {
    system = createSystem();
    const legacy = await system.spawn(Legacy);
    expect(await codeOf(legacy.ask('greet', 'Ann' as never))).toBe('INVALID_ARGUMENT');
  });

  it('rejects the ask in flight with WORKER_CRASHED when the worker dies, and its supervisor restarts it with a fresh worker', async () => {
    system = createSystem();
    const sup = await system.supervise({ children: [child('legacy', Legacy)] });
    const legacy = sup.ref('legacy');
    const before = await legacy.ask('threadId');
    const crashed = nextEvent(system, 'actor:crashed');
    const restarted = nextEvent(system, 'actor:restarted');
    legacy.tell('inc', [1]);
    const dying = legacy.ask('exit', [3]);
    const queued = legacy.ask('inc', [10]); // waits in the mailbox behind the crash
    const error = await failureOf(dying);
    expect(error).toMatchObject({ name: 'MultitaskError', code: 'WORKER_CRASHED' });
    expect(error.message).toContain('exited with code 3');
    const [ref, reason] = await crashed;
    expect(ref.id).toBe(legacy.id);
    expect(reason).toMatchObject({ kind: 'error', error: { code: 'WORKER_CRASHED' } });
    await restarted;
    expect(await queued).toBe(10); // handled by the fresh worker, whose count started at 0
    expect(await legacy.ask('threadId')).not.toBe(before);
  });

  it('crashes and is restarted when its worker dies while it waits for messages', async () => {
    system = createSystem();
    const sup = await system.supervise({ children: [child('legacy', Legacy)] });
    const legacy = sup.ref('legacy');
    const before = await legacy.ask('threadId');
    const crashed = nextEvent(system, 'actor:crashed');
    const restarted = nextEvent(system, 'actor:restarted');
    expect(await legacy.ask('exitSoon', [4])).toBe('bye');
    expect((await crashed)[1]).toMatchObject({ kind: 'error', error: { code: 'WORKER_CRASHED' } });
    await restarted;
    expect(await legacy.ask('threadId')).not.toBe(before);
    expect(await legacy.ask('add', [1, 1])).toBe(2);
  });

  it('restarts a supervised actor whose method threw with a fresh worker (a throw is a crash)', async () => {
    system = createSystem();
    const sup = await system.supervise({ children: [child('legacy', Legacy)] });
    const legacy = sup.ref('legacy');
    await legacy.ask('inc', [5]);
    const restarted = nextEvent(system, 'actor:restarted');
    expect((await failureOf(legacy.ask('fail', ['bad']))).message).toBe('bad');
    await restarted;
    expect(await legacy.ask('get')).toBe(0);
  });

  it('answers every message with WORKER_CRASHED once the worker of an unsupervised actor died', async () => {
    system = createSystem();
    const legacy = await system.spawn(Legacy);
    const failed = nextEvent(system, 'actor:failed');
    expect(await codeOf(legacy.ask('exit', [2]))).toBe('WORKER_CRASHED');
    expect((await failed)[1]).toMatchObject({ code: 'WORKER_CRASHED' });
    expect(await codeOf(legacy.ask('get'))).toBe('WORKER_CRASHED');
    await system.stop(legacy);
  });

  it('fails the spawn with SPAWN_FAILED when the script cannot be loaded', async () => {
    system = createSystem();
    const Missing = comlinkActor<{ get(): number }>({ url: import.meta.url, name: 'Missing', script: new URL('./fixtures/missing.mjs', import.meta.url), methods: { get: true } });
    const error = await failureOf<Error & { code?: string; cause?: { code?: string } }>(system.spawn(Missing));
    expect(error.code).toBe('SPAWN_FAILED');
    expect(error.cause?.code).toBe('WORKER_CRASHED');
  });

  it('fails the spawn with SPAWN_FAILED when the script does not call Comlink.expose within startTimeout, and ends the worker', async () => {
    system = createSystem();
    const clock = steppedClock();
    const Silent = comlinkActor<{ get(): number }>({
      url: import.meta.url,
      name: 'Silent',
      script: new URL('./fixtures/silent.mjs', import.meta.url),
      methods: { get: true },
      startTimeout: 5_000,
      clock,
    });
    const spawning = failureOf<Error & { code?: string }>(system.spawn(Silent));
    await clock.timerSet;
    clock.fire();
    const error = await spawning;
    expect(error.code).toBe('SPAWN_FAILED');
    expect(error.message).toContain('Comlink.expose');
  });

  it('runs on a thread placement, owning its worker from there', async () => {
    system = createSystem({ shutdownTimeout: 2_000 });
    const legacy = await system.spawn(Legacy, { placement: 'thread' });
    expect(await legacy.ask('add', [2, 3])).toBe(5);
  });

  it('refuses an incomplete spec with INVALID_ARGUMENT', () => {
    const base = { url: import.meta.url, name: 'Bad', script: new URL('./fixtures/legacy.mjs', import.meta.url), methods: { get: true } } as const;
    const invalid = expect.objectContaining({ code: 'INVALID_ARGUMENT' });
    expect(() => comlinkActor<{ get(): number }>({ ...base, url: '' })).toThrow(invalid);
    expect(() => comlinkActor<{ get(): number }>({ ...base, script: '' })).toThrow(invalid);
    expect(() => comlinkActor<{ get(): number }>({ ...base, methods: { get: 1 } as never })).toThrow(invalid);
    expect(() => comlinkActor<{ get(): number }>({ ...base, startTimeout: -1 })).toThrow(invalid);
  });

  it('ends its workers when it stops, restarts or its system shuts down, so the program exits by itself', async () => {
    const script = compiled(new URL('./fixtures/adoptAndExit.ts', import.meta.url));
    const program = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    program.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    program.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    // A worker left running would keep the program alive: the cap only turns a hang into a failure.
    const cap = setTimeout(() => program.kill('SIGKILL'), 25_000);
    const [code, signal] = (await once(program, 'exit')) as [number | null, string | null];
    clearTimeout(cap);
    expect({ code, signal, output: output.trim() }).toEqual({ code: 0, signal: null, output: 'done' });
  });
});
