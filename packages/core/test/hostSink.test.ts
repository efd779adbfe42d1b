import { describe, expect, it } from 'vitest';
import { defineActor, type ActorRef } from '../src/index.js';
import type { Runtime } from '../src/node/Runtime.js';
import { HostServices } from '../src/system/HostServices.js';
import { hostSink } from '../src/system/hostSink.js';
import { openInlinePair } from '../src/transport/inlineTransport.js';
import type { ActorId } from '../src/wire/ids.js';
import { node, quietSink, runtimeAt } from './nodes.js';

/** A leaf answers its number and stops; with `hook`, it stops the general way (it has an `onStop`). */
const Leaf = defineActor({
  url: import.meta.url,
  name: 'HostSinkLeaf',
  init: (n: number) => ({ n }),
  handlers: {
    run(ctx): number {
      ctx.stop();
      return ctx.state.n;
    },
  },
});
const HookedLeaf = defineActor({
  url: import.meta.url,
  name: 'HostSinkHookedLeaf',
  init: (n: number) => ({ n }),
  onStop: () => undefined,
  handlers: {
    run(ctx): number {
      ctx.stop();
      return ctx.state.n;
    },
  },
});
/** Spawns `leaves` children (every other one with an `onStop`), sums their answers, and stops. */
const Branch = defineActor({
  url: import.meta.url,
  name: 'HostSinkBranch',
  init: (leaves: number) => ({ leaves }),
  handlers: {
    async run(ctx): Promise<number> {
      const children: Array<Promise<ActorRef<typeof Leaf>>> = [];
      for (let i = 0; i < ctx.state.leaves; i++) children.push((i % 2 === 0 ? ctx.spawn(Leaf, { args: i }) : ctx.spawn(HookedLeaf, { args: i })) as Promise<ActorRef<typeof Leaf>>);
      const sums = await Promise.all((await Promise.all(children)).map((child) => child.ask('run')));
      ctx.stop();
      return sums.reduce((a, b) => a + b, 0);
    },
  },
});

describe("a host's reports to its root", () => {
  it('tell the root of an actor it started that stopped itself, and not of the children that actor started and saw stop', async () => {
    const reported: ActorId[] = [];
    const { a, b } = openInlinePair();
    const root = runtimeAt(node(0), { sink: { ...quietSink, crashed: (actor) => void reported.push(actor) } });
    const host: Runtime = runtimeAt(node(1), { parent: { node: node(0), endpoint: b }, sink: hostSink(() => host, node(0)) });
    host.system = new HostServices(host, node(0));
    root.attach(node(1), a);
    const top = host.actors.mint(false); // as for a spawn the root asked for
    await host.actors.start(top, undefined, Branch as never, {}, 20);
    expect(await root.ask(top, node(1), 'run', undefined, { timeout: 10_000 })).toBe(190);
    // The children stopped before their parent answered, and the link keeps order: once the
    // parent's own report is in, any of theirs would be too.
    for (let turns = 0; turns < 1_000 && reported.length === 0; turns++) await new Promise((resolve) => setImmediate(resolve));
    expect(reported).toEqual([top]);
    expect(host.actors.all()).toEqual([]);
  });
});
