import { availableParallelism } from 'node:os';
import { EventEmitter } from 'eventemitter3';
import { systemClock, type Clock, type TimerHandle } from '../clock.js';
import { MultitaskError } from '../errors.js';
import { Fifo } from '../Fifo.js';
import { abortError } from '../limits.js';
import { scan } from '../cloneCheck.js';
import { createSystem, type ActorSystem } from '../actor/ActorSystem.js';
import type { ActorRef } from '../actor/ActorRef.js';
import type { AnyActorDefinition } from '../actor/defineActor.js';
import { Supervisor } from '../supervisor/Supervisor.js';
import { child, type ActorChildArgs, type ActorChildSpec } from '../supervisor/spec.js';
import type { DownReason } from '../actor/HostTable.js';
import { isTaskSet, type TaskArgs, type TaskName, type TaskResult, type TaskSet, type UnaryTaskName } from './defineTasks.js';
import { packNumbers, PoolWorker } from './PoolWorker.js';
import { PoolStats } from './metrics.js';
import { windowed } from './windowed.js';
import type { CallOptions, IterOptions, MapOptions, PoolEvents, PoolMetrics, PoolOptions } from './options.js';


type Payload = { readonly task: string; readonly args: readonly unknown[] } | { readonly task: string; readonly items: ArrayLike<unknown>; readonly star: boolean };

interface Job {
  readonly kind: 'run' | 'chunk';
  readonly payload: Payload;
  readonly timeout: number | undefined;
  readonly signal: AbortSignal | undefined;
  retries: number;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  readonly queuedAt: number;
  startedAt: number;
  worker: Slot | undefined;
  /** Only this worker may run it (`broadcast`). */
  readonly pinned: Slot | undefined;
  settled: boolean;
  timer: TimerHandle | undefined;
  unlisten: () => void;
}

interface Slot {
  readonly ref: ActorRef<typeof PoolWorker>;
  /** Dispatched jobs, in the order the worker runs them; the first is running. */
  readonly inFlight: Job[];
  readonly since: number;
  completed: number;
  busy: number;
  /** Takes no more work: recycled after `maxTasksPerWorker`, or being ended. */
  retiring: boolean;
  /** A successor was started already (recycling). */
  succeeded: boolean;
  /** Actors placed on it by `spawn`. */
  actors: number;
}

/**
 * Jobs sent ahead to a worker so that it never waits for the next: only for tasks known to
 * be short (their recent runs took under `SHORT_MS` on average) and without a timeout. A
 * long task sent ahead would wait behind another while a worker may be free.
 */
