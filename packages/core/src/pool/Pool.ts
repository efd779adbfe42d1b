import { availableParallelism } from 'node:os';
import { EventEmitter } from 'eventemitter3';
import { systemClock, type Clock } from '../clock.js';
import { MultitaskError } from '../errors.js';
import { invalidWaitOptions } from '../limits.js';
import { scan } from '../wire/cloneCheck.js';
import { createSystem, type ActorSystem } from '../system/ActorSystem.js';
import type { ActorRef } from '../actor/ActorRef.js';
import type { AnyActorDefinition } from '../actor/defineActor.js';
import type { ActorChildArgs, ActorChildSpec } from '../supervisor/spec.js';
import { PoolActors } from './PoolActors.js';
import { isTaskSet, type TaskArgs, type TaskName, type TaskResult, type TaskSet, type UnaryTaskName } from './defineTasks.js';
import { packNumbers } from './PoolWorker.js';
import { Scheduler } from './Scheduler.js';
import { checkNodes, PoolTargets } from './PoolNodes.js';
import { definitionKey } from '../actor/defineActor.js';
import { windowed } from './windowed.js';
import type { CallOptions, IterOptions, MapOptions, PoolEvents, PoolMetrics, PoolOptions } from './options.js';


/**
 * A pool of worker threads or processes that run the task functions of one module, with
 * Python's `multiprocessing.Pool` API. Make one with {@link createPool}.
 *
 * @typeParam T - the task set (`typeof tasks`)
 *
 * @example
 * ```ts
 * import { createPool } from '@multitask/core';
 * import { tasks } from './tasks.js';
 *
 * const pool = createPool({ tasks, size: 4 });
 * console.log(await pool.apply('square', 7));                 // 49
 * console.log(await pool.map('square', [1, 2, 3]));           // [1, 4, 9]
 * for await (const n of pool.imap('square', numbers())) console.log(n);
 * pool.close();
 * await pool.join();
 * ```
 */
export class Pool<T extends TaskSet = TaskSet> extends EventEmitter<PoolEvents> {
  /**
   * Resolves once the workers have started (with `nodes`: on the nodes that are up); rejects
   * with `SPAWN_FAILED` when none can, or `NODE_DOWN` when none of the pool's nodes is up.
   */
  readonly ready: Promise<void>;
  readonly #targets: PoolTargets;
  #following = false;
  readonly #nodeUp = (node: string): void => {
    if (this.#state === 'open' && this.#targets.joined(node)) this.#work.fill();
  };
  readonly #system: ActorSystem;
  readonly #ownSystem: boolean;
  readonly #options: PoolOptions<T>;
  readonly #clock: Clock;
  readonly #work: Scheduler<T>;
  #state: 'open' | 'closed' | 'terminated' = 'open';
  /** The actors placed on the workers by `spawn`. */
  readonly #actors: PoolActors;
  /** Takes the pool out of its system's snapshot. */
  readonly #uninspect: () => void;
  /** The pool's id in its system's snapshot. */
  readonly #id = `pool-${++poolSeq}`;

