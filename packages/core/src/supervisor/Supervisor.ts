import { MultitaskError } from '../errors.js';
import type { ActorRef } from '../actor/ActorRef.js';
import type { DownReason } from '../actor/DownReason.js';
import { backoffDelay, settingsOf, type ActorChildId, type ChildInfo, type ActorChildSpec, type ChildChildren, type ChildDefinition, type ChildSpec, type Settings, type SupervisorChildId, type SupervisorSpec } from './spec.js';
import type { ChildOps } from './ChildOps.js';
import type { SupervisorSnapshot } from '../observe/snapshotTypes.js';

interface Child {
  readonly spec: ChildSpec;
  ref: ActorRef | undefined;
  sup: Supervisor | undefined;
  status: 'starting' | 'running' | 'restarting' | 'stopped';
  /** Counts starts; a crash report from an older generation is stale. */
  generation: number;
  restarts: number;
  /** When it restarted, within the intensity window (for its backoff). */
  recent: number[];
  /** Added after the start (a pool's actors): not part of the spec, so dropped once it is gone for good. */
  readonly added: boolean;
}

type Parent = { childDown(sup: Supervisor, reason: DownReason): void } | undefined;

function childOf(spec: ChildSpec, added = false): Child {
  return { spec, ref: undefined, sup: undefined, status: 'stopped', generation: 0, restarts: 0, recent: [], added };
}

/**
 * A running supervisor: it started its children in order, restarts them as its strategy
 * says when they go down, and gives up (stops them and escalates to its parent) when they
 * restart more often than its intensity allows. Refs to its children keep working across
 * restarts. Make one with `system.supervise(spec)`.
 *
 * @typeParam C - the children, as declared with {@link child}
 *
 * @example
 * ```ts
 * await using system = createSystem();
 * const sup = await system.supervise({
 *   strategy: 'one-for-one',
 *   intensity: { maxRestarts: 5, withinMs: 10_000 },
 *   children: [child('counter', Counter, { placement: 'thread', args: 0 })],
 * });
 * const counter = sup.ref('counter'); // ActorRef<typeof Counter>, valid across restarts
 * counter.tell('add', 1);
 * ```
 */
export class Supervisor<C extends readonly ChildSpec[] = readonly ChildSpec[]> {
  /** The supervisor's id: its child id under its parent; at the top level its spec's `id` (default `supervisor-<n>`). */
  readonly id: string;
  readonly #settings: Settings;
  readonly #children: Child[];
  readonly #ops: ChildOps;
  readonly #parent: Parent;
  /** Restart times within the intensity window. */
  #recent: number[] = [];
  #state: 'idle' | 'running' | 'stopping' | 'stopped' = 'idle';
  /** Supervision work runs one piece at a time, in arrival order. */
  #queue: Promise<void> = Promise.resolve();
  #restarts = 0;
  /** Ends the backoff being waited out, if any. */
  #wake: (() => void) | undefined;

  /** Called each time this supervisor has stopped (the system forgets a top-level one). @internal */
  onStopped: (() => void) | undefined;

  /** @internal */
  constructor(id: string, spec: SupervisorSpec<C>, ops: ChildOps, parent: Parent) {
    this.id = id;
    this.#settings = settingsOf(spec);
    this.#ops = ops;
    this.#parent = parent;
    this.#children = spec.children.map((c) => childOf(c));
  }

  /** How many times this supervisor restarted a child. */
  get restarts(): number {
    return this.#restarts;
  }

  /** True while it supervises (from start until it stops or gives up). */
  get running(): boolean {
    return this.#state === 'running';
  }

  /**
   * The ref to an actor child. It stays valid across the child's restarts.
   * @param id - the child's id
   * @throws {@link MultitaskError} `INVALID_ARGUMENT` when there is no actor child `id`
   */
  ref<K extends ActorChildId<C>>(id: K): ActorRef<ChildDefinition<C, K>> {
    const c = this.#find(id, 'actor');
    if (c.ref === undefined) throw new MultitaskError('ACTOR_STOPPED', `child '${id}' of supervisor '${this.id}' is not running`);
    return c.ref as ActorRef<ChildDefinition<C, K>>;
  }

