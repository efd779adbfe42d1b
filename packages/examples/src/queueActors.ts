/**
 * The actors of the producer/consumer case. Python's version passes a
 * `multiprocessing.Queue` to two `Process(target=...)` functions; here the queue is a typed
 * `Channel` handed to two actors in their spawn arguments.
 */
import { defineActor, type ChannelReceiver, type ChannelSender } from '@multitask/core';

/** An item, tagged with who produced it so the many-to-many variant can check delivery. */
export interface Item {
  readonly producer: number;
  readonly value: number;
}

/** Python: `def downloader(q): for item in [11, 22, 33, 44]: q.put(item)`. */
export const Downloader = defineActor({
  url: import.meta.url,
  name: 'Downloader',
  init: (args: { queue: ChannelSender<Item>; id: number }) => args,
  handlers: {
    /** Puts the items (`q.put`), waiting whenever the channel is full. */
    async download(ctx, values: readonly number[]) {
      for (const value of values) await ctx.state.queue.send({ producer: ctx.state.id, value });
      return values.length;
    },
    /** Puts `count` items without printing: the "large stream" flag. */
    async stream(ctx, count: number) {
      for (let value = 0; value < count; value++) await ctx.state.queue.send({ producer: ctx.state.id, value });
      return count;
    },
  },
});

/**
 * Python: `def analyser(q): while not q.empty(): data.append(q.get())`. That loop ends
 * whenever the queue happens to be empty, which races with a slow producer: it can stop
 * before the last item arrives. This consumer ends when the channel is closed and
 * drained, so it never misses an item and never waits forever.
 */
export const Analyser = defineActor({
  url: import.meta.url,
  name: 'Analyser',
  init: (args: { queue: ChannelReceiver<Item> }) => args,
  handlers: {
    async analyse(ctx) {
      const data: Item[] = [];
      for await (const item of ctx.state.queue) data.push(item);
      return data;
    },
  },
});
