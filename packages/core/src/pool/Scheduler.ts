import type { ActorRef } from '../actor/ActorRef.js';
import type { ActorSystem } from '../system/ActorSystem.js';
import type { DownReason } from '../actor/DownReason.js';
import { monotonicNow, type Clock } from '../clock.js';
import { MultitaskError } from '../errors.js';
import { Fifo } from '../Fifo.js';
import { abortError } from '../limits.js';
import type { TaskSet } from './defineTasks.js';
import { PoolStats, snapshot } from './metrics.js';
import { mapChunkSize, roomFor } from './sendAhead.js';
import type { CallOptions, PoolMetrics, PoolOptions } from './options.js';
import type { Job, Payload, Slot } from './jobs.js';
import { poolWorker, remoteWorker } from './PoolWorker.js';
import type { PoolTargets } from './PoolNodes.js';

/** What the scheduler needs from its pool. @internal */
export interface SchedulerHost {
  /** Whether the pool takes work, finishes it (`closed`), or dropped it (`terminated`). */
  state(): 'open' | 'closed' | 'terminated';
  /** The queue emptied after tasks had to wait (the pool's `drain`). */
  drained(): void;
  /** A worker died or was ended and is being replaced (the pool's `worker:replaced`). */
  replaced(reason: DownReason): void;
  /** The pool's id (its metrics' `multitask.pool`). */
  readonly id: string;
}

/**
 * The pool's work and workers: the queue of accepted calls (bounded by `maxQueue`), the
 * workers and the jobs each was handed (short tasks sent ahead), timeouts counted from a
 * job's start, and workers replaced when they die, time out or are recycled.
 * @internal
 */
export class Scheduler<T extends TaskSet = TaskSet> {
  readonly #host: SchedulerHost;
  readonly #system: ActorSystem;
  readonly #options: PoolOptions<T>;
  readonly #clock: Clock;
  readonly #queue = new Fifo<Job>();
  readonly #slots: Slot[] = [];
  /** Calls waiting for room under `maxQueue`. */
  readonly #room: Array<() => void> = [];
  /** Workers being started, and the node of each. */
  readonly #starts = new Map<Promise<void>, string>();
  readonly #targets: PoolTargets;
  readonly #stats = new PoolStats();
  /** `join` calls waiting for the pool to be idle. */
  readonly #idle: Array<() => void> = [];
  /** Why no worker could start, once none could: later calls fail with it. */
  #broken: Error | undefined;
  /** Tasks had to wait for a worker: `drain` fires when the last of them gets one. */
  #backlog = false;

  constructor(host: SchedulerHost, system: ActorSystem, options: PoolOptions<T>, clock: Clock, targets: PoolTargets) {
    this.#host = host;
    this.#system = system;
    this.#options = options;
    this.#clock = clock;
    this.#targets = targets;
  }

  /** The workers, running or retiring. */
  get workers(): readonly Slot[] {
    return this.#slots;
  }

  /** Why no worker could start, once none could. */
  get broken(): Error | undefined {
    return this.#broken;
  }

