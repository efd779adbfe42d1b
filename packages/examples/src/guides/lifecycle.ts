// Actor modules of the guides: a counter with its lifecycle hooks, a downloader that only
// sends into a channel, and a cache that keeps its entries across restarts.
// #region counter
import { defineActor, type ChannelSender } from '@multitask/core';

export const Counter = defineActor({
  url: import.meta.url, // threads and processes import this module to find the definition
  name: 'Counter', // unique within the module
  init: (start: number) => ({ count: start, started: false }),
  handlers: {
    add(ctx, by: number) {
      ctx.state.count += by;
    },
    get(ctx) {
      return ctx.state.count;
    },
  },
  onStart(ctx) {
    ctx.state.started = true; // runs before the first message; a throw fails the spawn
  },
  onStop(ctx) {
    ctx.state.started = false; // runs after the last message
  },
});
// #endregion counter

// #region downloader
export const Downloader = defineActor({
  url: import.meta.url,
  name: 'Downloader',
  init: (args: { readonly queue: ChannelSender<number> }) => args, // may only send
  handlers: {
    async download(ctx, items: number[]) {
      for (const item of items) await ctx.state.queue.send(item);
    },
  },
});
// #endregion downloader

export const Cache = defineActor({
  url: import.meta.url,
  name: 'Cache',
  init: () => ({ entries: new Map<string, string>(), hits: 0 }),
  // #region onRestart
  onRestart(ctx, previous) {
    // previous: the crashed incarnation's state after an in-place restart,
    // undefined when its thread or process died
    ctx.state.entries = previous?.entries ?? new Map();
  },
  // #endregion onRestart
  handlers: {
    put(ctx, entry: { readonly key: string; readonly value: string }) {
      ctx.state.entries.set(entry.key, entry.value);
    },
    get(ctx, key: string) {
      ctx.state.hits += 1;
      return ctx.state.entries.get(key);
    },
    hits: (ctx) => ctx.state.hits,
    fail(_ctx, why: string): never {
      throw new Error(why);
    },
  },
});
