/**
 * The task module of the pool example: workers import it by URL, so it has no top-level
 * program of its own (like the functions a Python `Pool` pickles by name).
 */
import { threadId } from 'node:worker_threads';
import { defineTasks } from '@multitask/core';

export const jobTasks = defineTasks(import.meta.url, {
  /** Python's `job(i)`: says where it runs, sleeps a random time, says how long it took (unless `quiet`). */
  async job(index: number, maxMs: number, quiet?: boolean) {
    const worker = threadId === 0 ? `process ${process.pid}` : `thread ${threadId} of process ${process.pid}`;
    const say = (line: string): void => (quiet === true ? undefined : console.log(line));
    say(`  job ${index} runs in ${worker}`);
    const ms = Math.round(Math.random() * maxMs);
    await new Promise((resolve) => setTimeout(resolve, ms));
    say(`  job ${index} took ${ms} ms`);
    return { index, worker, ms };
  },
});