  /**
   * A nested supervisor child.
   * @param id - the child's id
   * @throws {@link MultitaskError} `INVALID_ARGUMENT` when there is no supervisor child `id`
   */
  supervisor<K extends SupervisorChildId<C>>(id: K): Supervisor<ChildChildren<C, K>> {
    const c = this.#find(id, 'supervisor');
    if (c.sup === undefined) throw new MultitaskError('ACTOR_STOPPED', `child '${id}' of supervisor '${this.id}' is not running`);
    return c.sup as Supervisor<ChildChildren<C, K>>;
  }

  /** Each child's id, kind, status and restart count, in spec order. */
  children(): ChildInfo[] {
    return this.#children.map((c) => ({
      id: c.spec.id,
      kind: c.spec.kind,
      status: c.status === 'starting' ? 'restarting' : c.status,
      restarts: c.restarts,
    }));
  }

  /**
   * Its children with their refs and nested supervisors, for the system's snapshot
   * (`parent`: the actor that started it, if any).
   * @internal
   */
  snapshot(parent?: string): SupervisorSnapshot {
    return {
      id: this.id,
      strategy: this.#settings.strategy,
      parent: parent as SupervisorSnapshot['parent'],
      running: this.running,
      restarts: this.#restarts,
      children: this.#children.map((c) => ({
        id: c.spec.id,
        kind: c.spec.kind,
        status: c.status === 'starting' ? 'restarting' : c.status,
        restarts: c.restarts,
        actor: c.status === 'stopped' ? undefined : c.ref?.id,
        supervisor: c.sup?.snapshot(),
      })),
    };
  }

  #find(id: string, kind: 'actor' | 'supervisor'): Child {
    const c = this.#children.find((x) => x.spec.id === id && x.spec.kind === kind);
    if (c === undefined) throw new MultitaskError('INVALID_ARGUMENT', `supervisor '${this.id}' has no ${kind} child '${id}'`);
    return c;
  }

  /**
   * Starts every child in order. If one fails, those already started stop (in reverse
   * order) and this rejects.
   * @internal
   */
  async start(): Promise<void> {
    this.#state = 'running';
    for (const c of this.#children) {
      try {
        await this.#startFresh(c);
      } catch (error) {
        await this.#stopAll();
        this.#abandonAll({ kind: 'error', error: error instanceof Error ? error : new Error(String(error)) });
        this.#stopped();
        throw error;
      }
    }
  }

  /**
   * Stops every child in reverse order (each within its `shutdownTimeout`) and does not
   * restart them; refs to them then fail with `ACTOR_STOPPED`. Idempotent.
   */
  async stop(): Promise<void> {
    if (this.#state === 'stopped' || this.#state === 'stopping') return this.#queue;
    this.#state = 'stopping';
    this.#wake?.();
    await this.#enqueue(async () => {
      await this.#stopAll();
      this.#abandonAll({ kind: 'stopped' });
      this.#stopped();
    });
  }

  /**
   * Stops one child for good (it is not restarted).
   * @internal
   */
  stopChild(ref: ActorRef): Promise<void> {
    return this.#enqueue(async () => {
      const c = this.#children.find((x) => x.ref?.id === ref.id);
      if (c === undefined || c.status === 'stopped') return;
      await this.#stopOne(c);
      this.#abandon(c, { kind: 'stopped' });
    });
  }

  /**
   * Adds an actor child and starts it (a pool's actors).
   * @internal
   */
  async add(spec: ActorChildSpec): Promise<ActorRef> {
    if (this.#state !== 'running') throw new MultitaskError('ACTOR_STOPPED', `supervisor '${this.id}' is not running`);
    const c = childOf(spec, true);
    this.#children.push(c);
    try {
      await this.#enqueue(() => this.#startFresh(c));
    } catch (error) {
      this.#children.splice(this.#children.indexOf(c), 1);
      throw error;
    }
    return c.ref as ActorRef;
  }

  /**
   * An actor child went down. `generation` says which start of it the report is about:
   * an older one (already dealt with) is ignored.
   * @internal
   */
  actorDown(ref: ActorRef, reason: DownReason, generation: number | undefined): void {
    void this.#enqueue(async () => {
      const c = this.#children.find((x) => x.ref?.id === ref.id);
      if (c === undefined || c.status !== 'running' || (generation !== undefined && generation !== c.generation)) return;
      await this.#childDown(c, reason);
    });
  }

  /** A nested supervisor gave up. @internal */
  childDown(sup: Supervisor, reason: DownReason): void {
    void this.#enqueue(async () => {
      const c = this.#children.find((x) => x.sup === sup);
      if (c === undefined || c.status !== 'running') return;
      await this.#childDown(c, reason);
    });
  }

  #enqueue(work: () => Promise<void>): Promise<void> {
    const next = this.#queue.then(work, work);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #childDown(c: Child, reason: DownReason): Promise<void> {
    if (this.#state !== 'running') return;
    const policy = c.spec.options.restart ?? 'permanent';
    if (policy === 'temporary' || (policy === 'transient' && reason.kind === 'stopped')) {
      await this.#stopOne(c);
      this.#abandon(c, reason);
      return;
    }
    c.status = 'restarting';
    if (!this.#allowRestart()) return this.#giveUp(reason);
    const group = await this.#haltGroup(c);
    const now = this.#ops.clock.now();
    c.recent = c.recent.filter((t) => now - t < this.#settings.withinMs);
    const wait = backoffDelay(this.#settings.backoff, c.recent.length, this.#ops.random());
    c.recent.push(now);
    if (wait > 0) await this.#sleep(wait);
    for (const o of group) {
      if (this.#state !== 'running') return;
      try {
        await this.#restart(o);
      } catch (error) {
        const failed: DownReason = { kind: 'error', error: error instanceof Error ? error : new Error(String(error)) };
        o.status = 'running';
        return this.#childDown(o, failed);
      }
    }
  }

  /** Halts the children that go down with `c`, last first, and returns those to restart: a `temporary` sibling is stopped and removed instead (OTP). */
  async #haltGroup(c: Child): Promise<Child[]> {
    const group = this.#group(c);
    const temporary = (o: Child): boolean => o !== c && o.spec.options.restart === 'temporary';
    for (const o of [...group].reverse()) await (temporary(o) ? this.#stopOne(o) : this.#halt(o));
    for (const o of group) if (temporary(o)) this.#abandon(o, { kind: 'stopped' });
    return group.filter((o) => !temporary(o));
  }

  /** Waits out a backoff; `stop()` cuts it short. */
  #sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = this.#ops.clock.setTimeout(() => {
        this.#wake = undefined;
        resolve();
      }, ms);
      this.#wake = () => {
        this.#ops.clock.clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
    });
  }

  /** The children that restart with `c`, in start order. */
  #group(c: Child): Child[] {
    const live = this.#children.filter((x) => x.status !== 'stopped');
    switch (this.#settings.strategy) {
      case 'one-for-one':
        return [c];
      case 'one-for-all':
        return live;
      case 'rest-for-one':
        return live.slice(live.indexOf(c));
    }
  }

  #allowRestart(): boolean {
    const now = this.#ops.clock.now();
    this.#recent = this.#recent.filter((t) => now - t < this.#settings.withinMs);
    if (this.#recent.length >= this.#settings.maxRestarts) return false;
    this.#recent.push(now);
    return true;
  }

  /** Past its intensity: stop everything, then let the parent decide. */
  async #giveUp(reason: DownReason): Promise<void> {
    this.#state = 'stopping';
    await this.#stopAll();
    const error = new MultitaskError('SUPERVISOR_ESCALATED', `supervisor '${this.id}' gave up: more than ${this.#settings.maxRestarts} restarts within ${this.#settings.withinMs} ms`, {
      cause: reason.kind === 'stopped' ? undefined : reason.error,
    });
    const escalation: DownReason = { kind: 'error', error };
    this.#stopped();
    this.#ops.escalated(this, escalation);
    if (this.#parent === undefined) this.#abandonAll(escalation);
    else this.#parent.childDown(this, escalation);
  }

  async #startFresh(c: Child): Promise<void> {
    c.status = 'starting';
    c.generation += 1;
    if (c.spec.kind === 'actor') {
      c.ref = await this.#ops.spawn(c.spec as ActorChildSpec, c.ref, c.generation, this);
    } else {
      c.sup ??= new Supervisor(c.spec.id, c.spec.spec, this.#ops, this);
      await c.sup.#restartFresh();
    }
    c.status = 'running';
  }

  /** Starts a stopped (or never started) supervisor with fresh children, keeping their ids. */
  async #restartFresh(): Promise<void> {
    this.#recent = [];
    await this.start();
  }

  async #restart(c: Child): Promise<void> {
    c.restarts += 1;
    this.#restarts += 1;
    if (c.spec.kind === 'actor' && c.ref !== undefined) {
      c.status = 'starting';
      c.generation += 1;
      const resumed = await this.#ops.resume(c.ref, c.generation);
      if (!resumed) {
        await this.#ops.stop(c.ref, this.#timeout(c));
        c.ref = await this.#ops.spawn(c.spec as ActorChildSpec, c.ref, c.generation, this);
      }
      c.status = 'running';
    } else {
      await this.#startFresh(c);
    }
    if (c.ref !== undefined) this.#ops.restarted(c.ref, c.restarts);
  }

  async #halt(c: Child): Promise<void> {
    if (c.spec.kind === 'supervisor') {
      if (c.sup !== undefined) await c.sup.#shutDown();
      return;
    }
    if (c.ref === undefined) return;
    const status = c.status;
    c.status = 'restarting';
    if (status === 'running') this.#ops.halted(c.ref);
    if (!(await this.#ops.halt(c.ref, this.#timeout(c)))) await this.#ops.stop(c.ref, this.#timeout(c));
  }

  #timeout(c: Child): number {
    return (c.spec.kind === 'actor' ? c.spec.options.shutdownTimeout : undefined) ?? this.#ops.shutdownTimeout;
  }

  async #stopOne(c: Child): Promise<void> {
    const status = c.status;
    c.status = 'stopped';
    if (c.spec.kind === 'supervisor') {
      if (c.sup !== undefined) await c.sup.#shutDown();
      return;
    }
    if (c.ref === undefined) return;
    if (status === 'running') this.#ops.halted(c.ref);
    await this.#ops.stop(c.ref, this.#timeout(c));
  }

  /** Stops supervising and stops every child (its parent restarts or drops it). */
  async #shutDown(): Promise<void> {
    this.#state = 'stopping';
    await this.#stopAll();
    this.#stopped();
  }

  #stopped(): void {
    this.#state = 'stopped';
    this.onStopped?.();
  }

  /** Stops every child, in reverse order; their messages are held (a parent may restart this supervisor). */
  async #stopAll(): Promise<void> {
    for (const c of [...this.#children].reverse()) {
      if (c.status !== 'stopped') await this.#stopOne(c);
    }
  }

  /** A child is gone for good; one added after the start leaves the list (a pool spawning and stopping many actors would grow it). */
  #abandon(c: Child, reason: DownReason): void {
    c.status = 'stopped';
    if (c.spec.kind === 'supervisor') {
      if (c.sup !== undefined) c.sup.#abandonAll(reason);
    }
    else if (c.ref !== undefined) this.#ops.abandon(c.ref, reason);
    if (c.added) this.#children.splice(this.#children.indexOf(c), 1);
  }

  #abandonAll(reason: DownReason): void {
    for (const c of [...this.#children]) this.#abandon(c, reason);
  }
}
