// The actor the cost script measures with, built with the core it is pointed at.
const { defineActor } = await import(process.env.MULTITASK_CORE);

export const Sink = defineActor({
  url: import.meta.url,
  name: 'Sink',
  init: () => ({ count: 0 }),
  handlers: {
    hit(ctx) {
      ctx.state.count += 1;
    },
    count(ctx) {
      return ctx.state.count;
    },
    ping(_ctx, n) {
      return n;
    },
  },
});
