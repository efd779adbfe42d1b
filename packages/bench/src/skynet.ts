import { defineActor, type ActorRef } from '@multitask/core';

/** One node of the skynet tree: a leaf answers its number; a parent spawns `div` children and sums theirs. */
export const SkyNode = defineActor({
  url: import.meta.url,
  name: 'SkyNode',
  init: (args: { readonly num: number; readonly size: number; readonly div: number }) => args,
  handlers: {
    async run(ctx): Promise<number> {
      const { num, size, div } = ctx.state;
      if (size === 1) {
        ctx.stop();
        return num;
      }
      const step = size / div;
      const children: Array<Promise<ActorRef<typeof SkyNode>>> = [];
      for (let i = 0; i < div; i++) children.push(ctx.spawn(self(), { args: { num: num + i * step, size: step, div } }) as never);
      const sums = await Promise.all((await Promise.all(children)).map((child) => child.ask('run')));
      ctx.stop();
      let total = 0;
      for (const sum of sums) total += sum;
      return total;
    },
  },
});

/** The definition from inside itself (its own type is not known while it is defined). */
function self(): typeof SkyNode {
  return SkyNode;
}

/** The same tree as plain async functions and `Promise.all`: the baseline. */
export async function asyncTree(num: number, size: number, div: number): Promise<number> {
  if (size === 1) return num;
  const step = size / div;
  const parts: Array<Promise<number>> = [];
  for (let i = 0; i < div; i++) parts.push(asyncTree(num + i * step, step, div));
  let total = 0;
  for (const sum of await Promise.all(parts)) total += sum;
  return total;
}
