import { MultitaskError } from '../errors.js';
import { SERVED } from '../system/Servable.js';
// A cycle, used only inside functions: PoolWorker checks task sets with isTaskSet from here.
import { servedTasks } from './PoolWorker.js';

/**
 * A task function: arguments that can be cloned, and a cloneable result or a promise of one.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#TaskFunction}
 */
export type TaskFunction = (...args: never[]) => unknown;

/**
 * The task functions of a worker module, by name.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#TaskFunctions}
 */
export type TaskFunctions = Record<string, TaskFunction>;

const TASKS: unique symbol = Symbol.for('multitask.TaskSet') as never;

/**
 * A worker module's task functions: what {@link defineTasks} returns, to pass to
 * `createPool({ tasks })`. Task names, arguments and results of the pool derive from it.
 * @typeParam F - the task functions, by name
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#TaskSet}
 */
export interface TaskSet<F extends TaskFunctions = TaskFunctions> {
  /** The URL of the module that exports the set (`import.meta.url`). */
  readonly url: string;
  /** The set's name, unique within its module. */
  readonly name: string;
  /** The task functions. */
  readonly tasks: F;
  /** Marks the value as a task set (also across copies of the library). */
  readonly [TASKS]: true;
}

/**
 * The task names of a task set.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#TaskName}
 */
export type TaskName<T> = T extends TaskSet<infer F> ? keyof F & string : never;
/**
 * The arguments of task `K`.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#TaskArgs}
 */
export type TaskArgs<T, K extends TaskName<T>> = T extends TaskSet<infer F> ? Parameters<F[K]> : never;
/**
 * What task `K` resolves with (its awaited return value).
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#TaskResult}
 */
export type TaskResult<T, K extends TaskName<T>> = T extends TaskSet<infer F> ? Awaited<ReturnType<F[K]>> : never;
/**
 * The tasks of a set that take exactly one argument: those `map` and `imap` can run.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#UnaryTaskName}
 */
export type UnaryTaskName<T> = { [K in TaskName<T>]: TaskArgs<T, K> extends [unknown] ? K : never }[TaskName<T>];

/**
 * Declares the task functions of a worker module. Export the result: pool workers import
 * the module by URL and look the set up by name; nothing is serialized.
 *
 * @param url - the module's URL: pass `import.meta.url`
 * @param tasks - the task functions, by name (arguments and results must be cloneable)
 * @param options - `name`, needed only when one module defines several task sets
 * @throws {@link MultitaskError} `INVALID_ARGUMENT` for a missing URL or a task that is not a function
 *
 * @example
 * ```ts
 * // tasks.ts
 * import { defineTasks } from '@multitask/core';
 * export const tasks = defineTasks(import.meta.url, {
 *   square: (x: number) => x * x,
 *   async fetchSize(url: string) { return (await fetch(url)).headers.get('content-length'); },
 * });
 * ```
 */
export function defineTasks<F extends TaskFunctions>(url: string, tasks: F, options: { readonly name?: string } = {}): TaskSet<F> {
  if (typeof url !== 'string' || url.length === 0) throw new MultitaskError('INVALID_ARGUMENT', 'defineTasks: url must be the module URL (pass import.meta.url)');
  if (typeof tasks !== 'object' || tasks === null) throw new MultitaskError('INVALID_ARGUMENT', 'defineTasks: tasks must be an object of functions');
  for (const [name, fn] of Object.entries(tasks)) {
    if (typeof fn !== 'function') throw new MultitaskError('INVALID_ARGUMENT', `defineTasks: task '${name}' must be a function`);
  }
  const set: TaskSet<F> = { url, name: options.name ?? 'tasks', tasks, [TASKS]: true as const };
  // How a system serves it (`createSystem({ serve: [tasks] })`): hidden from its type and its keys.
  Object.defineProperty(set, SERVED, { value: () => servedTasks(set) });
  return Object.freeze(set);
}

/** Whether a value is a task set (made by any copy of this library). @internal */
export function isTaskSet(value: unknown): value is TaskSet {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[TASKS] === true;
}
