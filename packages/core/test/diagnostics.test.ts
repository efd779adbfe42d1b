import * as diagnostics from 'node:diagnostics_channel';
import { describe, expect, it } from 'vitest';
import { child, createSystem, diagnosticsChannels, type HandlerMessage } from '../src/index.js';
import { Counter } from './fixtures/counter.js';
import { Faulty } from './fixtures/faulty.js';
import { HandlerWatcher } from './fixtures/handlerWatcher.js';
import { nextEvent } from './helpers.js';

/** Collects what a channel publishes until the returned stop is called. */
function collect(name: string): { readonly seen: unknown[]; stop(): void } {
  const seen: unknown[] = [];
  const listener = (message: unknown): void => void seen.push(message);
  diagnostics.subscribe(name, listener);
  return { seen, stop: () => diagnostics.unsubscribe(name, listener) };
}

describe('node:diagnostics_channel publish points', () => {
  it('publishes spawns, crashes, restarts, stops and dead letters', async () => {
    const [spawn, crash, restart, stop, dead] = [diagnosticsChannels.spawn, diagnosticsChannels.crash, diagnosticsChannels.restart, diagnosticsChannels.stop, diagnosticsChannels.deadLetter].map(collect) as [ReturnType<typeof collect>, ReturnType<typeof collect>, ReturnType<typeof collect>, ReturnType<typeof collect>, ReturnType<typeof collect>];
    try {
      await using system = createSystem();
      const sup = await system.supervise({ id: 's', children: [child('w', Faulty, {})] });
      const restarted = nextEvent(system, 'actor:restarted');
      sup.ref('w').tell('boom', 'bang');
      await restarted;
      const counter = await system.spawn(Counter, { args: 0 });
      await system.stop(counter);
      counter.tell('add', 1);

      expect(spawn.seen).toContainEqual({ actor: expect.objectContaining({ id: counter.id }) });
      expect(crash.seen).toEqual([{ actor: expect.objectContaining({ id: sup.ref('w').id }), reason: expect.objectContaining({ kind: 'error' }) }]);
      expect(restart.seen).toEqual([{ actor: expect.objectContaining({ id: sup.ref('w').id }), restarts: 1 }]);
      expect(stop.seen).toContainEqual({ actor: expect.objectContaining({ id: counter.id }), reason: { kind: 'stopped' } });
      expect(dead.seen).toEqual([{ letter: expect.objectContaining({ type: 'add', error: expect.objectContaining({ code: 'ACTOR_STOPPED' }) }) }]);
    } finally {
      for (const c of [spawn, crash, restart, stop, dead]) c.stop();
    }
  });

  it('publishes each handler run, start and end, when a subscriber was there when the system started', async () => {
    const starts = collect(diagnosticsChannels.handlerStart);
    const ends = collect(diagnosticsChannels.handlerEnd);
    try {
      await using system = createSystem();
      const faulty = await system.spawn(Faulty, {});
      faulty.tell('add', 2);
      await expect(faulty.ask('boom', 'no')).rejects.toThrow('no');

      expect(starts.seen).toEqual([
        { actor: faulty.id, definition: 'Faulty', type: 'add' },
        { actor: faulty.id, definition: 'Faulty', type: 'boom', error: expect.objectContaining({ message: 'no' }) },
      ]);
      expect(ends.seen).toEqual(starts.seen); // the same objects: the end adds the error
      expect(ends.seen[1]).toBe(starts.seen[1]);
      expect((ends.seen[0] as HandlerMessage).error).toBeUndefined();
    } finally {
      starts.stop();
      ends.stop();
    }
  });

  it('publishes handler runs on a thread with diagnostics: true, and nothing without', async () => {
    for (const on of [true, false]) {
      await using system = createSystem({ diagnostics: on });
      const watcher = await system.spawn(HandlerWatcher, { placement: 'thread' });
      await watcher.ask('watch'); // a subscriber on the actor's own thread, after the thread started
      await watcher.ask('ping');

      expect(await watcher.ask('seen')).toEqual(on ? ['watch', 'ping'] : []);
    }
  });
});
