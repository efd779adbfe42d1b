/**
 * The shapes of a system's snapshot: what {@link ActorSystem.inspect} returns.
 * @packageDocumentation
 */
import type { ActorId } from '../wire/ids.js';

/**
 * Where an actor is in its life. `halted`: a supervised actor that crashed (or is being
 * restarted) and waits for its supervisor, keeping its mailbox.
 *
 * @example
 * ```ts
 * const crashed = (await system.inspect()).actors.filter((a) => a.status === 'halted');
 * ```
 */
export type ActorStatus = 'starting' | 'running' | 'halted' | 'stopping' | 'stopped';

/**
 * The last time an actor crashed: a supervised handler threw, or its thread or process died.
 *
 * @example
 * ```ts
 * const crash = snapshot.actors.find((a) => a.lastCrash !== undefined)?.lastCrash;
 * if (crash) console.log(`${crash.reason} at ${new Date(crash.at).toISOString()}: ${crash.message}`);
 * ```
 */
export interface CrashInfo {
  /** The kind of the down reason: `error`, `exit`, `signal`, `out-of-memory`, `timeout`. */
  readonly reason: string;
  /** The error's message. */
  readonly message: string;
  /** The error's stack, when it had one. */
  readonly stack: string | undefined;
  /** When, in milliseconds since the epoch. */
  readonly at: number;
}

/**
 * One actor, as the snapshot sees it.
 *
 * @example
 * ```ts
 * for (const a of (await system.inspect()).actors) console.log(a.definition, a.status, a.mailbox.depth, a.handled);
 * ```
 */
export interface ActorSnapshot {
  readonly id: ActorId;
  /** The name it was spawned under, if any. */
  readonly name: string | undefined;
  /** Its supervised path (`supervisor/child`), else its name. */
  readonly label: string | undefined;
  /** Its definition's name. */
  readonly definition: string;
  /** Its definition's stable key (module file name and definition name). */
  readonly key: string;
  /** How it runs: on the root's thread, or on a thread or process host (also when an actor there spawned it inline). */
  readonly placement: 'inline' | 'thread' | 'process';
  /** The address of the node that runs it. */
  readonly node: string;
  readonly status: ActorStatus;
  /** Messages waiting, and the mailbox's capacity (`null`: unbounded). */
  readonly mailbox: { readonly depth: number; readonly capacity: number | null };
  /** Messages whose handler ran so far (this incarnation and the ones before it on the same node). */
  readonly handled: number;
  /** The actor that spawned it (`ctx.spawn`), if any. */
  readonly parent: ActorId | undefined;
  /** The supervisor whose child it is, if any. */
  readonly supervisor: string | undefined;
  /** How many times its supervisor restarted it. */
  readonly restarts: number;
  /** Its last crash, if it crashed. */
  readonly lastCrash: CrashInfo | undefined;
}

/**
 * A thread or process that runs actors (or the root's own thread), with its memory.
 *
 * @example
 * ```ts
 * for (const h of (await system.inspect()).hosts) console.log(h.node, h.kind, h.pid, h.memory?.heapUsed);
 * ```
 */
export interface HostSnapshot {
  /** The node's address. */
  readonly node: string;
  /** `root`: the thread that created the system. */
  readonly kind: 'root' | 'thread' | 'process';
  readonly pid: number;
  /** The worker thread id (0 on a process's main thread). */
  readonly threadId: number;
  /** How many actors it runs. */
  readonly actors: number;
  /**
   * Its memory: the process's resident set, and this thread's V8 heap and external memory
   * (bytes); `undefined` when the host did not answer in time (`responsive` is false).
   */
  readonly memory: { readonly rss: number; readonly heapUsed: number; readonly heapTotal: number; readonly external: number; readonly arrayBuffers: number } | undefined;
  /** CPU time of its process so far (`process.resourceUsage()`), microseconds. */
  readonly cpu: { readonly user: number; readonly system: number } | undefined;
  /** False when it did not answer the snapshot's request in time (a handler blocks its thread). */
  readonly responsive: boolean;
}

/**
 * A channel that left the node that created it (one handed to an actor elsewhere).
 *
 * @example
 * ```ts
 * for (const c of (await system.inspect()).channels) console.log(c.id, `${c.size}/${c.capacity ?? '∞'}`);
 * ```
 */
export interface ChannelSnapshot {
  readonly id: string;
  /** The node that owns it (where its items wait). */
  readonly owner: string;
  readonly size: number;
  /** `null`: unbounded. */
  readonly capacity: number | null;
  readonly closed: boolean;
  /** The nodes that send to or receive from it through its owner. */
  readonly participants: readonly string[];
  /** Room promised to senders elsewhere and not used yet. */
  readonly credit: number;
  /** Items handed to receivers elsewhere and not received there yet. */
  readonly lent: number;
  /** Items put in so far. */
  readonly sent: number;
  /** Items taken out so far. */
  readonly received: number;
}

