// The actor module of the getting-started guide.
// #region actor
import { defineActor } from '@multitask/core';

export const Greeter = defineActor({
  url: import.meta.url, // threads and processes import this module by its URL
  name: 'Greeter',
  init: (greeting: string) => ({ greeting, greeted: 0 }),
  handlers: {
    greet(ctx, name: string) {
      ctx.state.greeted += 1;
      return `${ctx.state.greeting}, ${name}!`;
    },
    rename(ctx, greeting: string) {
      ctx.state.greeting = greeting;
    },
    pid: () => process.pid,
  },
});
// #endregion actor