  /** @internal */
  constructor(options: PoolOptions<T>) {
    super();
    if (!isTaskSet(options?.tasks)) throw new MultitaskError('INVALID_ARGUMENT', 'createPool: options.tasks must be a value returned by defineTasks');
    if (options.size !== undefined && !(Number.isInteger(options.size) && options.size > 0)) throw new MultitaskError('INVALID_ARGUMENT', 'createPool: options.size must be a positive integer');
    checkNodes(options.nodes, options.system !== undefined);
    if (options.placement !== undefined && options.placement !== 'thread' && options.placement !== 'process') {
      throw new MultitaskError('INVALID_ARGUMENT', "createPool: options.placement must be 'thread' or 'process'");
    }
    for (const key of ['maxTasksPerWorker', 'maxQueue', 'taskTimeout'] as const) {
      const value = options[key];
      if (value !== undefined && !(typeof value === 'number' && value > 0)) throw new MultitaskError('INVALID_ARGUMENT', `createPool: options.${key} must be a positive number`);
    }
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#ownSystem = options.system === undefined;
    const system = (this.#system = options.system ?? createSystem());
    const key = definitionKey(options.tasks);
    const self = system.nodes()[0] as string;
    const host = { self, nodes: () => system.nodes(), serves: (node: string) => system.nodeServes(node, key) };
    this.#targets = new PoolTargets(host, options.nodes, options.size, availableParallelism());
    this.#work = new Scheduler(
      { state: () => this.#state, drained: () => this.emit('drain'), replaced: (reason) => this.emit('worker:replaced', reason), id: this.#id },
      system,
      options,
      this.#clock,
      this.#targets,
    );
    this.#actors = new PoolActors({ system, work: this.#work, targets: this.#targets, terminated: () => this.#state === 'terminated' });
    system.on('actor:stopped', this.#work.onStopped);
    if (options.nodes !== undefined) this.#followNodes();
    this.ready = this.#start(options.nodes !== undefined);
    this.ready.catch(() => undefined); // reported through the calls it fails
    const placement = options.placement ?? 'thread';
    this.#uninspect = this.#system.addInspected({ snapshot: () => ({ id: this.#id, size: this.size, placement, ...this.metrics() }) });
  }

  /** Nodes that join from now on get the workers the pool wants there. */
  #followNodes(): void {
    if (this.#following) return;
    this.#following = true;
    this.#system.on('node:up', this.#nodeUp);
  }

  /** Starts the workers (on a cluster, once the system has joined and knows the nodes). */
  async #start(cluster: boolean): Promise<void> {
    if (cluster) {
      await this.#system.ready();
      for (const node of this.#system.nodes()) this.#targets.joined(node);
    }
    this.#work.fill();
    await this.#work.started();
    if (this.#work.workers.length > 0) return;
    throw this.#work.broken ?? new MultitaskError('NODE_DOWN', `none of the pool's nodes (${this.#targets.entries().map(([node]) => `'${node}'`).join(', ') || 'none serves the task set'}) could start a worker`);
  }

  /** The number of workers the pool keeps (with `nodes`: over all nodes, see {@link Pool.resize}). */
  get size(): number {
    return this.#targets.total;
  }

  /**
   * Changes how many workers the pool keeps on a node: more start at once (or when the
   * node joins), and those beyond the number finish what they hold, then exit. Resolves once
   * the new workers have started.
   * @param size - the workers wanted there, 0 or more
   * @param node - the node, by name (default: this node)
   * @throws (rejects with) {@link MultitaskError} `INVALID_ARGUMENT` for a bad size, `POOL_CLOSED`
   *
   * @example
   * ```ts
   * system.on('node:up', (node) => void pool.resize(4, node)); // each node that joins gets 4 workers
   * ```
   */
  async resize(size: number, node: string = this.#targets.self): Promise<void> {
    if (this.#state !== 'open') throw new MultitaskError('POOL_CLOSED', 'the pool is closed');
    if (!(Number.isInteger(size) && size >= 0)) throw new MultitaskError('INVALID_ARGUMENT', 'resize: size must be a whole number ≥ 0');
    if (typeof node !== 'string' || node.length === 0) throw new MultitaskError('INVALID_ARGUMENT', 'resize: node must be the name of a node');
    if (!this.#targets.isSelf(node) && this.#options.system === undefined) throw new MultitaskError('INVALID_ARGUMENT', 'resize: workers on other nodes need options.system, a system that joins a cluster');
    if (!this.#targets.isSelf(node)) this.#followNodes();
    this.#targets.set(node, size);
    this.#work.fill();
    await this.#work.started();
  }

  // ---- the Python API ------------------------------------------------------------------

  /**
   * Runs one task and resolves with its result (Python's `apply`; without `await`, its `apply_async`).
   * @param name - the task's name in the set
   * @param args - its arguments
   * @throws (rejects with) the task's own error, or {@link MultitaskError} `WORKER_CRASHED`, `TASK_TIMEOUT`, `POOL_CLOSED`, `POOL_FULL`, `NOT_SERIALIZABLE`, `SPAWN_FAILED`
   */
  apply<K extends TaskName<T>>(name: K, ...args: TaskArgs<T, K>): Promise<TaskResult<T, K>> {
    return this.run(name, args);
  }

  /**
   * Runs one task, with per-call options.
   * @param name - the task's name in the set
   * @param args - its arguments, as an array
   * @param options - `timeout` (from when it starts), `signal`, `retries`
   * @throws (rejects with) the task's own error, or {@link MultitaskError} `WORKER_CRASHED`, `TASK_TIMEOUT`, `ABORTED`, `POOL_CLOSED`, `POOL_FULL`, `NOT_SERIALIZABLE`
   */
  async run<K extends TaskName<T>>(name: K, args: TaskArgs<T, K>, options: CallOptions = {}): Promise<TaskResult<T, K>> {
    this.#check(name, options);
    if (!Array.isArray(args)) throw new MultitaskError('INVALID_ARGUMENT', 'args must be an array of the task\'s arguments');
    scan(args, 'args');
    return (await this.#work.submit('run', { task: name, args }, options)) as TaskResult<T, K>;
  }

  /**
   * Runs a one-argument task on every item and resolves with the results in input order
   * (Python's `map`). The input is read at once and sent in chunks.
   * @param name - a task that takes one argument
   * @param items - the arguments
   * @param options - `chunkSize` (default: items / (4 × size), rounded up), `timeout` (per chunk), `signal`, `retries`
   * @throws (rejects with) the first failure: the input's own error, a task's error, or a
   * {@link MultitaskError} (`INVALID_ARGUMENT` for input that is not iterable or a bad option)
   */
  map<K extends UnaryTaskName<T>>(name: K, items: Iterable<TaskArgs<T, K>[0]>, options: MapOptions = {}): Promise<Array<TaskResult<T, K>>> {
    return this.#map(name, items, false, options) as Promise<Array<TaskResult<T, K>>>;
  }

  /**
   * Runs a task on each argument list and resolves with the results in input order (Python's `starmap`).
   * @param name - the task
   * @param items - one argument list per run
   * @param options - as for {@link Pool.map}
   * @throws (rejects with) as {@link Pool.map}
   */
  starmap<K extends TaskName<T>>(name: K, items: Iterable<TaskArgs<T, K>>, options: MapOptions = {}): Promise<Array<TaskResult<T, K>>> {
    return this.#map(name, items, true, options) as Promise<Array<TaskResult<T, K>>>;
  }

  /**
   * Runs a one-argument task on every item of a (possibly endless, possibly async) input
   * and yields the results in input order (Python's `imap`), keeping at most `window`
   * chunks in flight: the input is read only as fast as results are taken. When the input
   * throws, the results of the items read before are yielded, then its error is thrown.
   * @param name - a task that takes one argument
   * @param items - the arguments
   * @param options - `chunkSize` (default 1), `window` (default 2 × size), `timeout`, `signal`, `retries`
   * @throws (the loop rejects with) the input's error, a task's error, or a {@link MultitaskError}
   */
  imap<K extends UnaryTaskName<T>>(name: K, items: Iterable<TaskArgs<T, K>[0]> | AsyncIterable<TaskArgs<T, K>[0]>, options: IterOptions = {}): AsyncIterableIterator<TaskResult<T, K>> {
    return this.#imap(name, items, true, options) as AsyncIterableIterator<TaskResult<T, K>>;
  }

  /**
   * Like {@link Pool.imap}, but yields each result as soon as it is ready (Python's `imap_unordered`).
   * @param name - a task that takes one argument
   * @param items - the arguments
   * @param options - as for {@link Pool.imap}
   * @throws (the loop rejects with) as {@link Pool.imap}; a task's error as soon as it is known
   */
  imapUnordered<K extends UnaryTaskName<T>>(name: K, items: Iterable<TaskArgs<T, K>[0]> | AsyncIterable<TaskArgs<T, K>[0]>, options: IterOptions = {}): AsyncIterableIterator<TaskResult<T, K>> {
    return this.#imap(name, items, false, options) as AsyncIterableIterator<TaskResult<T, K>>;
  }

  /**
   * Runs a task once on every worker (to warm a cache, reload a configuration) and
   * resolves with each worker's result.
   * @param name - the task
   * @param args - its arguments
   */
  async broadcast<K extends TaskName<T>>(name: K, ...args: TaskArgs<T, K>): Promise<Array<TaskResult<T, K>>> {
    this.#check(name, {});
    scan(args, 'args');
    await this.ready;
    await this.#work.started(); // replacements too
    const runs = this.#work.workers.filter((slot) => !slot.retiring).map((slot) => this.#work.enqueue('run', { task: name, args }, {}, slot));
    return (await Promise.all(runs)) as Array<TaskResult<T, K>>;
  }

  /**
   * Starts an actor on the least loaded worker of the pool, on any of its nodes: many actors
   * share a worker (M:N), in its thread or process, next to the pool's tasks. A worker's load
   * is the number of actors placed on it plus its tasks running and sent ahead (between
   * equals, the first started); a spawn made while no worker is up waits for one.
   *
   * @remarks
   * A worker on another node is a candidate only when that node serves the definition
   * (`createSystem({ serve: [definition] })`, by its key, as for any spawn on another node):
   * a definition only this node has runs on this node's workers. The pool supervises its
   * actors: when a worker dies (or its whole node), its actors restart on the workers left
   * that can run them, on any node (a handler that throws restarts its actor in place), as
   * their `restart` policy says, and refs to them keep working everywhere. `placement` and
   * `resourceLimits` are the pool's; a worker hosting actors is not recycled by
   * `maxTasksPerWorker`.
   *
   * @param definition - what {@link defineActor} returned
   * @param options - `args`, `name`, `mailbox`, and `restart` (default `'permanent'`), `shutdownTimeout`, `handlerTimeout`
   * @throws (rejects with) {@link MultitaskError} `SPAWN_FAILED` (also when no worker of the pool can run the definition: the message names its key), `POOL_CLOSED`, `INVALID_ARGUMENT`
   *
   * @example
   * ```ts
   * const sessions = await Promise.all(users.map((user) => pool.spawn(Session, { args: user })));
   * // a pool across nodes: Session goes to a's or b's workers when b serves it too
   * const spread = createPool({ tasks, system, nodes: { a: 2, b: 2 } });
   * const session = await spread.spawn(Session, { args: user });
   * ```
   */
  async spawn<D extends AnyActorDefinition>(definition: D, ...options: ActorChildArgs<D>): Promise<ActorRef<D>> {
    if (this.#state !== 'open') throw new MultitaskError('POOL_CLOSED', 'the pool is closed');
    const opts = { ...(options[0] ?? {}), placement: this.#options.placement ?? 'thread' } as ActorChildSpec['options'];
    return (await this.#actors.spawn(definition, opts)) as ActorRef<D>;
  }

  /**
   * Stops taking work (Python's `close`): later calls reject with `POOL_CLOSED`; accepted
   * work goes on.
   */
  close(): void {
    if (this.#state === 'open') this.#state = 'closed';
    this.#work.recheckRoom();
  }

  /**
   * Resolves once all accepted work is done and the workers have exited (Python's `join`).
   * @throws (rejects with) {@link MultitaskError} `INVALID_ARGUMENT` unless `close()` or `terminate()` came first
   */
  async join(): Promise<void> {
    if (this.#state === 'open') throw new MultitaskError('INVALID_ARGUMENT', 'join: call close() (or terminate()) first');
    await this.#work.whenIdle();
    await this.#end();
  }

  /**
   * Stops at once (Python's `terminate`): queued and running work rejects with
   * `POOL_CLOSED`, and the workers are ended.
   */
  async terminate(): Promise<void> {
    this.#state = 'terminated';
    const error = new MultitaskError('POOL_CLOSED', 'the pool was terminated');
    this.#work.dropAll(error);
    // Workers first: a hung actor must not hold up a terminate; its supervisor then finds it gone.
    await Promise.all(this.#work.workers.map((slot) => (slot.remote ? this.#system.stop(slot.ref) : this.#system.kill(slot.ref, { kind: 'stopped' }))));
    await this.#end();
  }

  /** Terminates the pool (like Python's `with Pool() as pool:`): `await using pool = createPool(...)`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.terminate();
  }

  /** Counts and timings of the pool's work so far. */
  metrics(): PoolMetrics {
    return this.#work.metrics();
  }

  // ---- submitting ----------------------------------------------------------------------

  /** Checks a call before it is accepted; the calls run it inside their promise, so a bad call rejects. */
  #check(name: string, options: CallOptions): void {
    if (this.#state !== 'open') throw new MultitaskError('POOL_CLOSED', 'the pool is closed');
    if (typeof name !== 'string' || !Object.hasOwn(this.#options.tasks.tasks, name)) throw new MultitaskError('INVALID_ARGUMENT', `the pool's task set has no task '${String(name)}'`);
    const invalid = invalidWaitOptions(options);
    if (invalid !== undefined) throw invalid;
    if (options.retries !== undefined && !(Number.isInteger(options.retries) && options.retries >= 0)) throw new MultitaskError('INVALID_ARGUMENT', 'options.retries must be an integer ≥ 0');
  }

  async #map(name: string, input: Iterable<unknown>, star: boolean, options: MapOptions): Promise<unknown[]> {
    this.#check(name, options);
    if (typeof (input as Partial<Iterable<unknown>> | null)?.[Symbol.iterator] !== 'function') throw new MultitaskError('INVALID_ARGUMENT', 'items must be an iterable');
    const items = Array.isArray(input) ? input : [...input]; // an input that throws rejects the call with its error
    scan(items, 'items');
    if (options.chunkSize === undefined && this.#options.nodes !== undefined) await this.ready.catch(() => undefined); // the size and round trips it is chunked by
    const chunkSize = positiveInteger(options.chunkSize ?? this.#work.chunkSize(name, items.length, this.size), 'chunkSize');
    const out: unknown[] = new Array(items.length);
    const chunks: Array<Promise<void>> = [];
    for (let at = 0; at < items.length; at += chunkSize) {
      const start = at;
      chunks.push(
        this.#submitChunk(name, items.slice(start, start + chunkSize), star, options).then((results) => {
          for (let j = 0; j < results.length; j++) out[start + j] = results[j];
        }),
      );
    }
    await Promise.all(chunks);
    return out;
  }

  async *#imap(name: string, items: Iterable<unknown> | AsyncIterable<unknown>, ordered: boolean, options: IterOptions): AsyncIterableIterator<unknown> {
    this.#check(name, options);
    const chunkSize = positiveInteger(options.chunkSize ?? 1, 'chunkSize');
    const window = positiveInteger(options.window ?? Math.max(1, this.size) * 2, 'window');
    yield* windowed(items, chunkSize, window, ordered, (chunk) => {
      scan(chunk, 'items');
      return this.#submitChunk(name, chunk, false, options);
    });
  }

  /** Submits one chunk; a chunk of numbers travels packed (see {@link packNumbers}). */
  #submitChunk(task: string, items: readonly unknown[], star: boolean, options: CallOptions): Promise<ArrayLike<unknown>> {
    const packed = !star && items.every((item) => typeof item === 'number') ? packNumbers(items as number[]) : items;
    return this.#work.submit('chunk', { task, items: packed, star }, options) as Promise<ArrayLike<unknown>>;
  }

  async #end(): Promise<void> {
    this.#state = this.#state === 'open' ? 'closed' : this.#state;
    await this.ready.catch(() => undefined);
    await this.#work.started();
    await this.#actors.stop();
    this.#system.off('actor:stopped', this.#work.onStopped);
    this.#system.off('node:up', this.#nodeUp);
    this.#uninspect();
    const slots = this.#work.takeWorkers();
    if (this.#ownSystem) await this.#system.shutdown();
    else await Promise.all(slots.map((slot) => this.#system.stop(slot.ref)));
  }
}

/** Numbers the pools of this process, for their ids in snapshots. */
let poolSeq = 0;

/**
 * Creates a pool of worker threads or processes running the tasks of one module, with
 * Python's `multiprocessing.Pool` API. Workers start at once (`pool.ready`); calls made
 * before they are up wait for them.
 *
 * @param options - `tasks` (from {@link defineTasks}), `size`, `placement`, `maxTasksPerWorker`, `initializer`, `maxQueue`, `queueFull`, `taskTimeout`
 * @throws {@link MultitaskError} `INVALID_ARGUMENT` for a bad option
 *
 * @example
 * ```ts
 * await using pool = createPool({ tasks, size: 2, placement: 'process', maxTasksPerWorker: 1000 });
 * const squares = await pool.map('square', range(100_000)); // chunked like Python
 * ```
 */
export function createPool<T extends TaskSet>(options: PoolOptions<T>): Pool<T> {
  return new Pool(options);
}

function positiveInteger(value: number, option: string): number {
  if (!(Number.isInteger(value) && value > 0)) throw new MultitaskError('INVALID_ARGUMENT', `options.${option} must be a positive integer`);
  return value;
}
