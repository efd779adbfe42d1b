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
