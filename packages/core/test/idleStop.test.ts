import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSystem, defineActor, type ActorContext, type ActorRef, type ActorSystem } from '../src/index.js';
import { codeOf } from './helpers.js';

/** Contexts handed out by `Keeper` actors, so that a test can read one after its actor stopped. */
const kept: Array<ActorContext<{ n: number }>> = [];

/** An idle actor that keeps its context when told to, and nothing else. */
const Keeper = defineActor({
  url: import.meta.url,
  name: 'Keeper',
  init: () => ({ n: 0 }),
  handlers: {
    keep(ctx) {
      kept.push(ctx);
    },
    bump(ctx) {
      return ++ctx.state.n;
    },
  },
});

// Stopping an idle actor (no running handler, no children, no onStop) takes a shortcut
// without promises; these are the promises of a stop it must still keep.
describe('stopping idle inline actors', () => {
  let system: ActorSystem;

  beforeEach(() => {
    system = createSystem();
    kept.length = 0;
  });

  afterEach(async () => {
    await system.shutdown();
  });

  it('frees the name, refuses later messages and aborts a signal asked for afterwards', async () => {
    const keeper = await system.spawn(Keeper, { placement: 'inline', name: 'keeper' });
    keeper.tell('keep');
    expect(await keeper.ask('bump')).toBe(1);
    const stopped: string[] = [];
    system.on('actor:stopped', (ref, reason) => stopped.push(`${ref.id} ${reason.kind}`));
    await system.stop(keeper);
    expect(stopped).toEqual([`${keeper.id} stopped`]);
    expect(system.lookup('keeper')).toBeUndefined();
    expect(await codeOf(keeper.ask('bump'))).toBe('ACTOR_STOPPED');
    const signal = kept[0]?.signal;
    expect(signal?.aborted).toBe(true);
    expect((signal?.reason as { code?: string }).code).toBe('ACTOR_STOPPED');
    const again = await system.spawn(Keeper, { placement: 'inline', name: 'keeper' });
    expect(await again.ask('bump')).toBe(1);
  });

  it('refuses what was queued but not yet handled with ACTOR_STOPPED', async () => {
    const keeper = await system.spawn(Keeper, { placement: 'inline' });
    const queued = [keeper.ask('bump'), keeper.ask('bump')];
    const stopping = system.stop(keeper); // before the run queue got to it
    expect(await Promise.all(queued.map(codeOf))).toEqual(['ACTOR_STOPPED', 'ACTOR_STOPPED']);
    await stopping;
  });

  it('reports each of thousands of idle actors stopped at shutdown, and lets a watcher hear of one', async () => {
    const refs: Array<ActorRef<typeof Keeper>> = [];
    for (let i = 0; i < 3_000; i++) refs.push(await system.spawn(Keeper, { placement: 'inline' }));
    await Promise.all(refs.slice(0, 1_500).map((ref) => ref.ask('bump')));
    const stopped = new Set<string>();
    system.on('actor:stopped', (ref) => stopped.add(ref.id));
    const watched = new Promise<string>((resolve) => system.monitor(refs[2_999] as ActorRef, (reason) => resolve(reason.kind)));
    await system.shutdown();
    expect(stopped.size).toBe(3_000);
    expect(refs.every((ref) => stopped.has(ref.id))).toBe(true);
    expect(await watched).toBe('stopped');
  });
});
