/**
 * The public shapes of the pool's options, events and metrics.
 * @packageDocumentation
 */
import type { Clock } from '../clock.js';
import type { ActorSystem } from '../system/ActorSystem.js';
import type { DownReason } from '../actor/DownReason.js';
import type { TaskArgs, TaskName, TaskSet } from './defineTasks.js';
import type { NodeMetrics, PoolNodes } from './PoolNodes.js';

/**
 * Options of one pool call.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#CallOptions}
 */
export interface CallOptions {
  /**
   * Milliseconds the task may run, counted from when it starts on a worker (not from when
   * it was queued). Past it the call rejects with `TASK_TIMEOUT` and the worker is replaced.
   * `Infinity` is no limit, also over the pool's `taskTimeout`; 0, a negative number or
   * `NaN` is refused with `INVALID_ARGUMENT`.
   * @defaultValue the pool's `taskTimeout`
   */
  readonly timeout?: number;
  /** Aborts the call: a queued task is dropped; a running one rejects with `ABORTED` and its worker is replaced. */
  readonly signal?: AbortSignal;
  /**
   * How many times to run the task again on another worker when its worker dies while
   * running it (the task must be safe to repeat).
   * @defaultValue 0
   */
  readonly retries?: number;
}

/**
 * Options of `map` and `starmap`.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#MapOptions}
 */
export interface MapOptions extends CallOptions {
  /**
   * Items per task sent to a worker (the timeout applies to each chunk).
   * @defaultValue like Python: the items divided by four times the pool size, rounded up
   */
  readonly chunkSize?: number;
}

/**
 * Options of `imap` and `imapUnordered`.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#IterOptions}
 */
export interface IterOptions extends CallOptions {
  /**
   * Items per task sent to a worker.
   * @defaultValue 1
   */
  readonly chunkSize?: number;
  /**
   * Chunks in flight at once: the input is read only as far ahead as this allows.
   * @defaultValue twice the pool size
   */
  readonly window?: number;
}

/**
 * One task of a set with its arguments.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#TaskCall}
 */
export interface TaskCall<K extends string, A> {
  /** The task's name. */
  readonly task: K;
  /** Its arguments. */
  readonly args: A;
}

/**
 * The initializer of a pool: a task of its set, run once on each worker before any other.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#Initializer}
 */
export type Initializer<T> = { [K in TaskName<T>]: TaskCall<K, TaskArgs<T, K>> }[TaskName<T>];

/**
 * One worker, as {@link PoolMetrics} reports it.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#WorkerMetrics}
 */
export interface WorkerMetrics {
  /** The worker's actor id. */
  readonly id: string;
  /** The node it runs on, by name. */
  readonly node: string;
  /** Its tasks (or chunks) sent and not done. */
  readonly running: number;
  /** Its tasks (or chunks) done. */
  readonly completed: number;
  /** The share of its lifetime it spent running tasks, 0 to 1. */
  readonly utilisation: number;
}

/**
 * Options of {@link createPool}.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#PoolOptions}
 */
export interface PoolOptions<T extends TaskSet> {
  /** The task functions, from {@link defineTasks}. */
  readonly tasks: T;
  /**
   * How many workers (with `nodes`: on each node).
   * @defaultValue `os.availableParallelism()`
   */
  readonly size?: number;
  /**
   * The nodes of a cluster to run workers on (see {@link PoolNodes}); needs `system`, a
   * system that joins the cluster. Each of those nodes must serve the task set
   * (`createSystem({ serve: [tasks] })`). Workers go where there is room, a distant node's
   * workers are sent more work ahead, and a node that dies takes only its own workers with
   * it (see the Pool guide).
   * @defaultValue this node only
   */
  readonly nodes?: PoolNodes;
  /**
   * Worker threads or child processes.
   * @defaultValue `'thread'`
   */
  readonly placement?: 'thread' | 'process';
  /** A worker is replaced by a fresh one after this many tasks (Python's `maxtasksperchild`). */
  readonly maxTasksPerWorker?: number;
  /** Runs on each worker once, before its first task (Python's `initializer` and `initargs`). */
  readonly initializer?: Initializer<T>;
  /** The most tasks waiting for a worker; see `queueFull`. */
  readonly maxQueue?: number;
  /**
   * What a submission beyond `maxQueue` does: wait for room, or reject with `POOL_FULL`.
   * @defaultValue `'wait'`
   */
  readonly queueFull?: 'wait' | 'reject';
  /** The default `timeout` of every call, in milliseconds (`Infinity`: none). */
  readonly taskTimeout?: number;
  /** Run the workers in this system (the pool does not shut it down); by default the pool has its own. */
  readonly system?: ActorSystem;
  /** The clock for task timeouts and metrics; inject one to test timeouts without waiting. */
  readonly clock?: Clock;
}

/**
 * The events of a {@link Pool}.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#PoolEvents}
 */
export interface PoolEvents {
  /** The queue emptied after tasks had to wait in it: every accepted task has a worker. */
  drain: [];
  /** A worker died (or was ended: a timeout, an abort) and is being replaced. */
  'worker:replaced': [reason: DownReason];
}

/**
 * Median and tail of a series of durations, in ms.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#Percentiles}
 */
export interface Percentiles {
  /** The median. */
  readonly p50: number;
  /** The 90th percentile. */
  readonly p90: number;
  /** The 99th percentile. */
  readonly p99: number;
}

/**
 * A snapshot of a pool's work.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#PoolMetrics}
 */
export interface PoolMetrics {
  /** Tasks (or chunks) waiting for a worker. */
  readonly queued: number;
  /** Tasks (or chunks) sent to workers and not done. */
  readonly running: number;
  /** Tasks (or chunks) that succeeded. */
  readonly completed: number;
  /** Tasks (or chunks) that failed: threw, timed out, aborted, or lost with their worker. */
  readonly failed: number;
  /** Per worker: its tasks now and done, and the share of its lifetime it spent running tasks. */
  readonly workers: readonly WorkerMetrics[];
  /** Per node: its workers, its tasks now and done, and the round trip to it (one entry for a pool of one node). */
  readonly nodes: readonly NodeMetrics[];
  /** How long tasks ran, over the last 1024. */
  readonly runTime: Percentiles;
  /** How long tasks waited for a worker, over the last 1024. */
  readonly waitTime: Percentiles;
}
