import { MultitaskError } from '../errors.js';
import type { SpawnOptions } from '../actor/spawnTypes.js';
import { isActorDefinition, type AnyActorDefinition } from '../actor/defineActor.js';
import type { ArgsOf } from '../actor/types.js';

/**
 * How a child is doing, as {@link Supervisor.children} reports it.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#ChildInfo}
 */
export interface ChildInfo {
  /** The child's id. */
  readonly id: string;
  /** An actor or a nested supervisor. */
  readonly kind: 'actor' | 'supervisor';
  /** `running`; `restarting` (down, coming back); `stopped` (not coming back). */
  readonly status: 'running' | 'restarting' | 'stopped';
  /** How many times it was restarted. */
  readonly restarts: number;
}

/**
 * When a supervisor restarts a child that went down:
 * - `permanent`: always.
 * - `transient`: unless it stopped normally (`ctx.stop()`); a crash restarts it.
 * - `temporary`: never, not even when a sibling's crash restarts its group; the child is
 *   stopped and removed.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#RestartPolicy}
 */
export type RestartPolicy = 'permanent' | 'transient' | 'temporary';

/**
 * Which children restart when one goes down:
 * - `one-for-one`: only that child.
 * - `one-for-all`: every child (the others are stopped in reverse order, then all start in order).
 * - `rest-for-one`: that child and the children after it in the spec.
 *
 * A `temporary` child in the group is stopped with it and removed, not restarted.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#Strategy}
 */
export type Strategy = 'one-for-one' | 'one-for-all' | 'rest-for-one';

/**
 * How many restarts a supervisor allows in a sliding window before it gives up and escalates.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#Intensity}
 */
export interface Intensity {
  /**
   * The most restarts within `withinMs`; one more makes the supervisor stop its children
   * and escalate to its parent.
   * @defaultValue 3
   */
  readonly maxRestarts?: number;
  /**
   * The window, in ms.
   * @defaultValue 5000
   */
  readonly withinMs?: number;
}

/**
 * The wait before a restart. A child's first restart within the intensity window is
 * immediate; the n-th consecutive one waits `initialMs × factor^(n-2)`, at most `maxMs`,
 * spread by ± `jitter` (a fraction) so that siblings do not restart in lockstep, rounded to whole ms.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#Backoff}
 */
export interface Backoff {
  /**
   * The wait before the second restart in a window, in ms.
   * @defaultValue 10
   */
  readonly initialMs?: number;
  /**
   * The longest wait, in ms.
   * @defaultValue 2000
   */
  readonly maxMs?: number;
  /**
   * How much each further restart multiplies the wait.
   * @defaultValue 2
   */
  readonly factor?: number;
  /**
   * The random spread, as a fraction of the wait (0 to 1).
   * @defaultValue 0.2
   */
  readonly jitter?: number;
}

/**
 * Supervision options of an actor child, beside its spawn options.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#ChildOptions}
 */
export interface ChildOptions {
  /**
   * When to restart it.
   * @defaultValue `'permanent'`
   */
  readonly restart?: RestartPolicy;
  /**
   * Milliseconds it may take to stop (its running handler, then `onStop`) before its
   * thread or process is ended.
   * @defaultValue the system's `shutdownTimeout`
   */
  readonly shutdownTimeout?: number;
  /**
   * Thread and process children: a handler running longer than this many ms gets its
   * host ended and the child restarted (down reason `timeout`). Checked every
   * `handlerTimeout / 2` ms, so a hang is caught within 1.5 × `handlerTimeout`. Not for
   * children placed on another node (`{ node }`: `INVALID_ARGUMENT`): that node's threads
   * and processes are not this node's to end.
   * @defaultValue none
   */
  readonly handlerTimeout?: number;
}

/**
 * An actor child's options: spawn options (`args` required when `init` needs them) and supervision options.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#ActorChildOptions}
 */
export type ActorChildOptions<A> = SpawnOptions<A> & ChildOptions;

/**
 * The rest parameters of {@link child} for an actor definition `D`.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#ActorChildArgs}
 */
export type ActorChildArgs<D> = undefined extends ArgsOf<D> ? [options?: ActorChildOptions<ArgsOf<D>>] : [options: ActorChildOptions<ArgsOf<D>>];

/**
 * A child that is an actor. Make one with {@link child}.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#ActorChildArgs}
 */
export interface ActorChildSpec<Id extends string = string, D = AnyActorDefinition> {
  /** Always `'actor'`. */
  readonly kind: 'actor';
  /** The child's id, unique among its siblings. */
  readonly id: Id;
  /** What {@link defineActor} returned. */
  readonly definition: D;
  /** Spawn and supervision options. */
  readonly options: ActorChildOptions<unknown>;
}

/**
 * A child that is itself a supervisor. Make one with {@link child}.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#SupervisorChildSpec}
 */
