// The task module of the guides' pool samples: workers import it by URL.
// #region tasks
import { defineTasks } from '@multitask/core';

export const mathTasks = defineTasks(import.meta.url, {
  square: (x: number) => x * x,
  add: (a: number, b: number) => a + b,
});
// #endregion tasks
