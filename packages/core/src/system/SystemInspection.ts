import type { ActorId, NodeId } from '../wire/ids.js';
import type { DownReason } from '../actor/DownReason.js';
import type { Runtime } from '../node/Runtime.js';
import type { Supervisor } from '../supervisor/Supervisor.js';
import { nodePart, type ActorPart, type NodePart } from '../observe/nodePart.js';
import type { ActorSnapshot, CrashInfo, HostSnapshot, PoolSnapshot, SupervisorSnapshot, SystemSnapshot, TreeNode } from '../observe/snapshotTypes.js';
import type { HostTable } from './HostTable.js';

/** What the snapshot reads of its system. @internal */
export interface InspectionHost {
  readonly runtime: Runtime;
  readonly hosts: HostTable;
  readonly system: string;
  readonly node: string;
  /** The supervisors under the root, then those actors started (with the actor). */
  supervisors(): Array<readonly [Supervisor, ActorId | undefined]>;
  /** What errors call a supervised actor (its path), if it is one. */
  labelOf(id: ActorId): string | undefined;
}

/** A pool that shows in the snapshot. @internal */
export interface InspectedPool {
  snapshot(): PoolSnapshot;
}

/** How long the root waits for a host's part before it shows that host as unresponsive. */
const HOST_TIMEOUT = 2_000;
/** Crashes kept (the oldest go first): one per actor that crashed. */
const CRASHES_KEPT = 10_000;

/**
 * What the system's root keeps for its snapshot beyond what runs (dead letters by code,
 * each actor's last crash, the pools), and how it puts the snapshot together: its own
 * part, each host's part (asked with an `inspect` request, all at once), the supervisors.
 * @internal
 */
export class SystemInspection {
  readonly #host: InspectionHost;
  readonly #deadLetters = new Map<string, number>();
  readonly #crashes = new Map<ActorId, CrashInfo>();
  readonly #pools = new Set<InspectedPool>();

  constructor(host: InspectionHost) {
    this.#host = host;
    host.runtime.describe = () => nodePart(host.runtime);
  }

  deadLetter(error: Error): void {
    const code = (error as { code?: unknown }).code;
    const key = typeof code === 'string' ? code : error.name;
    this.#deadLetters.set(key, (this.#deadLetters.get(key) ?? 0) + 1);
  }

