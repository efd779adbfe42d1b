import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSystem, type ActorSystem } from '../src/index.js';
import { QuitsAtStart, Spawner } from './fixtures/quitsAtStart.js';
import { eventually } from './helpers.js';
import { meshOf } from './mesh.js';

describe('spawning at the edges', () => {
  let system: ActorSystem;
  beforeEach(() => {
    system = createSystem({ shutdownTimeout: 3_000 });
  });
  afterEach(async () => {
    await system.shutdown();
  });

  it.each(['inline', 'thread', 'process'] as const)('a named actor that stops itself as it starts, spawned %s by the system, releases its name, which can be taken again', async (placement) => {
    const first = await system.spawn(QuitsAtStart, { name: `quits-${placement}`, placement });
    expect(await eventually(() => system.lookup(`quits-${placement}`), (ref) => ref === undefined)).toBeUndefined();
    await expect(first.ask('hello')).rejects.toMatchObject({ code: 'ACTOR_STOPPED' });
    const again = await system.spawn(QuitsAtStart, { name: `quits-${placement}`, placement });
    expect(again.id).not.toBe(first.id);
  });

  it.each(['inline', 'thread', 'process'] as const)('a named actor that stops itself as it starts, spawned by an actor placed %s, releases its name everywhere', async (placement) => {
    const parent = await system.spawn(Spawner, { placement });
    const first = await parent.ask('spawnNamed', { name: `kid-${placement}` });
    expect(await eventually(() => system.lookup(`kid-${placement}`), (ref) => ref === undefined)).toBeUndefined();
    expect(await eventually(() => parent.ask('find', `kid-${placement}`), (id) => id === undefined)).toBeUndefined();
    expect(await parent.ask('spawnNamed', { name: `kid-${placement}` })).not.toBe(first);
  });

  it('an actor that stops itself as it starts on a thread of its own leaves no thread running', async () => {
    await system.spawn(QuitsAtStart, { name: 'alone', placement: 'thread' });
    const hosts = await eventually(() => system.inspect().then((seen) => seen.hosts.map((host) => host.kind)), (kinds) => kinds.every((kind) => kind === 'root'));
    expect(hosts).toEqual(['root']);
  });

  it.each(['inline', 'thread', 'process'] as const)('refuses, from an actor placed %s, to spawn what is not a definition, with INVALID_ARGUMENT', async (placement) => {
    const parent = await system.spawn(Spawner, { placement });
    expect(await parent.ask('spawnNothing')).toBe('INVALID_ARGUMENT');
  });

  it.each(['inline', 'thread'] as const)('gives an actor placed %s the ref its inline child has of itself', async (placement) => {
    const parent = await system.spawn(Spawner, { placement });
    expect(await parent.ask('childRefIsOwn')).toBe(true);
  });
});

describe('a named actor that stops itself as it starts on another system', () => {
  it.each(['inline', 'thread'] as const)('releases its name on the system that spawned it (%s there), which can take it again', async (placement) => {
    const mesh = meshOf([{ node: 'a' }, { node: 'b', serve: [QuitsAtStart] }]);
    try {
      const a = mesh.get('a');
      const first = await a.spawn(QuitsAtStart, { name: 'far', placement: { node: 'b', in: placement } });
      expect(await eventually(() => a.lookup('far'), (ref) => ref === undefined)).toBeUndefined();
      const again = await a.spawn(QuitsAtStart, { name: 'far', placement: { node: 'b', in: placement } });
      expect(again.id).not.toBe(first.id);
      const kinds = await eventually(() => mesh.get('b').inspect().then((seen) => seen.hosts.map((host) => host.kind)), (all) => all.length === 1);
      expect(kinds).toEqual(['root']); // no thread left running there for it
    } finally {
      await mesh.shutdown();
    }
  });

  it.each(['inline', 'thread'] as const)('releases the name of one that stops itself later, %s there', async (placement) => {
    const mesh = meshOf([{ node: 'a' }, { node: 'b', serve: [Spawner] }]);
    try {
      const a = mesh.get('a');
      const far = await a.spawn(Spawner, { name: 'later', placement: { node: 'b', in: placement } });
      expect(a.lookup('later')?.id).toBe(far.id);
      await far.ask('quit');
      expect(await eventually(() => a.lookup('later'), (ref) => ref === undefined)).toBeUndefined();
      expect((await a.spawn(Spawner, { name: 'later', placement: { node: 'b', in: placement } })).id).not.toBe(far.id);
    } finally {
      await mesh.shutdown();
    }
  });
});