  /** Resolves once no worker is being started (replacements included). */
  async started(): Promise<void> {
    while (this.#starts.size > 0) await Promise.allSettled([...this.#starts.keys()]);
  }

  /** Resolves once nothing is queued or running. */
  async whenIdle(): Promise<void> {
    while (this.busy()) await new Promise<void>((resolve) => this.#idle.push(resolve));
  }

  /**
   * The least loaded worker that `fits` (on any node) for an actor, marked as hosting one
   * more: its load is the actors placed on it plus its jobs running and sent ahead; between
   * equals, the first started.
   */
  leastLoaded(fits: (slot: Slot) => boolean): Slot | undefined {
    let best: Slot | undefined;
    for (const slot of this.#slots) {
      if (slot.retiring || !fits(slot)) continue;
      if (best === undefined || slot.actors + slot.inFlight.length < best.actors + best.inFlight.length) best = slot;
    }
    if (best !== undefined) best.actors += 1;
    return best;
  }

  /**
   * Waits for a worker on `node`: while some are being started there, until no worker is
   * being started (however they end); else a new one, started now (rejects when it fails).
   */
  async workerOn(node: string): Promise<void> {
    if ([...this.#starts.values()].includes(node)) return this.started();
    await this.startWorker(node);
  }

  /** Forgets every worker (the pool is ending) and returns them, to be stopped. */
  takeWorkers(): Slot[] {
    return this.#slots.splice(0);
  }

  /** Calls waiting for room look again (the pool closed: they reject). */
  recheckRoom(): void {
    for (const wake of this.#room.splice(0)) wake();
  }

  /** Everything queued or running fails with `error` (the pool is terminated). */
  dropAll(error: Error): void {
    for (const job of this.#queue.drain()) this.settle(job, false, error);
    for (const slot of this.#slots) for (const job of slot.inFlight.splice(0)) this.settle(job, false, error);
    this.recheckRoom();
  }

  /** Counts and timings of the work so far. */
  metrics(): PoolMetrics {
    return snapshot(this.#queue.size, this.#slots, this.#stats, this.#targets, this.#clock.now());
  }

  /** The chunk size of a `map` of `count` items over `workers` workers (see {@link mapChunkSize}). */
  chunkSize(task: string, count: number, workers: number): number {
    return mapChunkSize(task, count, workers, this.#stats, this.#targets.longest);
  }

  /** Queues a job, waiting for room under `maxQueue`. */
  async submit(kind: Job['kind'], payload: Payload, options: CallOptions): Promise<unknown> {
    const max = this.#options.maxQueue;
    if (max !== undefined && this.#queue.size >= max) {
      if (this.#options.queueFull === 'reject') throw new MultitaskError('POOL_FULL', `the pool's queue holds its maximum of ${max} tasks`);
      while (this.#queue.size >= max && this.#host.state() === 'open') await new Promise<void>((resolve) => this.#room.push(resolve));
      if (this.#host.state() !== 'open') throw new MultitaskError('POOL_CLOSED', 'the pool was closed while the call waited for room');
    }
    return this.enqueue(kind, payload, options, undefined);
  }

  enqueue(kind: Job['kind'], payload: Payload, options: CallOptions, pinned: Slot | undefined): Promise<unknown> {
    const signal = options.signal;
    if (signal?.aborted === true) return Promise.reject(abortError(signal, `task '${payload.task}'`));
    if (this.#broken !== undefined) return Promise.reject(this.#broken);
    return new Promise((resolve, reject) => {
      const job: Job = {
        kind,
        payload,
        timeout: finite(options.timeout ?? this.#options.taskTimeout),
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
        context: this.#system.telemetry?.capture(),
      };
      if (signal !== undefined) {
        const onAbort = (): void => this.#abort(job);
        signal.addEventListener('abort', onAbort, { once: true });
        job.unlisten = () => signal.removeEventListener('abort', onAbort);
      }
      if (pinned !== undefined) this.#dispatch(job, pinned);
      else {
        this.#queue.push(job);
        this.pump();
      }
    });
  }

  // ---- scheduling ----------------------------------------------------------------------

  /** Hands queued jobs to workers with room: the least busy first. */
  pump(): void {
    while (this.#queue.size > 0) {
      const job = this.#queue.peek() as Job;
      if (job.settled) {
        this.#queue.shift();
        continue;
      }
      let best: Slot | undefined;
      for (const slot of this.#slots) {
        if (slot.retiring || slot.inFlight.length >= roomFor(job, slot, this.#stats, this.#targets.roundTrip(slot.node))) continue;
        // The least busy; between equals, the nearest.
        if (best === undefined || slot.inFlight.length < best.inFlight.length || (slot.inFlight.length === best.inFlight.length && this.#targets.roundTrip(slot.node) < this.#targets.roundTrip(best.node))) best = slot;
      }
      if (best === undefined) {
        if (this.#slots.length === 0 && this.#starts.size === 0 && !this.#anyNodeUp()) this.#noNode();
        break;
      }
      this.#queue.shift();
      this.#dispatch(job, best);
    }
    if (this.#queue.size > 0) this.#backlog = true;
    else if (this.#backlog) {
      this.#backlog = false;
      this.#host.drained();
    }
    const max = this.#options.maxQueue;
    while (this.#room.length > 0 && (max === undefined || this.#queue.size < max)) this.#room.shift()?.();
  }

  #dispatch(job: Job, slot: Slot): void {
    job.worker = slot;
    slot.inFlight.push(job);
    if (slot.inFlight.length === 1) this.#started(job);
    const ask = (): Promise<unknown> => slot.ref.ask(job.kind, job.payload as never, { timeout: Infinity });
    const telemetry = this.#system.telemetry;
    (telemetry === undefined ? ask() : telemetry.within(job.context as never, ask)).then(
      (value) => this.#finished(slot, job, true, value),
      (error: unknown) => this.#finished(slot, job, false, error),
    );
  }

  /** The job is the first in its worker's line: it runs now. */
  #started(job: Job): void {
    job.startedAt = this.#clock.now();
    this.#stats.waited(job.startedAt - job.queuedAt);
    this.#system.telemetry?.poolWaited(this.#host.id, job.payload.task, job.startedAt - job.queuedAt);
    if (job.timeout !== undefined) {
      const limit = job.timeout;
      job.timer = this.#clock.setTimeout(() => {
        const slot = job.worker;
        this.settle(job, false, new MultitaskError('TASK_TIMEOUT', `task '${job.payload.task}' ran past its timeout of ${limit} ms`));
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
    this.#system.telemetry?.poolRan(this.#host.id, job.payload.task, now - job.startedAt, ok);
    this.settle(job, ok, value);
    const next = slot.inFlight[0];
    if (at === 0 && next !== undefined) this.#started(next);
    const max = this.#options.maxTasksPerWorker;
    if (max !== undefined && slot.completed >= max && !slot.retiring && slot.actors === 0) {
      slot.retiring = true;
      slot.succeeded = true;
      this.fill();
    }
    if (slot.retiring && slot.inFlight.length === 0) void this.#system.stop(slot.ref);
    this.pump();
    this.#wakeIfIdle();
  }

  settle(job: Job, ok: boolean, value: unknown): void {
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
    this.settle(job, false, abortError(job.signal, `task '${job.payload.task}'`));
    if (slot !== undefined && slot.inFlight[0] === job) this.#replace(slot, { kind: 'stopped' });
    else if (slot !== undefined) slot.inFlight.splice(slot.inFlight.indexOf(job), 1);
  }

  // ---- workers -------------------------------------------------------------------------

  /** Starts a worker on `node` (by name). */
  startWorker(node: string): Promise<void> {
    const start = this.#spawnWorker(node);
    this.#starts.set(start, node);
    const forget = (): void => void this.#starts.delete(start);
    start.then(forget, forget);
    return start;
  }

  /**
   * Starts or retires workers until each live node has the number the pool wants there.
   * Workers that go are the least busy; they finish what they hold first.
   */
  fill(): void {
    if (this.#host.state() === 'terminated') return;
    for (const [node, wanted] of this.#targets.entries()) {
      if (!this.#targets.isUp(node)) continue;
      const here = this.#slots.filter((slot) => slot.node === node && !slot.retiring);
      let starting = 0;
      for (const at of this.#starts.values()) if (at === node) starting += 1;
      for (let i = here.length + starting; i < wanted; i++) this.startWorker(node).catch(() => undefined);
      const extra = here.length + starting - wanted;
      if (extra <= 0) continue;
      for (const slot of here.sort((x, y) => x.actors + x.inFlight.length - (y.actors + y.inFlight.length)).slice(0, extra)) {
        slot.retiring = true;
        slot.succeeded = true;
        if (slot.inFlight.length === 0) void this.#system.stop(slot.ref);
      }
    }
  }

  async #spawnWorker(node: string): Promise<void> {
    try {
      const initializer = this.#options.initializer as { task: string; args: readonly unknown[] } | undefined;
      const remote = !this.#targets.isSelf(node);
      const placement = this.#options.placement ?? 'thread';
      const ref = await this.#system.spawn(remote ? remoteWorker(this.#options.tasks) : poolWorker(), {
        placement: remote ? { node, in: placement } : placement,
        args: { url: this.#options.tasks.url, name: this.#options.tasks.name, initializer },
      });
      if (this.#host.state() === 'terminated') {
        await this.#system.stop(ref);
        return;
      }
      if (remote) await this.#timeRoundTrip(node, ref);
      this.#slots.push({ ref, node, remote, inFlight: [], since: this.#clock.now(), completed: 0, busy: 0, retiring: false, succeeded: false, actors: 0 });
      this.pump();
    } catch (error) {
      if (this.#slots.length === 0 && this.#starts.size <= 1) this.#fail(error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
  }

  /** Times a few round trips to a new worker on another node (the least of them counts). */
  async #timeRoundTrip(node: string, ref: Slot['ref']): Promise<void> {
    for (let i = 0; i < 3; i++) {
      const sent = monotonicNow();
      await ref.ask('ping', undefined, { timeout: 30_000 });
      this.#targets.measured(node, monotonicNow() - sent);
    }
  }

  /** Whether a node the pool wants workers on is up: else no worker will come for what is queued. */
  #anyNodeUp(): boolean {
    return this.#targets.entries().some(([node, wanted]) => wanted > 0 && this.#targets.isUp(node));
  }

  /** No node of the pool is up and no worker is left: what is queued fails, rather than wait for a node that may not come. */
  #noNode(): void {
    const nodes = this.#targets.entries().map(([node]) => `'${node}'`).join(', ');
    for (const job of this.#queue.drain()) this.settle(job, false, new MultitaskError('NODE_DOWN', `task '${job.payload.task}': none of the pool's nodes (${nodes}) is up`));
  }

  /** No worker could start: fail what waits, and what comes. */
  #fail(error: Error): void {
    this.#broken = error;
    for (const job of this.#queue.drain()) this.settle(job, false, error);
  }

  /** Ends a worker now (a task past its timeout, an aborted task) and starts another. */
  #replace(slot: Slot, reason: DownReason): void {
    if (slot.retiring) return;
    slot.retiring = true;
    // A worker on another node is stopped there: this node can end only its own threads and processes.
    void (slot.remote ? this.#system.stop(slot.ref) : this.#system.kill(slot.ref, reason));
  }

  /** A worker is gone: its running job fails (or is retried), the ones behind it go back in line. */
  readonly onStopped = (ref: ActorRef, reason: DownReason): void => {
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
        this.settle(running, false, error instanceof MultitaskError ? error : new MultitaskError('WORKER_CRASHED', error.message, { cause: error }));
      }
    }
    for (const job of behind) {
      job.worker = undefined;
      if (job.settled) continue;
      if (job.pinned !== undefined) this.settle(job, false, new MultitaskError('WORKER_CRASHED', `the worker of a broadcast of '${job.payload.task}' died`));
      else requeue.push(job);
    }
    for (const job of requeue.reverse()) this.#queue.unshift(job);
    if (!slot.succeeded && this.#host.state() !== 'terminated' && this.#targets.isUp(slot.node)) {
      this.#host.replaced(reason);
      this.fill();
    }
    this.pump();
    this.#wakeIfIdle();
  };

  busy(): boolean {
    return this.#queue.size > 0 || this.#slots.some((slot) => slot.inFlight.length > 0);
  }

  #wakeIfIdle(): void {
    if (this.busy()) return;
    for (const wake of this.#idle.splice(0)) wake();
  }
}

/** A timeout of `Infinity` is no limit (a timer of `Infinity` ms would fire at once). */
function finite(timeout: number | undefined): number | undefined {
  return timeout === Number.POSITIVE_INFINITY ? undefined : timeout;
}
