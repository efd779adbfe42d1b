import type { Worker, WorkerOptions } from 'node:worker_threads';
import { workerThreads } from '../lazyBuiltins.js';
import { releaseProxy, wrap, type Remote } from 'comlink';
import { MultitaskError, type Clock } from '../index.js';
import { webEndpoint } from './comlinkEndpoint.js';
import type { AdoptedWorker } from './comlinkTypes.js';

/** A property no exposed object has: reading it is a round trip that proves `Comlink.expose` is listening. */
const PROBE = '~multitask.ready';

type Methods = Record<string, (...args: readonly unknown[]) => unknown>;

/**
 * One worker running a script that calls `Comlink.expose`, and the comlink proxy to it. It
 * learns the worker's death (an uncaught error, `process.exit`, running out of memory) and
 * settles every call in flight with `WORKER_CRASHED` then, since comlink itself never does.
 * @internal
 */
export class WorkerLink implements AdoptedWorker {
  readonly worker: Worker;
  /** The worker's thread id, which tells this worker's death apart from an earlier one's. */
  readonly threadId: number;
  readonly #label: string;
  readonly #remote: Remote<Methods>;
  /** Rejects the calls in flight (and a start that waits). */
  readonly #pending = new Set<(error: Error) => void>();
  #error: Error | undefined;
  #death: MultitaskError | undefined;
  #closing: Promise<void> | undefined;
  #onDeath: (() => void) | undefined;

  constructor(label: string, script: string | URL, options: WorkerOptions) {
    this.#label = label;
    this.worker = new (workerThreads().Worker)(script, options);
    this.threadId = this.worker.threadId;
    this.#remote = wrap<Methods>(webEndpoint(this.worker));
    this.worker.on('error', (error) => (this.#error = error));
    this.worker.once('exit', (code) => this.#exited(code));
  }

  /** Why the worker died, once it did (and was not ended by {@link WorkerLink.close}). */
  get death(): MultitaskError | undefined {
    return this.#death;
  }

  /**
   * Resolves once the script answers through comlink: it has called `Comlink.expose`.
   * @throws MultitaskError `WORKER_CRASHED` when the worker dies first, `SPAWN_FAILED` when `timeout` ms pass first
   */
  ready(timeout: number, clock: Clock): Promise<void> {
    if (this.#death !== undefined) return Promise.reject(this.#death);
    const probe = Promise.resolve(this.#remote[PROBE] as unknown as PromiseLike<unknown>);
    return new Promise<void>((resolve, reject) => {
      const done = (error?: unknown): void => {
        clock.clearTimeout(timer);
        this.#pending.delete(done);
        if (error === undefined) resolve();
        else reject(error);
      };
      const timer = clock.setTimeout(() => done(new MultitaskError('SPAWN_FAILED', `${this.#label} did not answer within ${timeout} ms: does the script call Comlink.expose?`)), timeout);
      this.#pending.add(done);
      probe.then(() => done(), done);
    });
  }

  /**
   * Calls `method(...args)` on the exposed object.
   * @throws (rejects with) the method's error, or MultitaskError `WORKER_CRASHED` when the worker dies first
   */
  call(method: string, args: readonly unknown[]): Promise<unknown> {
    if (this.#death !== undefined) return Promise.reject(this.#death);
    const result = Promise.resolve((this.#remote[method] as (...a: readonly unknown[]) => Promise<unknown>)(...args));
    return new Promise((resolve, reject) => {
      this.#pending.add(reject);
      result.then(resolve, reject).finally(() => this.#pending.delete(reject));
    });
  }

  /** Calls `died` when the worker dies unexpectedly, at once if it already did. */
  watch(died: () => void): void {
    this.#onDeath = died;
    if (this.#death !== undefined) died();
  }

  /** Ends the worker (its death is then expected: no `watch` call). Calls in flight reject with `ACTOR_STOPPED`. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#onDeath = undefined;
    this.#rejectAll(new MultitaskError('ACTOR_STOPPED', `${this.#label} was stopped`));
    this.#remote[releaseProxy]();
    await this.worker.terminate();
  }

  #exited(code: number): void {
    if (this.#closing !== undefined) return;
    const how = this.#error === undefined ? `exited with code ${code}` : `died: ${this.#error.message}`;
    this.#death = new MultitaskError('WORKER_CRASHED', `${this.#label} ${how}`, this.#error === undefined ? undefined : { cause: this.#error });
    this.#rejectAll(this.#death);
    this.#onDeath?.();
  }

  #rejectAll(error: Error): void {
    for (const reject of this.#pending) reject(error);
    this.#pending.clear();
  }
}
