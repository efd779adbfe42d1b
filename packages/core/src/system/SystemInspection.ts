import { systemOf, type ActorId, type NodeId } from '../wire/ids.js';
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
  /** The systems this one joined (the other nodes of its cluster). */
  peers(): ReadonlyArray<{ readonly node: string; readonly root: NodeId }>;
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
    // A host of this system asks for this node's part; another system's root (a peer) for the whole system.
    host.runtime.describe = (from) => (systemOf(from) === systemOf(host.runtime.node) ? nodePart(host.runtime) : this.#local());
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

  /** The system, with each joined system's own snapshot. */
  async snapshot(): Promise<SystemSnapshot> {
    const peers = this.#host.peers();
    const [own, ...theirs] = await Promise.all([this.#local(), ...peers.map((peer) => this.#ask(peer.root) as Promise<Omit<SystemSnapshot, 'peers'> | undefined>)]);
    return { ...(own as Omit<SystemSnapshot, 'peers'>), peers: peers.map((peer, i) => ({ node: peer.node, snapshot: theirs[i] })) };
  }

  /** This system alone: its root and its hosts. */
  async #local(): Promise<Omit<SystemSnapshot, 'peers'>> {
    const { runtime, hosts } = this.#host;
    const nodes = hosts.nodes;
    const parts = (await Promise.all(nodes.map((node) => this.#ask(node)))) as Array<NodePart | undefined>;
    const own = nodePart(runtime);
    const supervisors = this.#host.supervisors().map(([sup, parent]) => sup.snapshot(parent));
    const gathered: Array<readonly [NodePart, HostSnapshot['kind']]> = [[own, 'root']];
    const hostList: HostSnapshot[] = [{ ...own.host, kind: 'root', responsive: true }];
    nodes.forEach((node, i) => {
      const kind = hosts.get(node)?.kind ?? 'thread';
      const part = parts[i];
      if (part === undefined) return void hostList.push({ node, kind, pid: 0, threadId: 0, actors: 0, memory: undefined, cpu: undefined, responsive: false });
      gathered.push([part, kind]);
      hostList.push({ ...part.host, kind, responsive: true });
    });
    const family = familyOf(gathered, supervisors);
    const actors: ActorSnapshot[] = [];
    for (const [part, kind] of gathered) for (const a of part.actors) actors.push(this.#actor(a, kind === 'root' ? 'inline' : kind, part.host.node, family));
    return {
      system: this.#host.system,
      node: this.#host.node,
      at: Date.now(),
      tree: treeOf(actors, family, supervisors),
      actors,
      supervisors,
      hosts: hostList,
      channels: gathered.flatMap(([part]) => part.channels),
      pools: [...this.#pools].map((pool) => pool.snapshot()),
      deadLetters: Object.fromEntries(this.#deadLetters),
    };
  }

  /** Asks a host for its part, or a peer's root for its system's snapshot; `undefined` when it does not answer in time. */
  #ask(node: NodeId): Promise<unknown> {
    const runtime = this.#host.runtime;
    const request = runtime.request(node, (cid) => ({ kind: 'inspect', dst: node, from: runtime.node, cid }), { timeout: HOST_TIMEOUT, what: `the snapshot of node ${node}` });
    return request.then((part) => part ?? undefined).catch(() => undefined);
  }

  #actor(a: ActorPart, placement: ActorSnapshot['placement'], node: string, family: Family): ActorSnapshot {
    const [id, name, label, definition, key, status, depth, capacity, handled, parent] = a;
    const supervised = family.supervised.get(id);
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
      parent: parent ?? family.parents.get(id),
      supervisor: supervised?.sup,
      restarts: supervised?.restarts ?? 0,
      lastCrash: this.#crashes.size === 0 ? undefined : this.#crashes.get(id),
    };
  }
}

/** Who belongs to whom: each actor's children (from its family, any node), parents, and supervisors. */
interface Family {
  readonly children: Map<ActorId, readonly ActorId[]>;
  readonly parents: Map<ActorId, ActorId>;
  readonly supervised: Map<string, { readonly sup: string; readonly restarts: number }>;
}

function familyOf(parts: ReadonlyArray<readonly [NodePart, unknown]>, supervisors: readonly SupervisorSnapshot[]): Family {
  const children = new Map<ActorId, readonly ActorId[]>();
  const parents = new Map<ActorId, ActorId>();
  for (const [part] of parts) {
    for (const a of part.actors) {
      const kids = a[10];
      if (kids === undefined) continue;
      children.set(a[0], kids);
      for (const kid of kids) parents.set(kid, a[0]);
    }
  }
  const supervised = new Map<string, { sup: string; restarts: number }>();
  const visit = (sup: SupervisorSnapshot): void => {
    for (const c of sup.children) {
      if (c.actor !== undefined) supervised.set(c.actor, { sup: sup.id, restarts: c.restarts });
      if (c.supervisor !== undefined) visit(c.supervisor);
    }
  };
  supervisors.forEach(visit);
  return { children, parents, supervised };
}

const LEAF: readonly TreeNode[] = Object.freeze([]);

/**
 * The tree from the root: supervisors (with their children), and actors with the actors
 * they spawned. Most actors are leaves under the root: they cost an object each and no set.
 */
function treeOf(actors: readonly ActorSnapshot[], family: Family, supervisors: readonly SupervisorSnapshot[]): TreeNode[] {
  const below = new Map<string, TreeNode[]>(); // parent actor id → the supervisors it started
  const placed = new Set<string>(); // actors placed below another (children, supervised): a guard against cycles
  const actorNode = (id: ActorId): TreeNode => {
    const kids: TreeNode[] = [];
    for (const kid of family.children.get(id) ?? []) {
      if (placed.has(kid)) continue;
      placed.add(kid);
      kids.push(actorNode(kid));
    }
    for (const sup of below.get(id) ?? []) kids.push(sup);
    return { kind: 'actor', id, children: kids.length === 0 ? LEAF : kids };
  };
  const supNode = (sup: SupervisorSnapshot): TreeNode => {
    const kids: TreeNode[] = [];
    for (const c of sup.children) {
      if (c.supervisor !== undefined) kids.push(supNode(c.supervisor));
      else if (c.actor !== undefined && !placed.has(c.actor)) {
        placed.add(c.actor);
        kids.push(actorNode(c.actor));
      }
    }
    return { kind: 'supervisor', id: sup.id, children: kids };
  };
  // Supervisors an actor started hang under that actor; the rest under the root.
  for (const sup of supervisors) {
    if (sup.parent === undefined) continue;
    const list = below.get(sup.parent) ?? [];
    list.push(supNode(sup));
    below.set(sup.parent, list);
  }
  const roots: TreeNode[] = supervisors.filter((sup) => sup.parent === undefined).map(supNode);
  // A child whose parent is not in the snapshot (gone, or on a host that did not answer) is a root too.
  const present = family.parents.size === 0 ? undefined : new Set(actors.map((a) => a.id as string));
  for (const a of actors) {
    if (family.supervised.has(a.id)) continue;
    if (a.parent === undefined || present?.has(a.parent) === false) roots.push(actorNode(a.id));
  }
  return roots;
}
