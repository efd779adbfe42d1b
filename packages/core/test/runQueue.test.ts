import { describe, expect, it } from 'vitest';
import { createSystem, defineActor, type ActorRef } from '../src/index.js';
import { scheduleSoon, type Runnable } from '../src/actor/RunQueue.js';

/** Turns of the event loop until `done()` holds, at most `turns` (the queue yields to it between steps). */
async function turnsUntil(done: () => boolean, turns = 10_000): Promise<number> {
  for (let turn = 0; turn < turns; turn++) {
    if (done()) return turn;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return turns;
}

describe('the run queue of inline actors', () => {
  it('lets the promise reactions of the cells that ran go before thousands more cells run, and runs them all in order', async () => {
    const order: string[] = [];
    const cells = Array.from({ length: 5_000 }, (_, i) => ({
      run(): void {
        order.push(`cell ${i}`);
        // What a handler's promise does when it settles: a reaction, queued behind this run.
        if (i === 0) void Promise.resolve().then(() => order.push('reaction of cell 0'));
      },
    }));
    for (const cell of cells) scheduleSoon(cell);
    await turnsUntil(() => order.length === cells.length + 1);
    const reaction = order.indexOf('reaction of cell 0');
    expect(reaction).toBeGreaterThan(0);
    expect(reaction).toBe(1); // right after its cell, not behind all 5 000: their reactions and garbage would wait for the last
    expect(order.filter((line) => line !== 'reaction of cell 0')).toEqual(cells.map((_, i) => `cell ${i}`));
  });

  it('lets the event loop in after a few hundred cells', async () => {
    let ran = 0;
    const cells = Array.from({ length: 2_000 }, () => ({ run: () => void ran++ }));
    for (const cell of cells) scheduleSoon(cell);
    await new Promise((resolve) => setImmediate(resolve));
    expect(ran).toBeGreaterThan(0);
    expect(ran).toBeLessThan(cells.length); // I/O and timers wait for one step, not for all of them
    await turnsUntil(() => ran === cells.length);
    expect(ran).toBe(cells.length);
  });

  it('runs a cell made ready by a running cell next, before the older cells still waiting', async () => {
    const order: number[] = [];
    const late = { run: () => void order.push(-1) };
    const cells = Array.from({ length: 600 }, (_, i) => ({
      run(): void {
        order.push(i);
        if (i === 1) scheduleSoon(late);
      },
    }));
    for (const cell of cells) scheduleSoon(cell);
    await turnsUntil(() => order.length === cells.length + 1);
    expect(order.indexOf(-1)).toBe(2); // the cell that made it ready and the one before it ran first, then the new cell, then the older rest
    expect(order.filter((i) => i >= 0)).toEqual(cells.map((_, i) => i));
  });

  it('lets the event loop in while two cells make each other ready, again and again', async () => {
    let runs = 0;
    const limit = 100_000;
    const a: Runnable = { run: () => void (++runs < limit && scheduleSoon(b)) };
    const b: Runnable = { run: () => void (++runs < limit && scheduleSoon(a)) };
    scheduleSoon(a);
    await new Promise((resolve) => setImmediate(resolve));
    expect(runs).toBeGreaterThan(0);
    expect(runs).toBeLessThan(limit); // the turn came before they were done
    await turnsUntil(() => runs >= limit);
    expect(runs).toBe(limit);
  });

  it('runs a cell made ready beside two that keep making each other ready within a few of their steps', async () => {
    let runs = 0;
    let runsWhenLoneRan = -1;
    const limit = 100_000;
    const a: Runnable = { run: () => void (++runs < limit && scheduleSoon(b)) };
    const b: Runnable = { run: () => void (++runs < limit && scheduleSoon(a)) };
    const lone: Runnable = { run: () => void (runsWhenLoneRan = runs) };
    scheduleSoon(a);
    scheduleSoon(lone);
    await turnsUntil(() => runs >= limit && runsWhenLoneRan >= 0);
    // The pair's newest work goes first, but not for ever: not after their 100 000 runs (or
    // five seconds, when the lone cell would have aged), as when newest first had no bound.
    expect(runsWhenLoneRan).toBeGreaterThanOrEqual(1);
    expect(runsWhenLoneRan).toBeLessThan(10);
  });

  it('runs what waits behind work that keeps coming, in the end', async () => {
    const old: number[] = [];
    let floods = 0;
    const limit = 3_000_000;
    let floodsWhenOldRan = 0;
    // Five hundred cells that make themselves ready again each time they run: every step is full of new work.
    const flood: Runnable[] = Array.from({ length: 500 }, () => ({
      run(this: Runnable): void {
        if (++floods < limit) scheduleSoon(this);
      },
    }));
    for (const cell of flood) scheduleSoon(cell);
    const waiting = Array.from({ length: 100 }, (_, i) => ({
      run(): void {
        old.push(i);
        floodsWhenOldRan = floods;
      },
    }));
    for (const cell of waiting) scheduleSoon(cell);
    await turnsUntil(() => floods >= limit + flood.length - 1, 100_000);
    expect(old).toEqual(waiting.map((_, i) => i));
    expect(floodsWhenOldRan).toBeGreaterThan(256 * 100); // they waited behind the flood
    expect(floodsWhenOldRan).toBeLessThan(limit / 2); // and did not wait for it to end
  });

  it('builds a tree of actors that spawn and ask their children depth first: a subtree answers before the next is built', async () => {
    let alive = 0;
    let most = 0;
    const Node = defineActor({
      url: import.meta.url,
      name: 'TreeNode',
      init: (args: { readonly size: number }) => {
        most = Math.max(most, ++alive);
        return args;
      },
      handlers: {
        async run(ctx): Promise<number> {
          const { size } = ctx.state;
          if (size === 1) {
            alive--;
            ctx.stop();
            return 1;
          }
          const children: Array<Promise<ActorRef<typeof Node>>> = [];
          for (let i = 0; i < 10; i++) children.push(ctx.spawn(tree(), { args: { size: size / 10 } }) as never);
          const counts = await Promise.all((await Promise.all(children)).map((child) => child.ask('run')));
          alive--;
          ctx.stop();
          return counts.reduce((a, b) => a + b, 0);
        },
      },
    });
    const tree = (): typeof Node => Node;
    const system = createSystem();
    try {
      const root = await system.spawn(Node, { args: { size: 100_000 } });
      expect(await root.ask('run', undefined, { timeout: 20_000 })).toBe(100_000);
      expect(alive).toBe(0);
      // 111 111 actors in all; breadth first, every one of them was alive at once, and with
      // a group of cells a step, six thousand (each of a parent's children spawned its own
      // before the first grandchild ran). One child's subtree at a time: about ten a level.
      expect(most).toBeLessThan(500);
    } finally {
      await system.shutdown();
    }
  });
});
