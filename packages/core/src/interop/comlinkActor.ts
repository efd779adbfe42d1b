import type { WorkerOptions } from 'node:worker_threads';
import { defineActor, MultitaskError, systemClock, type ActorContext, type Clock, type Handler } from '../index.js';
import type { AdoptedWorker, AdoptedWorkerArgs, ComlinkActorDefinition, MethodList } from './comlinkTypes.js';
import { WorkerLink } from './WorkerLink.js';

/**
 * Worker options an adopted worker is started with: those of Node's `Worker`, except what
 * the actor sets itself (`workerData` comes from the spawn arguments) or cannot use.
 *
 * @example
 * ```ts
 * const options: AdoptedWorkerOptions = { resourceLimits: { maxOldGenerationSizeMb: 256 }, env: { MODE: 'batch' } };
 * ```
 */
export type AdoptedWorkerOptions = Omit<WorkerOptions, 'eval' | 'workerData' | 'transferList' | 'argv'>;

/**
 * What you give {@link comlinkActor}.
 * @typeParam T - the type of the object the script exposes (`typeof import('./legacy.js').api`)
 *
 * @example
 * ```ts
 * const spec: ComlinkActorSpec<typeof import('./legacy.js').api> = {
 *   url: import.meta.url,
 *   name: 'Legacy',
 *   script: new URL('./legacy.js', import.meta.url),
 *   methods: { add: true, get: true },
 * };
 * ```
 */
export interface ComlinkActorSpec<T> {
  /**
   * The URL of the module that exports the definition: pass `import.meta.url`. Threads and
   * processes import it to find the definition, as for {@link @multitask/core!defineActor}.
   */
  readonly url: string;
  /** The definition's name, unique within its module. */
  readonly name: string;
  /** The worker script, which calls `Comlink.expose(object)` (on `parentPort`, or its `nodeEndpoint`). */
  readonly script: string | URL;
  /** Every method of `T`, each marked `true` (the compiler checks the list is complete). */
  readonly methods: MethodList<T>;
  /** Options of the `Worker`. */
  readonly workerOptions?: AdoptedWorkerOptions;
  /**
   * Milliseconds the script may take to load and call `Comlink.expose`; past them the start
   * fails with `SPAWN_FAILED`.
   * @defaultValue 60000
   */
  readonly startTimeout?: number;
  /** The clock of `startTimeout`; inject one to test it without waiting. @defaultValue {@link @multitask/core!systemClock} */
  readonly clock?: Clock;
}

/** The message an actor tells itself when its worker died while it waited for messages. */
const WORKER_DIED = '~multitask.workerDied';

const DEFAULT_START_TIMEOUT = 60_000;

/**
 * Adopts a worker script that calls `Comlink.expose(object)` as an actor: each method of
 * the object is a message type, and the actor owns the worker, starting a fresh one on
 * every start and restart. Spawn it, or put it under a supervisor, like any definition.
 *
 * @remarks
 * - **Messages.** The payload of message `m` is the argument list of `object.m`, a tuple:
 *   `ask('add', [1, 2])` calls `add(1, 2)`, `ask('get')` calls `get()`. The reply is what
 *   the method returns or resolves with; arguments and replies are copied (structured
 *   clone, as comlink does). Messages are handled one at a time, in order, like any
 *   actor's: calls do not overlap in the worker.
 * - **Errors** a method throws reach the asker with the `name`, `message` and `stack`
 *   that comlink carries (comlink drops other fields, `code` among them). Under a supervisor
 *   a throw is a crash, as for every actor: the worker is ended and a fresh one started.
 * - **Worker death** (an uncaught error, `process.exit`, out of memory) crashes the actor,
 *   whether it was handling a message or waiting for one: the call in flight rejects with
 *   `WORKER_CRASHED` (the worker's error as `cause`), and a supervisor restarts the actor
 *   with a fresh worker; messages still queued are then handled by it. An unsupervised
 *   actor stays up and answers every later message with that `WORKER_CRASHED`.
 * - **Stopping** the actor (or shutting its system down) ends its worker.
 * - **Placements.** The actor runs where it is spawned and starts its worker from there.
 *   `inline` always works: the worker is a thread of this process. `thread` and `process`
 *   work when the definition is exported from the module at `url` (threads and processes
 *   import definitions by URL) and the script loads there; the worker is then a thread of
 *   the actor's thread or process, one hop further away.
 * - The script must start as `new Worker(script, workerOptions)` starts it: under tsx on
 *   Node 20 that means JavaScript (tsx registers in worker threads from Node 22.22.3 and
 *   24.11.1).
 *
 * @typeParam T - the type of the exposed object (`typeof import('./legacy.js').api`): give it explicitly
 * @param spec - the url (`import.meta.url`), name, script, the methods of `T`, and worker options
 * @returns the definition, to pass to `system.spawn` or to a supervisor's `child`
 * @throws {@link @multitask/core!MultitaskError} `INVALID_ARGUMENT` when the spec is incomplete
 *
 * @example
 * ```ts
 * // legacy.js, unchanged:
 * //   export const api = { add: (a, b) => a + b, async slow(ms) { ... } };
 * //   Comlink.expose(api, nodeEndpoint(parentPort));
 * import { createSystem, child } from '@multitask/core';
 * import { comlinkActor } from '@multitask/core/comlink';
 *
 * export const Legacy = comlinkActor<typeof import('./legacy.js').api>({
 *   url: import.meta.url,
 *   name: 'Legacy',
 *   script: new URL('./legacy.js', import.meta.url),
 *   methods: { add: true, slow: true },
 * });
 *
 * await using system = createSystem();
 * const sup = await system.supervise({ children: [child('legacy', Legacy)] });
 * const sum = await sup.ref('legacy').ask('add', [1, 2]); // 3, typed as number
 * ```
 */