/**
 * One child of a supervisor.
 *
 * @example
 * ```ts
 * const restarting = sup.children.filter((c) => c.status === 'restarting');
 * ```
 */
export interface SupervisorChildSnapshot {
  /** Its child id in the spec. */
  readonly id: string;
  readonly kind: 'actor' | 'supervisor';
  readonly status: 'running' | 'restarting' | 'stopped';
  readonly restarts: number;
  /** The actor, for an actor child that runs. */
  readonly actor: ActorId | undefined;
  /** The nested supervisor, for a supervisor child. */
  readonly supervisor: SupervisorSnapshot | undefined;
}

/**
 * A supervisor and its children.
 *
 * @example
 * ```ts
 * for (const sup of (await system.inspect()).supervisors) console.log(sup.id, sup.strategy, sup.restarts);
 * ```
 */
export interface SupervisorSnapshot {
  readonly id: string;
  readonly strategy: string;
  /** The actor that started it (`ctx.supervise`); `undefined`: the system's root. */
  readonly parent: ActorId | undefined;
  readonly running: boolean;
  /** Restarts of its children so far. */
  readonly restarts: number;
  readonly children: readonly SupervisorChildSnapshot[];
}

/**
 * A pool: what {@link Pool.metrics} reports, and its shape.
 *
 * @example
 * ```ts
 * for (const p of (await system.inspect()).pools) console.log(p.id, p.queued, p.workers.map((w) => w.utilisation));
 * ```
 */
export interface PoolSnapshot {
  /** The pool's id in this system (`pool-1`, ...). */
  readonly id: string;
  readonly size: number;
  readonly placement: 'thread' | 'process';
  readonly queued: number;
  readonly running: number;
  readonly completed: number;
  readonly failed: number;
  readonly workers: ReadonlyArray<{ readonly id: string; readonly running: number; readonly completed: number; readonly utilisation: number }>;
  readonly runTime: { readonly p50: number; readonly p90: number; readonly p99: number };
  readonly waitTime: { readonly p50: number; readonly p90: number; readonly p99: number };
}

/**
 * One node of the actor tree: a supervisor or an actor, and what hangs under it.
 *
 * @example
 * ```ts
 * const print = (n: TreeNode, depth = 0): void => {
 *   console.log(`${'  '.repeat(depth)}${n.kind} ${n.id}`);
 *   n.children.forEach((c) => print(c, depth + 1));
 * };
 * (await system.inspect()).tree.forEach((n) => print(n));
 * ```
 */
export interface TreeNode {
  readonly kind: 'actor' | 'supervisor';
  /** An actor's id, or a supervisor's id. */
  readonly id: string;
  readonly children: readonly TreeNode[];
}

/**
 * The system as it is now: see {@link ActorSystem.inspect}.
 *
 * @example
 * ```ts
 * const snapshot = await system.inspect();
 * console.log(`${snapshot.actors.length} actors on ${snapshot.hosts.length} hosts`);
 * ```
 */
export interface SystemSnapshot {
  /** The system's id. */
  readonly system: string;
  /** Its node name among joined systems. */
  readonly node: string;
  /** When it was taken, in milliseconds since the epoch. */
  readonly at: number;
  /** The tree from the system's root down: supervisors, actors and their children. */
  readonly tree: readonly TreeNode[];
  /** Every actor, on every host. */
  readonly actors: readonly ActorSnapshot[];
  readonly supervisors: readonly SupervisorSnapshot[];
  readonly hosts: readonly HostSnapshot[];
  readonly channels: readonly ChannelSnapshot[];
  readonly pools: readonly PoolSnapshot[];
  /** Dead letters so far, by the code of their error (`ACTOR_STOPPED`, `MAILBOX_FULL`, ...). */
  readonly deadLetters: Readonly<Record<string, number>>;
  /**
   * The other nodes of the cluster (the systems this one joined), each with its own
   * snapshot, taken at the same time; `snapshot` is `undefined` for a node that did not
   * answer within 2 s. Empty for a system on its own.
   */
  readonly peers: readonly PeerSnapshot[];
}

/**
 * Another node of the cluster, as a snapshot sees it.
 *
 * @example
 * ```ts
 * for (const peer of (await system.inspect()).peers) console.log(peer.node, peer.snapshot?.actors.length ?? 'no answer');
 * ```
 */
export interface PeerSnapshot {
  /** Its node name. */
  readonly node: string;
  /** Its own snapshot (without its peers), or `undefined` when it did not answer in time. */
  readonly snapshot: Omit<SystemSnapshot, 'peers'> | undefined;
}