const DEPTH = 4;
const SHORT_MS = 1;

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
  /** The number of workers. */
  readonly size: number;
  /** Resolves once every worker has started; rejects with `SPAWN_FAILED` when they cannot. */
  readonly ready: Promise<void>;
  readonly #system: ActorSystem;
  readonly #ownSystem: boolean;
  readonly #options: PoolOptions<T>;
  readonly #clock: Clock;
  readonly #queue = new Fifo<Job>();
  readonly #slots: Slot[] = [];
  readonly #room: Array<() => void> = [];
  readonly #starts = new Set<Promise<void>>();
  #state: 'open' | 'closed' | 'terminated' = 'open';
  readonly #stats = new PoolStats();
  #idle: Array<() => void> = [];
  #broken: Error | undefined;
  /** Tasks had to wait for a worker: `drain` fires when the last of them gets one. */
  #backlog = false;
  /** Supervises the actors placed on the workers by `spawn`. */
  #actors: Promise<Supervisor> | undefined;
  #actorSeq = 0;

  /** @internal */
  constructor(options: PoolOptions<T>) {
    super();
    if (!isTaskSet(options?.tasks)) throw new MultitaskError('INVALID_ARGUMENT', 'createPool: options.tasks must be a value returned by defineTasks');
    const size = options.size ?? availableParallelism();
    if (!(Number.isInteger(size) && size > 0)) throw new MultitaskError('INVALID_ARGUMENT', 'createPool: options.size must be a positive integer');
    if (options.placement !== undefined && options.placement !== 'thread' && options.placement !== 'process') {
      throw new MultitaskError('INVALID_ARGUMENT', "createPool: options.placement must be 'thread' or 'process'");
    }
    for (const key of ['maxTasksPerWorker', 'maxQueue', 'taskTimeout'] as const) {
      const value = options[key];
      if (value !== undefined && !(typeof value === 'number' && value > 0)) throw new MultitaskError('INVALID_ARGUMENT', `createPool: options.${key} must be a positive number`);
    }
    this.size = size;
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#ownSystem = options.system === undefined;
    this.#system = options.system ?? createSystem();
    this.#system.on('actor:stopped', this.#onStopped);
    const starts: Array<Promise<void>> = [];
    for (let i = 0; i < size; i++) starts.push(this.#startWorker());
    this.ready = Promise.all(starts).then(() => undefined);
    this.ready.catch(() => undefined); // reported through the calls it fails
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
    scan(args, 'args');
    return (await this.#submit('run', { task: name, args }, options)) as TaskResult<T, K>;
  }

  /**
   * Runs a one-argument task on every item and resolves with the results in input order
   * (Python's `map`). The input is read at once and sent in chunks.
   * @param name - a task that takes one argument
   * @param items - the arguments
   * @param options - `chunkSize` (default: items / (4 × size), rounded up), `timeout` (per chunk), `signal`, `retries`
   * @throws (rejects with) the first failure: a task's error or a {@link MultitaskError}
   */
  map<K extends UnaryTaskName<T>>(name: K, items: Iterable<TaskArgs<T, K>[0]>, options: MapOptions = {}): Promise<Array<TaskResult<T, K>>> {
    return this.#map(name, Array.isArray(items) ? items : [...items], false, options) as Promise<Array<TaskResult<T, K>>>;
  }

  /**
   * Runs a task on each argument list and resolves with the results in input order (Python's `starmap`).
   * @param name - the task
   * @param items - one argument list per run
   * @param options - as for {@link Pool.map}
   */
  starmap<K extends TaskName<T>>(name: K, items: Iterable<TaskArgs<T, K>>, options: MapOptions = {}): Promise<Array<TaskResult<T, K>>> {
    return this.#map(name, Array.isArray(items) ? items : [...items], true, options) as Promise<Array<TaskResult<T, K>>>;
  }

  /**
   * Runs a one-argument task on every item of a (possibly endless, possibly async) input
   * and yields the results in input order (Python's `imap`), keeping at most `window`
   * chunks in flight: the input is read only as fast as results are taken.
   * @param name - a task that takes one argument
   * @param items - the arguments
   * @param options - `chunkSize` (default 1), `window` (default 2 × size), `timeout`, `signal`, `retries`
   */
  imap<K extends UnaryTaskName<T>>(name: K, items: Iterable<TaskArgs<T, K>[0]> | AsyncIterable<TaskArgs<T, K>[0]>, options: IterOptions = {}): AsyncIterableIterator<TaskResult<T, K>> {
    return this.#imap(name, items, true, options) as AsyncIterableIterator<TaskResult<T, K>>;
  }

  /**
   * Like {@link Pool.imap}, but yields each result as soon as it is ready (Python's `imap_unordered`).
   * @param name - a task that takes one argument
   * @param items - the arguments
   * @param options - as for {@link Pool.imap}
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
    while (this.#starts.size > 0) await Promise.allSettled([...this.#starts]); // replacements too
    const runs = this.#slots.filter((slot) => !slot.retiring).map((slot) => this.#enqueue('run', { task: name, args }, {}, slot));
    return (await Promise.all(runs)) as Array<TaskResult<T, K>>;
  }

  /**
   * Starts an actor on the least loaded worker: many actors share a worker (M:N), next to
   * the pool's tasks. The pool supervises them: when a worker dies, its actors restart on
   * the other workers (a handler that throws restarts its actor in place), as their
   * `restart` policy says, and refs to them keep working. `placement` and
   * `resourceLimits` are the pool's; a worker hosting actors is not recycled by
   * `maxTasksPerWorker`.
   *
   * @param definition - what {@link defineActor} returned
   * @param options - `args`, `name`, `mailbox`, and `restart` (default `'permanent'`), `shutdownTimeout`, `handlerTimeout`
   * @throws (rejects with) {@link MultitaskError} `SPAWN_FAILED`, `POOL_CLOSED`, `INVALID_ARGUMENT`
   *
   * @example
   * ```ts
   * const sessions = await Promise.all(users.map((user) => pool.spawn(Session, { args: user })));
   * ```
   */
  async spawn<D extends AnyActorDefinition>(definition: D, ...options: ActorChildArgs<D>): Promise<ActorRef<D>> {
    if (this.#state !== 'open') throw new MultitaskError('POOL_CLOSED', 'the pool is closed');
    const opts = { ...(options[0] ?? {}), placement: this.#options.placement ?? 'thread' } as ActorChildSpec['options'];
    const spec = (child as (id: string, d: AnyActorDefinition, o: ActorChildSpec['options']) => ActorChildSpec)(`actor-${++this.#actorSeq}`, definition, opts);
    this.#actors ??= this.#startActorSupervisor();
    return (await (await this.#actors).add(spec)) as ActorRef<D>;
  }

  async #startActorSupervisor(): Promise<Supervisor> {
    const ops = this.#system.childOpsOn(() => this.#placeActor());
    const supervisor = new Supervisor('pool', { intensity: { maxRestarts: 1_000, withinMs: 1_000 }, children: [] }, ops, undefined);
    await supervisor.start();
    return supervisor;
  }

  /** The least loaded worker, for a new or restarting actor (waiting for one to start if none is up). */
  async #placeActor(): Promise<ActorRef> {
    for (;;) {
      let best: Slot | undefined;
      for (const slot of this.#slots) {
        if (slot.retiring) continue;
        if (best === undefined || slot.actors + slot.inFlight.length < best.actors + best.inFlight.length) best = slot;
      }
      if (best !== undefined) {
        best.actors += 1;
        return best.ref;
      }
      if (this.#state === 'terminated' || this.#broken !== undefined) throw this.#broken ?? new MultitaskError('POOL_CLOSED', 'the pool was terminated');
      if (this.#starts.size === 0) this.#startWorker().catch(() => undefined);
      await Promise.allSettled([...this.#starts]);
    }
  }

  /**
   * Stops taking work (Python's `close`): later calls reject with `POOL_CLOSED`; accepted
   * work goes on.
   */
  close(): void {
    if (this.#state === 'open') this.#state = 'closed';
    for (const wake of this.#room.splice(0)) wake();
  }

  /**
   * Resolves once all accepted work is done and the workers have exited (Python's `join`).
   * @throws (rejects with) {@link MultitaskError} `INVALID_ARGUMENT` unless `close()` or `terminate()` came first
   */
  async join(): Promise<void> {
    if (this.#state === 'open') throw new MultitaskError('INVALID_ARGUMENT', 'join: call close() (or terminate()) first');
    while (this.#busy()) await new Promise<void>((resolve) => this.#idle.push(resolve));
    await this.#end();
  }

  /**
   * Stops at once (Python's `terminate`): queued and running work rejects with
   * `POOL_CLOSED`, and the workers are ended.
   */
  async terminate(): Promise<void> {
    this.#state = 'terminated';
    const error = new MultitaskError('POOL_CLOSED', 'the pool was terminated');
    for (const job of this.#queue.drain()) this.#settle(job, false, error);
    for (const slot of this.#slots) for (const job of slot.inFlight.splice(0)) this.#settle(job, false, error);
    for (const wake of this.#room.splice(0)) wake();
    // Workers first: a hung actor must not hold up a terminate; its supervisor then finds it gone.
    await Promise.all(this.#slots.map((slot) => this.#system.kill(slot.ref, { kind: 'stopped' })));
    await this.#end();
  }

  /** Terminates the pool (like Python's `with Pool() as pool:`): `await using pool = createPool(...)`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.terminate();
  }

  /** Counts and timings of the pool's work so far. */
  metrics(): PoolMetrics {
    const now = this.#clock.now();
    return {
      queued: this.#queue.size,
      running: this.#slots.reduce((n, slot) => n + slot.inFlight.length, 0),
      completed: this.#stats.completed,
      failed: this.#stats.failed,
      workers: this.#slots.map((slot) => ({
        id: slot.ref.id,
        running: slot.inFlight.length,
        completed: slot.completed,
        utilisation: now > slot.since ? Math.min(1, (slot.busy + (slot.inFlight[0] === undefined ? 0 : now - slot.inFlight[0].startedAt)) / (now - slot.since)) : 0,
      })),
      runTime: this.#stats.runTime,
      waitTime: this.#stats.waitTime,
    };
  }

  // ---- submitting ----------------------------------------------------------------------

  #check(name: string, options: CallOptions): void {
    if (this.#state !== 'open') throw new MultitaskError('POOL_CLOSED', 'the pool is closed');
    if (typeof name !== 'string' || !Object.hasOwn(this.#options.tasks.tasks, name)) throw new MultitaskError('INVALID_ARGUMENT', `the pool's task set has no task '${String(name)}'`);
    if (options.timeout !== undefined && !(options.timeout > 0)) throw new MultitaskError('INVALID_ARGUMENT', 'options.timeout must be a positive number of ms');
    if (options.retries !== undefined && !(Number.isInteger(options.retries) && options.retries >= 0)) throw new MultitaskError('INVALID_ARGUMENT', 'options.retries must be an integer ≥ 0');
  }

  async #map(name: string, items: readonly unknown[], star: boolean, options: MapOptions): Promise<unknown[]> {
    this.#check(name, options);
    scan(items, 'items');
    const chunkSize = positiveInteger(options.chunkSize ?? Math.max(1, Math.ceil(items.length / (this.size * 4))), 'chunkSize');
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
    const window = positiveInteger(options.window ?? this.size * 2, 'window');
    yield* windowed(items, chunkSize, window, ordered, (chunk) => {
      scan(chunk, 'items');
      return this.#submitChunk(name, chunk, false, options);
    });
  }

  /** Submits one chunk; a chunk of numbers travels packed (see {@link packNumbers}). */
  #submitChunk(task: string, items: readonly unknown[], star: boolean, options: CallOptions): Promise<ArrayLike<unknown>> {
    const packed = !star && items.every((item) => typeof item === 'number') ? packNumbers(items as number[]) : items;
    return this.#submit('chunk', { task, items: packed, star }, options) as Promise<ArrayLike<unknown>>;
  }

  /** Queues a job, waiting for room under `maxQueue`. */
  async #submit(kind: Job['kind'], payload: Payload, options: CallOptions): Promise<unknown> {
    const max = this.#options.maxQueue;
    if (max !== undefined && this.#queue.size >= max) {
      if (this.#options.queueFull === 'reject') throw new MultitaskError('POOL_FULL', `the pool's queue holds its maximum of ${max} tasks`);
      while (this.#queue.size >= max && this.#state === 'open') await new Promise<void>((resolve) => this.#room.push(resolve));
      if (this.#state !== 'open') throw new MultitaskError('POOL_CLOSED', 'the pool was closed while the call waited for room');
    }
    return this.#enqueue(kind, payload, options, undefined);
  }

  #enqueue(kind: Job['kind'], payload: Payload, options: CallOptions, pinned: Slot | undefined): Promise<unknown> {
    const signal = options.signal;
    if (signal?.aborted === true) return Promise.reject(abortError(signal, `task '${payload.task}'`));
    if (this.#broken !== undefined) return Promise.reject(this.#broken);
    return new Promise((resolve, reject) => {
      const job: Job = {
        kind,
        payload,
        timeout: options.timeout ?? this.#options.taskTimeout,
        signal,
        retries: options.retries ?? 0,
        resolve,
        reject,
        queuedAt: this.#clock.now(),
        startedAt: 0,
        worker: undefined,
        pinned,
        settled: false,
        timer: undefined,
        unlisten: () => undefined,
      };
      if (signal !== undefined) {
        const onAbort = (): void => this.#abort(job);
        signal.addEventListener('abort', onAbort, { once: true });
        job.unlisten = () => signal.removeEventListener('abort', onAbort);
      }
      if (pinned !== undefined) this.#dispatch(job, pinned);
      else {
        this.#queue.push(job);
        this.#pump();
      }
    });
  }

  // ---- scheduling ----------------------------------------------------------------------

  /** Hands queued jobs to workers with room: the least busy first. */
  #pump(): void {
    while (this.#queue.size > 0) {
      const job = this.#queue.peek() as Job;
      if (job.settled) {
        this.#queue.shift();
        continue;
      }
      let best: Slot | undefined;
      for (const slot of this.#slots) {
        if (slot.retiring) continue;
        const room = this.#short(job) && slot.inFlight.every((j) => this.#short(j)) ? DEPTH : 1;
        if (slot.inFlight.length < room && (best === undefined || slot.inFlight.length < best.inFlight.length)) best = slot;
      }
      if (best === undefined) break;
      this.#queue.shift();
      this.#dispatch(job, best);
    }
    if (this.#queue.size > 0) this.#backlog = true;
    else if (this.#backlog) {
      this.#backlog = false;
      this.emit('drain');
    }
    const max = this.#options.maxQueue;
    while (this.#room.length > 0 && (max === undefined || this.#queue.size < max)) this.#room.shift()?.();
  }

  /** Whether a job may wait behind others on a worker: short by its task's record, and without a timeout. */
  #short(job: Job): boolean {
    const typical = this.#stats.typical(job.payload.task);
    return job.timeout === undefined && typical !== undefined && typical < SHORT_MS;
  }

  #dispatch(job: Job, slot: Slot): void {
    job.worker = slot;
    slot.inFlight.push(job);
    if (slot.inFlight.length === 1) this.#started(job);
    slot.ref.ask(job.kind, job.payload as never, { timeout: Infinity }).then(
      (value) => this.#finished(slot, job, true, value),
      (error: unknown) => this.#finished(slot, job, false, error),
    );
  }

  /** The job is the first in its worker's line: it runs now. */
  #started(job: Job): void {
    job.startedAt = this.#clock.now();
    this.#stats.waited(job.startedAt - job.queuedAt);
    if (job.timeout !== undefined) {
      const limit = job.timeout;
      job.timer = this.#clock.setTimeout(() => {
        const slot = job.worker;
        this.#settle(job, false, new MultitaskError('TASK_TIMEOUT', `task '${job.payload.task}' ran past its timeout of ${limit} ms`));
        if (slot !== undefined) this.#replace(slot, { kind: 'timeout', error: new MultitaskError('TASK_TIMEOUT', `a task ran past its timeout of ${limit} ms`) });
      }, limit);
    }
  }

  #finished(slot: Slot, job: Job, ok: boolean, value: unknown): void {
    if (job.worker !== slot) return; // requeued elsewhere, or the worker was replaced
    const at = slot.inFlight.indexOf(job);
    if (at >= 0) slot.inFlight.splice(at, 1);
    job.worker = undefined;
    const now = this.#clock.now();
    slot.busy += now - job.startedAt;
    slot.completed += 1;
    this.#stats.ran(job.payload.task, now - job.startedAt, 'items' in job.payload ? job.payload.items.length : 1);
    this.#settle(job, ok, value);
    const next = slot.inFlight[0];
    if (at === 0 && next !== undefined) this.#started(next);
    const max = this.#options.maxTasksPerWorker;
    if (max !== undefined && slot.completed >= max && !slot.retiring && slot.actors === 0) {
      slot.retiring = true;
      slot.succeeded = true;
      this.#startWorker().catch(() => undefined);
    }
    if (slot.retiring && slot.inFlight.length === 0) void this.#system.stop(slot.ref);
    this.#pump();
    this.#wakeIfIdle();
  }

  #settle(job: Job, ok: boolean, value: unknown): void {
    if (job.settled) return;
    job.settled = true;
    job.unlisten();
    if (job.timer !== undefined) this.#clock.clearTimeout(job.timer);
    this.#stats.settled(ok);
    if (ok) job.resolve(value);
    else job.reject(value);
    this.#wakeIfIdle();
  }

  #abort(job: Job): void {
    if (job.settled || job.signal === undefined) return;
    const slot = job.worker;
    this.#settle(job, false, abortError(job.signal, `task '${job.payload.task}'`));
    if (slot !== undefined && slot.inFlight[0] === job) this.#replace(slot, { kind: 'stopped' });
    else if (slot !== undefined) slot.inFlight.splice(slot.inFlight.indexOf(job), 1);
  }

  // ---- workers -------------------------------------------------------------------------

  #startWorker(): Promise<void> {
    const start = this.#spawnWorker();
    this.#starts.add(start);
    const forget = (): void => void this.#starts.delete(start);
    start.then(forget, forget);
    return start;
  }

  async #spawnWorker(): Promise<void> {
    try {
      const initializer = this.#options.initializer as { task: string; args: readonly unknown[] } | undefined;
      const ref = await this.#system.spawn(PoolWorker, {
        placement: this.#options.placement ?? 'thread',
        args: { url: this.#options.tasks.url, name: this.#options.tasks.name, initializer },
      });
      if (this.#state === 'terminated') {
        await this.#system.stop(ref);
        return;
      }
      this.#slots.push({ ref, inFlight: [], since: this.#clock.now(), completed: 0, busy: 0, retiring: false, succeeded: false, actors: 0 });
      this.#pump();
    } catch (error) {
      if (this.#slots.length === 0 && this.#starts.size <= 1) this.#fail(error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
  }

  /** No worker could start: fail what waits, and what comes. */
  #fail(error: Error): void {
    this.#broken = error;
    for (const job of this.#queue.drain()) this.#settle(job, false, error);
  }

  /** Ends a worker now (a task past its timeout, an aborted task) and starts another. */
  #replace(slot: Slot, reason: DownReason): void {
    if (slot.retiring) return;
    slot.retiring = true;
    void this.#system.kill(slot.ref, reason);
  }

  /** A worker is gone: its running job fails (or is retried), the ones behind it go back in line. */
  readonly #onStopped = (ref: ActorRef, reason: DownReason): void => {
    const at = this.#slots.findIndex((slot) => slot.ref.id === ref.id);
    if (at < 0) return;
    const slot = this.#slots[at] as Slot;
    this.#slots.splice(at, 1);
    const [running, ...behind] = slot.inFlight.splice(0);
    const requeue: Job[] = [];
    if (running !== undefined && !running.settled) {
      running.worker = undefined;
      if (running.timer !== undefined) this.#clock.clearTimeout(running.timer);
      if (running.retries > 0 && running.pinned === undefined) {
        running.retries -= 1;
        requeue.push(running);
      } else {
        const error = reason.kind === 'stopped' ? new MultitaskError('WORKER_CRASHED', `the worker running task '${running.payload.task}' was stopped`) : reason.error;
        this.#settle(running, false, error instanceof MultitaskError ? error : new MultitaskError('WORKER_CRASHED', error.message, { cause: error }));
      }
    }
    for (const job of behind) {
      job.worker = undefined;
      if (job.settled) continue;
      if (job.pinned !== undefined) this.#settle(job, false, new MultitaskError('WORKER_CRASHED', `the worker of a broadcast of '${job.payload.task}' died`));
      else requeue.push(job);
    }
    for (const job of requeue.reverse()) this.#queue.unshift(job);
    if (!slot.succeeded && this.#state !== 'terminated') {
      this.emit('worker:replaced', reason);
      this.#startWorker().catch(() => undefined);
    }
    this.#pump();
    this.#wakeIfIdle();
  };

  #busy(): boolean {
    return this.#queue.size > 0 || this.#slots.some((slot) => slot.inFlight.length > 0);
  }

  #wakeIfIdle(): void {
    if (this.#busy()) return;
    for (const wake of this.#idle.splice(0)) wake();
  }

  async #end(): Promise<void> {
    this.#state = this.#state === 'open' ? 'closed' : this.#state;
    await this.ready.catch(() => undefined);
    while (this.#starts.size > 0) await Promise.allSettled([...this.#starts]);
    await (await this.#actors?.catch(() => undefined))?.stop();
    this.#system.off('actor:stopped', this.#onStopped);
    const slots = this.#slots.splice(0);
    if (this.#ownSystem) await this.#system.shutdown();
    else await Promise.all(slots.map((slot) => this.#system.stop(slot.ref)));
  }
}

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
