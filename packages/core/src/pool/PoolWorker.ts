/**
 * The actor that runs tasks on a pool worker: the pool starts one on each thread or
 * process it owns. It imports the task module by URL, runs the initializer, then runs
 * tasks and chunks of tasks one at a time.
 * @internal
 * @packageDocumentation
 */
import { MultitaskError } from '../errors.js';
import { defineActor, definitionKey, type ActorContext } from '../actor/defineActor.js';
import { isTaskSet, type TaskFunction, type TaskFunctions, type TaskSet } from './defineTasks.js';
import { ownFile } from '../ownFile.js';
import type { ServedEntry } from '../system/Servable.js';

/** What a worker starts with. @internal */
export interface PoolWorkerArgs {
  readonly url: string;
  readonly name: string;
  readonly initializer: { readonly task: string; readonly args: readonly unknown[] } | undefined;
}

async function load(args: PoolWorkerArgs): Promise<TaskFunctions> {
  const exports = (await import(args.url)) as Record<string, unknown>;
  for (const value of Object.values(exports)) if (isTaskSet(value) && value.name === args.name) return value.tasks;
  throw new MultitaskError('SPAWN_FAILED', `task module ${args.url} exports no task set named '${args.name}'`);
}

function find(tasks: TaskFunctions, name: string): (...args: unknown[]) => unknown {
  const fn: TaskFunction | undefined = Object.hasOwn(tasks, name) ? tasks[name] : undefined;
  if (fn === undefined) throw new MultitaskError('INVALID_ARGUMENT', `no task named '${name}'`);
  return fn as (...args: unknown[]) => unknown;
}

interface WorkerState {
  readonly tasks: TaskFunctions;
}

/**
 * The definition as this module exports it: a pool worker imports it from here. Pools spawn
 * {@link poolWorker}, which names this module where it is installed.
 * @internal
 */
export const PoolWorker = defineActor({
  url: import.meta.url,
  name: 'PoolWorker',
  async init(args: PoolWorkerArgs): Promise<WorkerState> {
    const tasks = await load(args);
    if (args.initializer !== undefined) await find(tasks, args.initializer.task)(...args.initializer.args);
    return { tasks };
  },
  handlers: {
    /** Answers at once: the pool times the round trip to the worker's node with it. */
    ping() {
      return 0;
    },
    /** Runs one task. */
    run(ctx: ActorContext<WorkerState>, call: { readonly task: string; readonly args: readonly unknown[] }) {
      return find(ctx.state.tasks, call.task)(...call.args);
    },
    /** Runs a task on each item of a chunk, in order (`star`: each item is the argument list). */
    chunk(ctx: ActorContext<WorkerState>, call: { readonly task: string; readonly items: ArrayLike<unknown>; readonly star: boolean }) {
      const fn = find(ctx.state.tasks, call.task);
      const results: unknown[] = new Array(call.items.length);
      let numbers = true;
      for (let i = 0; i < call.items.length; i++) {
        const item = call.items[i];
        const result = call.star ? fn(...(item as unknown[])) : fn(item);
        if (isThenable(result)) return finishAsync(fn, call, results, i, result);
        results[i] = result;
        if (typeof result !== 'number') numbers = false;
      }
      return numbers ? packNumbers(results as number[]) : results;
    },
  },
});

/** The rest of a chunk once one task returned a promise: each item waits for the one before. */
async function finishAsync(fn: (...args: unknown[]) => unknown, call: { readonly items: ArrayLike<unknown>; readonly star: boolean }, results: unknown[], from: number, first: PromiseLike<unknown>): Promise<unknown[]> {
  results[from] = await first;
  for (let i = from + 1; i < call.items.length; i++) {
    const item = call.items[i];
    results[i] = await (call.star ? fn(...(item as unknown[])) : fn(item));
  }
  return results;
}

/**
 * A chunk of numbers travels as one `Float64Array`: a copy of its bytes, where an array of
 * numbers is serialized and rebuilt value by value (most of a numeric `map`'s time between
 * processes). Every JavaScript number is a float64, so nothing changes on the way.
 * @internal
 */
export function packNumbers(values: readonly number[]): Float64Array {
  const packed = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) packed[i] = values[i] as number;
  return packed;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

const hostedUrl = ownFile(import.meta.url, 'PoolWorker', './dist/pool/PoolWorker.js');
let hosted: typeof PoolWorker | undefined;

/**
 * The pool worker definition to spawn: {@link PoolWorker} with the URL of this module as
 * installed, which differs when an application bundled the library into a file of its own.
 * Found at the first pool's first worker, not when the library loads.
 * @internal
 */
export function poolWorker(): typeof PoolWorker {
  return (hosted ??= Object.freeze({ ...PoolWorker, url: hostedUrl() }));
}

/**
 * The pool worker of a task set as other nodes ask for it: spawned with `{ node }`, it is
 * known there by the task set's key (module file name and set name, see `definitionKey`),
 * and that node starts {@link poolWorker} with its own copy of the module. Its URL and name
 * say which set it is; nothing of them is imported there.
 * @internal
 */
export function remoteWorker(tasks: TaskSet): typeof PoolWorker {
  return Object.freeze({ ...poolWorker(), url: tasks.url, name: tasks.name });
}

/**
 * How a node serves a task set (`createSystem({ serve: [tasks] })`): a spawn of its
 * {@link remoteWorker} from another node starts a pool worker that loads this node's own
 * module for the key. Of the arguments from the network only the initializer is kept, checked.
 * @internal
 */
export function servedTasks(tasks: TaskSet): ServedEntry {
  return {
    key: definitionKey(tasks),
    definition: poolWorker(),
    args(remote: unknown): PoolWorkerArgs {
      const initializer = (remote as { initializer?: unknown } | null)?.initializer;
      if (initializer !== undefined) {
        const { task, args } = initializer as { task?: unknown; args?: unknown };
        if (typeof task !== 'string' || !Object.hasOwn(tasks.tasks, task) || !Array.isArray(args)) throw new MultitaskError('SPAWN_FAILED', `a pool worker of '${tasks.name}' was asked for with an initializer that is not a task of the set`);
      }
      return { url: tasks.url, name: tasks.name, initializer: initializer as PoolWorkerArgs['initializer'] };
    },
  };
}
