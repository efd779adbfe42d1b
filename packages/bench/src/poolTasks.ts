import { defineTasks } from '@multitask/core';

/** The pool benchmark's task: tiny, so that the pool's own cost is what is measured. */
export const benchTasks = defineTasks(import.meta.url, {
  square: (x: number) => x * x,
});