export interface SupervisorChildSpec<Id extends string = string, C extends readonly ChildSpec[] = readonly ChildSpec[]> {
  /** Always `'supervisor'`. */
  readonly kind: 'supervisor';
  /** The child's id, unique among its siblings. */
  readonly id: Id;
  /** The nested supervisor's spec. */
  readonly spec: SupervisorSpec<C>;
  /** Supervision options (`restart`). */
  readonly options: Pick<ChildOptions, 'restart'>;
}

/**
 * One child of a supervisor: an actor or a nested supervisor.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#ChildSpec}
 */
export type ChildSpec = ActorChildSpec<string, unknown> | SupervisorChildSpec<string, readonly ChildSpec[]>;

/**
 * What a supervisor supervises, and how.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#SupervisorSpec}
 */
export interface SupervisorSpec<C extends readonly ChildSpec[] = readonly ChildSpec[]> {
  /**
   * The supervisor's id: the first half of its children's paths (`orders/worker`), by which
   * error messages name them. A nested supervisor's id is its child id (leave this out, or
   * give the same).
   * @defaultValue `'supervisor-<n>'` at the top level
   */
  readonly id?: string;
  /**
   * Which children restart when one goes down.
   * @defaultValue `'one-for-one'`
   */
  readonly strategy?: Strategy;
  /** Restarts allowed before giving up (default: 3 within 5000 ms). */
  readonly intensity?: Intensity;
  /** The wait between consecutive restarts of a child. */
  readonly backoff?: Backoff;
  /** The children, in start order (they stop in reverse order). */
  readonly children: C;
}

/**
 * Declares a child of a supervisor: an actor (a definition and its spawn options) or a
 * nested supervisor (a spec). The `id` types {@link Supervisor.ref}.
 *
 * @param id - unique among its siblings
 * @param definition - what {@link defineActor} returned
 * @param options - spawn options (`placement`, `args`, `name`, `mailbox`, `resourceLimits`) and `restart`, `shutdownTimeout`, `handlerTimeout`
 * @throws {@link MultitaskError} `INVALID_ARGUMENT` for a bad id or option
 *
 * @example
 * ```ts
 * const spec = {
 *   strategy: 'one-for-all',
 *   children: [child('db', Store, { placement: 'thread' }), child('api', Api, { args: { port: 8080 } })],
 * } as const;
 * ```
 */
export function child<const Id extends string, D extends AnyActorDefinition>(id: Id, definition: D, ...options: ActorChildArgs<D>): ActorChildSpec<Id, D>;
/**
 * Declares a nested supervisor as a child.
 * @param id - unique among its siblings
 * @param spec - the nested supervisor's strategy, intensity, backoff and children
 * @param options - `restart` (default `'permanent'`)
 */
export function child<const Id extends string, const C extends readonly ChildSpec[]>(id: Id, spec: SupervisorSpec<C>, options?: Pick<ChildOptions, 'restart'>): SupervisorChildSpec<Id, C>;
export function child(id: string, what: AnyActorDefinition | SupervisorSpec, options: ActorChildOptions<unknown> = {}): ChildSpec {
  if (typeof id !== 'string' || id.length === 0) throw new MultitaskError('INVALID_ARGUMENT', 'child: id must be a non-empty string');
  checkChildOptions(id, options);
  if (isActorDefinition(what)) return { kind: 'actor', id, definition: what, options };
  if (typeof what !== 'object' || what === null || !Array.isArray((what as SupervisorSpec).children)) {
    throw new MultitaskError('INVALID_ARGUMENT', `child '${id}': expected an actor definition or a supervisor spec with children`);
  }
  return { kind: 'supervisor', id, spec: what, options: options.restart === undefined ? {} : { restart: options.restart } };
}

const RESTARTS: readonly RestartPolicy[] = ['permanent', 'transient', 'temporary'];
const STRATEGIES: readonly Strategy[] = ['one-for-one', 'one-for-all', 'rest-for-one'];

function checkChildOptions(id: string, options: ChildOptions & { placement?: unknown }): void {
  if (options.restart !== undefined && !RESTARTS.includes(options.restart)) {
    throw new MultitaskError('INVALID_ARGUMENT', `child '${id}': restart must be 'permanent', 'transient' or 'temporary'`);
  }
  for (const key of ['shutdownTimeout', 'handlerTimeout'] as const) {
    const value = options[key];
    if (value !== undefined && !(typeof value === 'number' && value > 0)) throw new MultitaskError('INVALID_ARGUMENT', `child '${id}': ${key} must be a positive number of ms`);
  }
  if (options.handlerTimeout !== undefined && (options.placement ?? 'inline') === 'inline') {
    throw new MultitaskError('INVALID_ARGUMENT', `child '${id}': handlerTimeout needs a 'thread' or 'process' placement (an inline handler cannot be interrupted)`);
  }
  if (options.handlerTimeout !== undefined && typeof options.placement === 'object') {
    throw new MultitaskError('INVALID_ARGUMENT', `child '${id}': handlerTimeout holds on this node's threads and processes only (another node's are not this node's to end)`);
  }
}

