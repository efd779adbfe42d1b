import { defineActor } from '@multitask/core';

/** Counts what it is told; answers `count` and echoes `ping`. */
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
  },
});
