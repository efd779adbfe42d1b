import { defineActor, type ChannelReceiver, type ChannelSender } from '@multitask/core';

/** Counts what it is told; answers `count`, echoes `ping`, and answers `cpu` with its process's CPU usage so far. */
export const Sink = defineActor({
  url: import.meta.url,
  name: 'Sink',
  init: () => ({ count: 0 }),
  handlers: {
    hit(ctx, _message: { readonly i: number; readonly tag: string }) {
      ctx.state.count += 1;
    },
    count(ctx) {
      return ctx.state.count;
    },
    ping(_ctx, n: number) {
      return n;
    },
    cpu(): NodeJS.CpuUsage {
      return process.cpuUsage();
    },
  },
});

/** Streams numbered items into the channel it is given. */
export const ChanProducer = defineActor({
  url: import.meta.url,
  name: 'ChanProducer',
  init: () => null,
  handlers: {
    async stream(_ctx, job: { readonly out: ChannelSender<{ i: number; tag: string }>; readonly count: number }) {
      for (let i = 0; i < job.count; i++) await job.out.send({ i, tag: 'bench' });
      job.out.close();
      return job.count;
    },
    /** Sends `count` items and leaves the channel open (the durable case reuses one channel). */
    async fill(_ctx, job: { readonly out: ChannelSender<{ i: number; tag: string }>; readonly count: number }) {
      for (let i = 0; i < job.count; i++) await job.out.send({ i, tag: 'bench' });
      return job.count;
    },
  },
});

/** Receives from the channel it is given until it ends, and returns how many items came. */
export const ChanConsumer = defineActor({
  url: import.meta.url,
  name: 'ChanConsumer',
  init: () => null,
  handlers: {
    async drain(_ctx, input: ChannelReceiver<{ i: number; tag: string }>) {
      let count = 0;
      for await (const item of input) if (item.tag === 'bench') count += 1;
      return count;
    },
  },
});

/** Answers `ping`; `exit` ends its thread (a crash for its supervisor). */
export const Restartable = defineActor({
  url: import.meta.url,
  name: 'Restartable',
  init: () => null,
  handlers: {
    ping(_ctx, n: number) {
      return n;
    },
    exit() {
      process.exit(1);
    },
  },
});

/** An actor that counts its pings: what `actors.memory` spawns 100 000 of. */
export const Idle = defineActor({
  url: import.meta.url,
  name: 'Idle',
  init: () => ({ pings: 0 }),
  handlers: {
    ping(ctx) {
      ctx.state.pings++;
    },
  },
});
