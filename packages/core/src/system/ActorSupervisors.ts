import { MultitaskError } from '../errors.js';
import { nodeOf, type ActorId, type NodeId } from '../wire/ids.js';
import type { ActorRef } from '../actor/ActorRef.js';
import type { DownReason } from '../actor/DownReason.js';
import { Supervisor } from '../supervisor/Supervisor.js';
import type { ChildSupervisor } from '../supervisor/ChildSupervisor.js';
import type { ChildInfo, SupervisorSpec } from '../supervisor/spec.js';
import type { ChildOps } from '../supervisor/ChildOps.js';

/** What the supervisors of actors need from their system. @internal */
export interface ActorSupervisorsHost {
  /** Supervision operations for a supervisor whose parent runs on `node`. */
  opsFor(node: NodeId): ChildOps;
  /** The supervisor of `parent` gave up: the actor crashes with `reason`'s error. */
  escalate(parent: ActorId, reason: DownReason): void;
  escalated(supervisor: Supervisor, reason: DownReason): void;
}

/** A supervisor's tree, as the node of its parent actor learns it: child refs and nested supervisors. @internal */
export interface SupervisorTree {
  readonly id: string;
  readonly refs: ReadonlyArray<readonly [childId: string, actor: ActorId, name: string | undefined]>;
  readonly subs: ReadonlyArray<readonly [childId: string, tree: SupervisorTree]>;
}

/**
 * The supervisors that actors started (`ctx.supervise`), run by their system's root, where
 * every supervised actor's crash, host death and held messages are known, whichever node
 * the parent actor runs on. Each escalates to its parent actor.
 * @internal
 */
export class ActorSupervisors {
  readonly #host: ActorSupervisorsHost;
  readonly #running = new Map<string, Supervisor>();
  readonly #parents = new WeakMap<Supervisor, ActorId>();
  #seq = 0;

  constructor(host: ActorSupervisorsHost) {
    this.#host = host;
  }

  /** Starts a supervisor for actor `parent`; resolves with it once its children run. */
  async start(parent: ActorId, spec: SupervisorSpec): Promise<Supervisor> {
    const id = spec.id ?? `${parent}/supervisor-${++this.#seq}`;
    if (this.#running.has(id)) throw new MultitaskError('INVALID_ARGUMENT', `a supervisor '${id}' is running already`);
    const escalate = {
      childDown: (_sup: Supervisor, reason: DownReason) => this.#host.escalate(parent, reason),
    };
    const supervisor = new Supervisor(id, spec, this.#host.opsFor(nodeOf(parent)), escalate);
    this.#running.set(id, supervisor);
    this.#parents.set(supervisor, parent);
    supervisor.onStopped = () => {
      if (this.#running.get(id) === supervisor) this.#running.delete(id);
    };
    try {
      await supervisor.start();
    } catch (error) {
      this.#running.delete(id);
      throw error;
    }
    return supervisor;
  }

  /** The supervisor (or a nested one, by the child ids on the `path`) of handle `id`. */
  find(id: string, path: readonly string[]): Supervisor {
    let supervisor = this.#running.get(id);
    if (supervisor === undefined) throw new MultitaskError('ACTOR_STOPPED', `supervisor '${id}' is not running`);
    for (const step of path) supervisor = supervisor.supervisor(step as never) as Supervisor;
    return supervisor;
  }

  /** Each running supervisor an actor started, with that actor, for the system's snapshot. */
  list(): Array<readonly [Supervisor, ActorId]> {
    return [...this.#running.values()].map((supervisor) => [supervisor, this.#parents.get(supervisor) as ActorId] as const);
  }

  /** Stops every supervisor actors started (the system shuts down). */
  async stopAll(): Promise<void> {
    await Promise.all([...this.#running.values()].map((supervisor) => supervisor.stop()));
  }
}

/** The tree of a running supervisor, for a handle on another node. @internal */
export function treeOf(supervisor: Supervisor): SupervisorTree {
  const refs: Array<readonly [string, ActorId, string | undefined]> = [];
  const subs: Array<readonly [string, SupervisorTree]> = [];
  for (const info of supervisor.children()) {
    if (info.kind === 'actor') {
      const ref = safe(() => supervisor.ref(info.id as never) as ActorRef);
      if (ref !== undefined) refs.push([info.id, ref.id, ref.name]);
    } else {
      const sub = safe(() => supervisor.supervisor(info.id as never) as Supervisor);
      if (sub !== undefined) subs.push([info.id, treeOf(sub)]);
    }
  }
  return { id: supervisor.id, refs, subs };
}

function safe<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/** A handle on a supervisor that runs on this node. @internal */
export function localHandle(supervisor: Supervisor): ChildSupervisor {
  return {
    id: supervisor.id,
    ref: (id) => supervisor.ref(id as never) as never,
    supervisor: (id) => localHandle(supervisor.supervisor(id as never) as Supervisor) as never,
    children: async (): Promise<ChildInfo[]> => supervisor.children(),
    stop: () => supervisor.stop(),
  };
}

/** A handle on a supervisor that runs on the system's root, for an actor on another node. @internal */
export function remoteHandle(tree: SupervisorTree, makeRef: (id: ActorId, name: string | undefined) => ActorRef, ask: (op: 'sup-children' | 'sup-stop', path: readonly string[]) => Promise<unknown>, path: readonly string[] = []): ChildSupervisor {
  const refs = new Map(tree.refs.map(([child, actor, name]) => [child, makeRef(actor, name)]));
  const subs = new Map(tree.subs.map(([child, sub]) => [child, sub]));
  return {
    id: tree.id,
    ref: (id) => {
      const ref = refs.get(id);
      if (ref === undefined) throw new MultitaskError('INVALID_ARGUMENT', `supervisor '${tree.id}' has no actor child '${id}'`);
      return ref as never;
    },
    supervisor: (id) => {
      const sub = subs.get(id);
      if (sub === undefined) throw new MultitaskError('INVALID_ARGUMENT', `supervisor '${tree.id}' has no supervisor child '${id}'`);
      return remoteHandle(sub, makeRef, ask, [...path, id]) as never;
    },
    children: () => ask('sup-children', path) as Promise<ChildInfo[]>,
    stop: async () => void (await ask('sup-stop', path)),
  };
}
