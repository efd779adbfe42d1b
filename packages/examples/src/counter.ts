// The README's example, as a file the build type-checks and the tests run.
import { defineActor } from '@multitask/core';

export const Counter = defineActor({
  url: import.meta.url, // threads and processes import this module by URL
  name: 'Counter',
  init: (start: number) => ({ count: start }),
  handlers: {
    add(ctx, by: number) { ctx.state.count += by; },
    get(ctx) { return ctx.state.count; },
  },
});
