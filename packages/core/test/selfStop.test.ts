import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSystem, defineActor, type ActorContext, type ActorRef, type ActorSystem } from '../src/index.js';
import { manualClock } from './helpers.js';

/** The code of a rejection. */
const code = (error: unknown): string | undefined => (error as { code?: string }).code;

/** What the actors of these tests did, in order (they all run inline, on this thread). */
let log: string[] = [];
let release: () => void = () => undefined;

interface Stopping {
  readonly label: string;
  readonly seen: number[];
}
type Ctx = ActorContext<Stopping>;

const handlers = {
  /** Stops itself in a plain handler, and still reads its state after. */
  quit(ctx: Ctx): string {
    ctx.stop();
    return `${ctx.state.label} quit, signal aborted: ${ctx.signal.aborted}`;
  },
  /** Stops itself, then waits before it returns. */
  async finish(ctx: Ctx): Promise<string> {
    ctx.stop();
    await new Promise<void>((resolve) => (release = resolve));
    return `${ctx.state.label} finished`;
  },
  /** Stops itself twice, through a destructured `stop` too. */
  twice(ctx: Ctx): void {
    const { stop } = ctx;
    stop();
    ctx.stop();
  },
  /** Stops itself and never returns. */
  async hang(ctx: Ctx): Promise<void> {
    ctx.stop();
    await new Promise(() => undefined);
  },
  /** Stops itself past its first await, and never returns. */
  async hangLater(ctx: Ctx): Promise<void> {
    await Promise.resolve();
    ctx.stop();
    await new Promise(() => undefined);
  },
  /** Stops itself, then starts a timer before it returns. */
  async timerAfter(ctx: Ctx): Promise<void> {
    ctx.stop();
    await Promise.resolve();
    ctx.timers.every('tick', 100, 'record', 7);
  },
  record(ctx: Ctx, n: number): void {
    ctx.state.seen.push(n);
  },
  seen: (ctx: Ctx): number[] => ctx.state.seen,
};

/** Stops itself with nothing else to wait for (no onStop hook). */
const Stopper = defineActor({
  url: import.meta.url,
  name: 'Stopper',
  init: (label: string): Stopping => ({ label, seen: [] }),
  handlers,
});

/** The same, with an onStop hook that logs. */
const Logged = defineActor({
  url: import.meta.url,
  name: 'Logged',
  init: (label: string): Stopping => ({ label, seen: [] }),
  handlers,
  onStop(ctx) {
    log.push(`stop ${ctx.state.label}`);
  },
});

const Boss = defineActor({
  url: import.meta.url,
  name: 'Boss',
  init: () => ({}),
  handlers: {
    /** Children that stop themselves; those whose label begins with 'logged' have an onStop hook. */
    async spawnMany(ctx, labels: readonly string[]): Promise<Array<ActorRef<typeof Stopper>>> {
      const refs: Array<ActorRef<typeof Stopper>> = [];
      for (const label of labels) refs.push((await ctx.spawn(label.startsWith('logged') ? Logged : Stopper, { args: label })) as unknown as ActorRef<typeof Stopper>);
      return refs;
    },
    children: (ctx): string[] => ctx.children().map((ref) => ref.id),
  },
});

describe('an actor that stops itself (ctx.stop())', () => {
  let system: ActorSystem;
  let stopped: string[];
  beforeEach(() => {
    log = [];
    stopped = [];
    system = createSystem({ shutdownTimeout: 2_000 });
    system.on('actor:stopped', (ref) => stopped.push(ref.id));
  });
  afterEach(async () => {
    await system.shutdown();
  });

  it('in a plain handler: answers that message, refuses those queued behind it, and is gone from its parent', async () => {
    const boss = await system.spawn(Boss);
    const [a, b] = await boss.ask('spawnMany', ['a', 'b']);
    const asks = [a!.ask('quit'), a!.ask('seen'), a!.ask('seen')];
    expect(await asks[0]).toBe('a quit, signal aborted: true');
    expect(await Promise.all(asks.slice(1).map((ask) => ask.then(() => 'answered', code)))).toEqual(['ACTOR_STOPPED', 'ACTOR_STOPPED']);
    expect(await a!.ask('seen').catch(code)).toBe('ACTOR_STOPPED');
    expect(await boss.ask('children')).toEqual([b!.id]);
    expect(stopped).toEqual([a!.id]);
  });

  it('in an async handler: refuses what comes while the handler runs, answers the handler, then is gone', async () => {
    const boss = await system.spawn(Boss);
    const [a] = await boss.ask('spawnMany', ['a']);
    const finished = a!.ask('finish');
    await expect.poll(() => a!.ask('seen').catch(code)).toBe('ACTOR_STOPPED'); // stopping: refused at once
    expect(await boss.ask('children')).toEqual([a!.id]); // still its parent's until the handler returns
    expect(stopped).toEqual([]);
    release();
    expect(await finished).toBe('a finished');
    await expect.poll(() => boss.ask('children')).toEqual([]);
    expect(stopped).toEqual([a!.id]);
  });

  it.each(['a', 'logged a'])('twice, or through a destructured stop: stops once (%s)', async (label) => {
    const boss = await system.spawn(Boss);
    const [a] = await boss.ask('spawnMany', [label]);
    await a!.ask('twice');
    await expect.poll(() => boss.ask('children')).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 50)); // a second report would come by now
    expect(stopped).toEqual([a!.id]);
  });

  it('with an onStop hook: runs it once, after the handler', async () => {
    const boss = await system.spawn(Boss);
    const [a] = await boss.ask('spawnMany', ['logged a']);
    expect(await a!.ask('quit')).toBe('logged a quit, signal aborted: true');
    await expect.poll(() => log).toEqual(['stop logged a']);
    expect(stopped).toEqual([a!.id]);
  });

  it('keeps the order of what it was sent when an ask waits alone and tells come behind it', async () => {
    const a = await system.spawn(Stopper, { args: 'a' });
    const first = a.ask('record', 1);
    a.tell('record', 2);
    a.tell('record', 3);
    await first;
    expect(await a.ask('seen')).toEqual([1, 2, 3]);
  });
});