export function comlinkActor<T extends object>(spec: ComlinkActorSpec<T>): ComlinkActorDefinition<T> {
  const methods = checkSpec(spec);
  const label = `the worker of ${spec.name} (${String(spec.script)})`;
  const startTimeout = spec.startTimeout ?? DEFAULT_START_TIMEOUT;
  const clock = spec.clock ?? systemClock;
  const handlers: Record<string, Handler<AdoptedWorker>> = {};
  for (const method of methods) handlers[method] = (ctx: ActorContext<AdoptedWorker>, args: unknown) => linkOf(ctx).call(method, argumentList(spec.name, method, args));
  handlers[WORKER_DIED] = (ctx: ActorContext<AdoptedWorker>, threadId: number) => {
    const link = linkOf(ctx);
    if (link.threadId === threadId && link.death !== undefined) throw link.death;
  };
  return defineActor({
    url: spec.url,
    name: spec.name,
    async init(args: AdoptedWorkerArgs | undefined): Promise<AdoptedWorker> {
      const link = new WorkerLink(label, spec.script, { ...spec.workerOptions, workerData: args?.workerData });
      try {
        await link.ready(startTimeout, clock);
      } catch (error) {
        await link.close();
        throw error;
      }
      return link;
    },
    handlers,
    onStart(ctx) {
      const link = linkOf(ctx);
      link.watch(() => ctx.self.tell(WORKER_DIED, link.threadId as never));
    },
    async onRestart(_ctx, previous) {
      if (previous !== undefined) await (previous as WorkerLink).close();
    },
    async onStop(ctx) {
      await linkOf(ctx).close();
    },
  }) as unknown as ComlinkActorDefinition<T>;
}

function linkOf(ctx: ActorContext<AdoptedWorker>): WorkerLink {
  return ctx.state as WorkerLink;
}

/** The arguments of a call: the payload, an array (or nothing, for none). @throws MultitaskError `INVALID_ARGUMENT` */
function argumentList(name: string, method: string, payload: unknown): readonly unknown[] {
  if (payload === undefined) return [];
  if (Array.isArray(payload)) return payload;
  throw new MultitaskError('INVALID_ARGUMENT', `${name}: the payload of '${method}' is its argument list, an array (got ${typeof payload})`);
}

/** The method names of a valid spec. @throws MultitaskError `INVALID_ARGUMENT` */
function checkSpec(spec: ComlinkActorSpec<object>): string[] {
  const invalid = (what: string): MultitaskError => new MultitaskError('INVALID_ARGUMENT', `comlinkActor(${String(spec?.name)}): ${what}`);
  if (typeof spec?.url !== 'string' || spec.url.length === 0) throw invalid('spec.url must be the module URL (pass import.meta.url)');
  if (typeof spec.name !== 'string' || spec.name.length === 0) throw invalid('spec.name must be a non-empty string');
  if (!(spec.script instanceof URL) && (typeof spec.script !== 'string' || spec.script.length === 0)) throw invalid('spec.script must be the URL or path of the worker script');
  if (typeof spec.methods !== 'object' || spec.methods === null) throw invalid('spec.methods must list the methods of the exposed object, { name: true }');
  const methods = Object.keys(spec.methods);
  for (const method of methods) {
    if ((spec.methods as Record<string, unknown>)[method] !== true) throw invalid(`spec.methods.${method} must be true`);
    if (method === WORKER_DIED) throw invalid(`'${method}' is reserved`);
  }
  if (spec.startTimeout !== undefined && !(typeof spec.startTimeout === 'number' && spec.startTimeout > 0)) throw invalid('spec.startTimeout must be a positive number of milliseconds');
  return methods;
}