  crashed(id: ActorId, reason: DownReason, at: number): void {
    if (reason.kind === 'stopped') return;
    this.#crashes.delete(id);
    this.#crashes.set(id, { reason: reason.kind, message: reason.error.message, stack: reason.error.stack, at });
    if (this.#crashes.size > CRASHES_KEPT) this.#crashes.delete(this.#crashes.keys().next().value as ActorId);
  }

  /** The actor is gone for good: its crash goes with it. */
  forget(id: ActorId): void {
    this.#crashes.delete(id);
  }

  addPool(pool: InspectedPool): () => void {
    this.#pools.add(pool);
    return () => void this.#pools.delete(pool);
  }

  async snapshot(): Promise<SystemSnapshot> {
    const { runtime, hosts } = this.#host;
    const nodes = hosts.nodes;
    const parts = await Promise.all(nodes.map((node) => this.#ask(node)));
    const hostList: HostSnapshot[] = [];
    const actors: ActorSnapshot[] = [];
    const own = nodePart(runtime);
    this.#add(own, 'root', actors, hostList);
    nodes.forEach((node, i) => {
      const kind = hosts.get(node)?.kind ?? 'thread';
      const part = parts[i];
      if (part !== undefined) return this.#add(part, kind, actors, hostList);
      hostList.push({ node, kind, pid: 0, threadId: 0, actors: 0, memory: undefined, cpu: undefined, responsive: false });
    });
    const supervisors = this.#host.supervisors().map(([sup, parent]) => sup.snapshot(parent));
    const channels = [own, ...parts].flatMap((part) => part?.channels ?? []);
    return {
      system: this.#host.system,
      node: this.#host.node,
      at: Date.now(),
      tree: treeOf(actors, supervisors),
      actors: withSupervision(actors, supervisors),
      supervisors,
      hosts: hostList,
      channels,
      pools: [...this.#pools].map((pool) => pool.snapshot()),
      deadLetters: Object.fromEntries(this.#deadLetters),
    };
  }

  #ask(node: NodeId): Promise<NodePart | undefined> {
    const runtime = this.#host.runtime;
    const request = runtime.request(node, (cid) => ({ kind: 'inspect', dst: node, from: runtime.node, cid }), { timeout: HOST_TIMEOUT, what: `the snapshot of node ${node}` });
    return (request as Promise<NodePart | undefined>).catch(() => undefined);
  }

  #add(part: NodePart, kind: HostSnapshot['kind'], actors: ActorSnapshot[], hosts: HostSnapshot[]): void {
    hosts.push({ ...part.host, kind, responsive: true });
    const placement = kind === 'root' ? 'inline' : kind;
    for (const a of part.actors) actors.push(this.#actor(a, placement, part.host.node));
  }

  #actor(a: ActorPart, placement: ActorSnapshot['placement'], node: string): ActorSnapshot & { children: ActorId[] | undefined } {
    const [id, name, label, definition, key, status, depth, capacity, handled, parent, children] = a;
    return {
      id,
      name,
      label: label ?? this.#host.labelOf(id) ?? name,
      definition,
      key,
      placement,
      node,
      status,
      mailbox: { depth, capacity: capacity < 0 ? null : capacity },
      handled,
      parent,
      supervisor: undefined,
      restarts: 0,
      lastCrash: this.#crashes.get(id),
      children,
    };
  }
}

type Gathered = ActorSnapshot & { children?: ActorId[] | undefined };

/** Each actor with its parent (from its parent's children too) and its supervisor's count of its restarts. */
function withSupervision(actors: Gathered[], supervisors: readonly SupervisorSnapshot[]): ActorSnapshot[] {
  const parents = new Map<ActorId, ActorId>();
  for (const a of actors) for (const c of a.children ?? []) parents.set(c, a.id);
  const supervised = new Map<string, { sup: string; restarts: number }>();
  const visit = (sup: SupervisorSnapshot): void => {
    for (const c of sup.children) {
      if (c.actor !== undefined) supervised.set(c.actor, { sup: sup.id, restarts: c.restarts });
      if (c.supervisor !== undefined) visit(c.supervisor);
    }
  };
  supervisors.forEach(visit);
  return actors.map(({ children: _children, ...a }) => {
    const s = supervised.get(a.id);
    return { ...a, parent: a.parent ?? parents.get(a.id), supervisor: s?.sup, restarts: s?.restarts ?? 0 };
  });
}

/** The tree from the root: supervisors (with their children), and actors with the actors they spawned. */
function treeOf(actors: readonly Gathered[], supervisors: readonly SupervisorSnapshot[]): TreeNode[] {
  const below = new Map<string, TreeNode[]>(); // parent actor id → its subtrees
  const placed = new Set<string>();
  const byId = new Map(actors.map((a) => [a.id as string, a]));
  const actorNode = (id: ActorId): TreeNode => {
    placed.add(id);
    const kids = (byId.get(id)?.children ?? []).filter((c) => !placed.has(c) && byId.has(c)).map(actorNode);
    return { kind: 'actor', id, children: [...kids, ...(below.get(id) ?? [])] };
  };
  const supNode = (sup: SupervisorSnapshot): TreeNode => ({
    kind: 'supervisor',
    id: sup.id,
    children: sup.children.flatMap((c) => (c.supervisor !== undefined ? [supNode(c.supervisor)] : c.actor !== undefined && byId.has(c.actor) ? [actorNode(c.actor)] : [])),
  });
  const roots: TreeNode[] = [];
  // Supervisors an actor started hang under that actor; the rest under the root.
  for (const sup of supervisors.filter((s) => s.parent !== undefined)) below.set(sup.parent as string, [...(below.get(sup.parent as string) ?? []), supNode(sup)]);
  for (const sup of supervisors.filter((s) => s.parent === undefined)) roots.push(supNode(sup));
  const childIds = new Set(actors.flatMap((a) => [...(a.children ?? []), ...(a.parent === undefined ? [] : [a.id])]));
  for (const a of actors) if (!placed.has(a.id) && !childIds.has(a.id)) roots.push(actorNode(a.id));
  for (const a of actors) if (!placed.has(a.id)) roots.push(actorNode(a.id)); // a parent that is gone
  return roots;
}
