// The samples of the getting-started guide, run by the tests.
import { createPool, createSystem } from '@multitask/core';
import { Greeter } from './greeter.js';
import { mathTasks } from './mathTasks.js';

export async function gettingStarted(): Promise<{ line: string; squares: number[]; sum: number }> {
  // #region system
  await using system = createSystem(); // shuts down at the end of the scope
  const greeter = await system.spawn(Greeter, { placement: 'thread', args: 'Hello' });
  greeter.tell('rename', 'Hi'); // fire and forget
  const line = await greeter.ask('greet', 'Ada'); // 'Hi, Ada!', typed as string
  // #endregion system

  // #region pool
  await using pool = createPool({ tasks: mathTasks, size: 2 });
  const squares = await pool.map('square', [1, 2, 3]); // [1, 4, 9]
  const sum = await pool.apply('add', 2, 3); // 5
  // #endregion pool
  return { line, squares, sum };
}

/** The same samples without `await using`, as plain JavaScript on Node 20 writes them. */
export async function gettingStartedWithoutUsing(): Promise<{ line: string; squares: number[]; sum: number }> {
  let line = '';
  let squares: number[] = [];
  let sum = 0;
  // #region system-finally
  const system = createSystem();
  try {
    const greeter = await system.spawn(Greeter, { placement: 'thread', args: 'Hello' });
    greeter.tell('rename', 'Hi');
    line = await greeter.ask('greet', 'Ada'); // 'Hi, Ada!'
  } finally {
    await system.shutdown(); // what `await using` does at the end of the scope, error or not
  }
  // #endregion system-finally

  // #region pool-finally
  const pool = createPool({ tasks: mathTasks, size: 2 });
  try {
    squares = await pool.map('square', [1, 2, 3]); // [1, 4, 9]
    sum = await pool.apply('add', 2, 3); // 5
  } finally {
    await pool.terminate(); // what `await using pool` does
  }
  // #endregion pool-finally
  return { line, squares, sum };
}
