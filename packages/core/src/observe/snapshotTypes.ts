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
  /** Its id (its first node's address and a number). */
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
  /** Where it is in its life. */
  readonly status: ActorStatus;
  /** Messages waiting, and the mailbox's capacity. */
  readonly mailbox: MailboxSnapshot;
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
 * An actor's mailbox, as the snapshot sees it.
 *
 * @example
 * ```ts
 * const full = (m: MailboxSnapshot): boolean => m.capacity !== null && m.depth >= m.capacity;
 * ```
 */
export interface MailboxSnapshot {
  /** Messages waiting. */
  readonly depth: number;
  /** The most it holds; `null`: unbounded. */
  readonly capacity: number | null;
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
  /** Its process's id. */
  readonly pid: number;
  /** The worker thread id (0 on a process's main thread). */
  readonly threadId: number;
  /** How many actors it runs. */
  readonly actors: number;
  /**
   * Its memory: the process's resident set, and this thread's V8 heap and external memory
   * (bytes); `undefined` when the host did not answer in time (`responsive` is false).
   */
  readonly memory: HostMemory | undefined;
  /** CPU time of its process so far (`process.resourceUsage()`), microseconds. */
  readonly cpu: HostCpu | undefined;
  /** False when it did not answer the snapshot's request in time (a handler blocks its thread). */
  readonly responsive: boolean;
}

/**
 * A host's memory, in bytes.
 *
 * @example
 * ```ts
 * const heap = (m: HostMemory): string => `${Math.round((100 * m.heapUsed) / m.heapTotal)}% of ${m.heapTotal} bytes`;
 * ```
 */
export interface HostMemory {
  /** The resident set of its process (threads share their process's). */
  readonly rss: number;
  /** This thread's V8 heap in use. */
  readonly heapUsed: number;
  /** This thread's V8 heap reserved. */
  readonly heapTotal: number;
  /** Memory outside the V8 heap that this thread's objects hold (buffers, ...). */
  readonly external: number;
  /** Of which `ArrayBuffer`s and `SharedArrayBuffer`s. */
  readonly arrayBuffers: number;
}

/**
 * CPU time a host's process used so far, in microseconds (its threads together).
 *
 * @example
 * ```ts
 * const busy = (before: HostCpu, after: HostCpu, ms: number): number => (after.user + after.system - before.user - before.system) / (ms * 1000);
 * ```
 */
export interface HostCpu {
  /** In user code. */
  readonly user: number;
  /** In the kernel. */
  readonly system: number;
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
  /** Its id (its owner's address and a number). */
  readonly id: string;
  /** The node that owns it (where its items wait). */
  readonly owner: string;
  /** Items waiting in it. */
  readonly size: number;
  /** The most items it holds; `null`: unbounded. */
  readonly capacity: number | null;
  /** Whether it was closed (receivers may still drain it). */
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
  /** An actor, or a nested supervisor. */
  readonly kind: 'actor' | 'supervisor';
  /** Whether it runs, waits for its restart, or is stopped for good. */
  readonly status: 'running' | 'restarting' | 'stopped';
  /** How many times its supervisor restarted it. */
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
  /** Its id: its spec's `id`, its child id under its parent supervisor, or one given to it. */
  readonly id: string;
  /** `one-for-one`, `one-for-all` or `rest-for-one`. */
  readonly strategy: string;
  /** The actor that started it (`ctx.supervise`); `undefined`: the system's root. */
  readonly parent: ActorId | undefined;
  /** True while it supervises (until it stops or gives up). */
  readonly running: boolean;
  /** Restarts of its children so far. */
  readonly restarts: number;
  /** Its children, in spec order. */
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
  /** How many workers. */
  readonly size: number;
  /** Worker threads or processes. */
  readonly placement: 'thread' | 'process';
  /** Tasks (or chunks) waiting for a worker. */
  readonly queued: number;
  /** Tasks (or chunks) sent to workers and not done. */
  readonly running: number;
  /** Tasks (or chunks) that succeeded. */
  readonly completed: number;
  /** Tasks (or chunks) that failed. */
  readonly failed: number;
  /** Each worker's work. */
  readonly workers: readonly PoolWorkerSnapshot[];
  /** How long tasks ran, over the last 1024, in ms. */
  readonly runTime: DurationPercentiles;
  /** How long tasks waited for a worker, over the last 1024, in ms. */
  readonly waitTime: DurationPercentiles;
}

/**
 * One worker of a pool.
 *
 * @example
 * ```ts
 * const idle = pool.workers.filter((w) => w.running === 0);
 * ```
 */
export interface PoolWorkerSnapshot {
  /** The worker's actor id. */
  readonly id: string;
  /** Its tasks (or chunks) sent and not done. */
  readonly running: number;
  /** Its tasks (or chunks) done. */
  readonly completed: number;
  /** The share of its lifetime it spent running tasks, 0 to 1. */
  readonly utilisation: number;
}

/**
 * Percentiles of durations, in milliseconds (nearest rank).
 *
 * @example
 * ```ts
 * const slow = (t: DurationPercentiles): boolean => t.p99 > 10 * t.p50;
 * ```
 */
export interface DurationPercentiles {
  /** The median. */
  readonly p50: number;
  /** 90% took at most this long. */
  readonly p90: number;
  /** 99% took at most this long. */
  readonly p99: number;
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
  /** What the node is. */
  readonly kind: 'actor' | 'supervisor';
  /** An actor's id, or a supervisor's id. */
  readonly id: string;
  /** What hangs under it: an actor's children and the supervisors it started; a supervisor's children. */
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
  /** Every running supervisor: the system's own, then those actors started. */
  readonly supervisors: readonly SupervisorSnapshot[];
  /** The root's thread, then each thread and process host. */
  readonly hosts: readonly HostSnapshot[];
  /** The channels its nodes own that other nodes use. */
  readonly channels: readonly ChannelSnapshot[];
  /** Its pools. */
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
