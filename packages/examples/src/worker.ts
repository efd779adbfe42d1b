/**
 * An actor module: threads and processes import it by URL to find `Worker`.
 * Like Python's `Process(target=f)`, except that `f` is a set of message handlers.
 */
import { threadId } from 'node:worker_threads';
import { defineActor } from '@multitask/core';

export const Worker = defineActor({
  url: import.meta.url,
  name: 'Worker',
  init: (label: string) => ({ label, jobs: 0 }),
  handlers: {
    /** Sums 0..n-1 and says where it ran. */
    sum(ctx, n: number) {
      ctx.state.jobs += 1;
      let total = 0;
      for (let i = 0; i < n; i++) total += i;
      return { label: ctx.state.label, pid: process.pid, thread: threadId, total };
    },
    jobs(ctx) {
      return ctx.state.jobs;
    },
  },
  onStop(ctx) {
    console.log(`  ${ctx.state.label}: stopping after ${ctx.state.jobs} job(s)`);
  },
});