/**
 * The ids of the actor children in `C`.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#ActorChildId}
 */
export type ActorChildId<C extends readonly ChildSpec[]> = Extract<C[number], ActorChildSpec<string, unknown>>['id'];
/**
 * The ids of the supervisor children in `C`.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#SupervisorChildId}
 */
export type SupervisorChildId<C extends readonly ChildSpec[]> = Extract<C[number], SupervisorChildSpec>['id'];
/**
 * The definition of the actor child `K` in `C`.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#ChildDefinition}
 */
export type ChildDefinition<C extends readonly ChildSpec[], K extends string> = Extract<C[number], ActorChildSpec<K, unknown>> extends ActorChildSpec<string, infer D> ? D : never;
/**
 * The children of the supervisor child `K` in `C`.
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#ChildChildren}
 */
export type ChildChildren<C extends readonly ChildSpec[], K extends string> = Extract<C[number], SupervisorChildSpec<K>> extends SupervisorChildSpec<string, infer N> ? N : never;

/** The settings of a supervisor with every default filled in. @internal */
export interface Settings {
  readonly strategy: Strategy;
  readonly maxRestarts: number;
  readonly withinMs: number;
  readonly backoff: Required<Backoff>;
}

/**
 * Checks a spec and fills in its defaults.
 * @throws MultitaskError `INVALID_ARGUMENT`
 * @internal
 */
export function settingsOf(spec: SupervisorSpec): Settings {
  if (typeof spec !== 'object' || spec === null || !Array.isArray(spec.children)) {
    throw new MultitaskError('INVALID_ARGUMENT', 'supervise: spec.children must be an array of child(...) specs');
  }
  if (spec.id !== undefined && (typeof spec.id !== 'string' || spec.id.length === 0)) throw new MultitaskError('INVALID_ARGUMENT', 'supervise: spec.id must be a non-empty string');
  const strategy = spec.strategy ?? 'one-for-one';
  if (!STRATEGIES.includes(strategy)) throw new MultitaskError('INVALID_ARGUMENT', `supervise: strategy must be one of ${STRATEGIES.join(', ')}`);
  const ids = new Set<string>();
  for (const c of spec.children) {
    if (typeof c !== 'object' || c === null || (c.kind !== 'actor' && c.kind !== 'supervisor')) {
      throw new MultitaskError('INVALID_ARGUMENT', 'supervise: each child must be made with child(...)');
    }
    if (ids.has(c.id)) throw new MultitaskError('INVALID_ARGUMENT', `supervise: two children have the id '${c.id}'`);
    ids.add(c.id);
    if (c.kind === 'supervisor' && c.spec.id !== undefined && c.spec.id !== c.id) {
      throw new MultitaskError('INVALID_ARGUMENT', `supervise: the nested supervisor '${c.id}' is named by its child id; its spec.id '${c.spec.id}' differs`);
    }
    if (c.kind === 'supervisor') settingsOf(c.spec);
  }
  const maxRestarts = spec.intensity?.maxRestarts ?? 3;
  const withinMs = spec.intensity?.withinMs ?? 5_000;
  if (!(Number.isInteger(maxRestarts) && maxRestarts >= 0)) throw new MultitaskError('INVALID_ARGUMENT', 'supervise: intensity.maxRestarts must be an integer ≥ 0');
  if (!(withinMs > 0)) throw new MultitaskError('INVALID_ARGUMENT', 'supervise: intensity.withinMs must be a positive number of ms');
  const backoff = { initialMs: 10, maxMs: 2_000, factor: 2, jitter: 0.2, ...spec.backoff };
  if (!(backoff.initialMs >= 0 && backoff.maxMs >= backoff.initialMs && backoff.factor >= 1 && backoff.jitter >= 0 && backoff.jitter <= 1)) {
    throw new MultitaskError('INVALID_ARGUMENT', 'supervise: backoff needs 0 ≤ initialMs ≤ maxMs, factor ≥ 1 and 0 ≤ jitter ≤ 1');
  }
  return { strategy, maxRestarts, withinMs, backoff };
}

/**
 * The wait before a child's restart, given how many times it restarted earlier in the
 * current window (`earlier`) and a random number in [0, 1).
 * @internal
 */
export function backoffDelay(backoff: Required<Backoff>, earlier: number, random: number): number {
  if (earlier === 0) return 0;
  const base = Math.min(backoff.maxMs, backoff.initialMs * backoff.factor ** (earlier - 1));
  return Math.max(0, Math.round(base * (1 + backoff.jitter * (2 * random - 1))));
}