describe('an actor that stops itself, on a manual clock (a grace of 500 ms: half the shutdown timeout)', () => {
  let clock: ReturnType<typeof manualClock>;
  let system: ActorSystem;
  let stopped: string[];
  beforeEach(() => {
    clock = manualClock();
    system = createSystem({ shutdownTimeout: 1_000, clock });
    stopped = [];
    system.on('actor:stopped', (ref) => stopped.push(ref.id));
  });
  afterEach(async () => {
    await system.shutdown();
  });

  /** An actor whose handler called ctx.stop() and never returns, and that ask. */
  async function hanging(): Promise<{ a: ActorRef<typeof Stopper>; ask: Promise<unknown> }> {
    const a = await system.spawn(Stopper, { args: 'a' });
    const ask = a.ask('hang', undefined, { timeout: 60_000 });
    await expect.poll(() => a.ask('seen').catch(code)).toBe('ACTOR_STOPPED'); // stopping
    return { a, ask };
  }

  it('abandons a handler that does not return within the grace: its ask is refused and the actor reported stopped', async () => {
    const { a, ask } = await hanging();
    expect(stopped).toEqual([]);
    clock.advance(500);
    expect(await ask.catch(code)).toBe('ACTOR_STOPPED');
    expect(stopped).toEqual([a.id]);
  });

  it('gives every one of many actors that stop themselves together, and then others, a grace, and abandons each after it', async () => {
    const actors = await Promise.all(Array.from({ length: 40 }, (_, i) => system.spawn(Stopper, { args: `a${i}` })));
    // Asked in one go, then a second wave once the first has stopped itself: graces wait in batches of one and more.
    const first = actors.slice(0, 30).map((a, i) => a.ask(i % 3 === 0 ? 'hangLater' : 'hang', undefined, { timeout: 60_000 }).catch(code));
    await new Promise((resolve) => setImmediate(resolve));
    const second = actors.slice(30).map((a) => a.ask('hang', undefined, { timeout: 60_000 }).catch(code));
    await new Promise((resolve) => setImmediate(resolve));
    clock.advance(499);
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toEqual([]);
    clock.advance(1);
    expect(await Promise.all([...first, ...second])).toEqual(Array.from({ length: 40 }, () => 'ACTOR_STOPPED'));
    await expect.poll(() => stopped.length).toBe(40);
    expect(new Set(stopped)).toEqual(new Set(actors.map((a) => a.id)));
  });

  it('abandons a handler that stopped itself past its first await, after the grace and not before', async () => {
    const a = await system.spawn(Stopper, { args: 'a' });
    const ask = a.ask('hangLater', undefined, { timeout: 60_000 });
    const queued = a.ask('seen', undefined, { timeout: 60_000 }); // behind the handler: refused when the actor ends
    await new Promise((resolve) => setImmediate(resolve)); // it stopped itself
    clock.advance(499);
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toEqual([]);
    clock.advance(1);
    expect(await ask.catch(code)).toBe('ACTOR_STOPPED');
    expect(await queued.catch(code)).toBe('ACTOR_STOPPED');
    expect(stopped).toEqual([a.id]);
  });

  it('stopped from outside meanwhile: is given the grace, its handler abandoned after it, and reported stopped once', async () => {
    const { a, ask } = await hanging();
    let done = false;
    const stopping = system.stop(a).then(() => (done = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(done).toBe(false); // its handler still runs: the stop waits, up to the grace
    clock.advance(500);
    await stopping;
    expect(await ask.catch(code)).toBe('ACTOR_STOPPED');
    await expect.poll(() => stopped).toEqual([a.id]);
  });

  it('cancels a timer its handler started after ctx.stop()', async () => {
    const dead: unknown[] = [];
    system.on('dead-letter', (letter) => dead.push(letter.type));
    const a = await system.spawn(Stopper, { args: 'a' });
    await a.ask('timerAfter');
    clock.advance(1_000);
    expect(dead).toEqual([]);
  });
});

describe("a parent's children, as children end and more start", () => {
  it('stay listed in start order, and stop the last started first', async () => {
    log = [];
    const system = createSystem({ shutdownTimeout: 2_000 });
    try {
      const boss = await system.spawn(Boss);
      const labels = Array.from({ length: 100 }, (_, i) => (i % 10 === 3 ? `logged ${i}` : `c${i}`));
      const refs = await boss.ask('spawnMany', labels);
      // Most of them end, out of order: the list compacts (it has holes past half).
      for (let i = 0; i < 100; i++) if (i % 10 !== 3) await refs[i]!.ask('quit');
      const later = await boss.ask('spawnMany', ['logged x', 'logged y']);
      const kept = refs.filter((_, i) => i % 10 === 3);
      expect(await boss.ask('children')).toEqual([...kept, ...later].map((ref) => ref.id));
      log = [];
      await system.stop(boss);
      expect(log).toEqual(['logged y', 'logged x', ...kept.map((_, i) => `logged ${(kept.length - 1 - i) * 10 + 3}`)].map((label) => `stop ${label}`));
    } finally {
      await system.shutdown();
    }
  });
});
