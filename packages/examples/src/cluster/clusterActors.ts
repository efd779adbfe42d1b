/**
 * The actors of the cluster demo: a tally each node serves, and a go-between that holds a
 * ref to a tally on another node.
 */
import { defineActor, type ActorRef } from '@multitask/core';

/** Counts, says where it runs, and can be made to wait (to be caught mid-ask by a node's death). */
export const Tally = defineActor({
  url: import.meta.url,
  name: 'Tally',
  init: (start: number) => ({ count: start }),
  handlers: {
    add(ctx, by: number) {
      ctx.state.count += by;
      return ctx.state.count;
    },
    get(ctx) {
      return ctx.state.count;
    },
    where() {
      return { pid: process.pid };
    },
    async hold(_ctx, ms: number) {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return ms;
    },
  },
});

/** Adds to a tally it was handed at spawn: the ref crosses to a third node and still works. */
export const Forwarder = defineActor({
  url: import.meta.url,
  name: 'Forwarder',
  init: (target: ActorRef<typeof Tally>) => ({ target }),
  handlers: {
    forward(ctx, by: number) {
      return ctx.state.target.ask('add', by);
    },
  },
});
