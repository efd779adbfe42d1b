import { matches, type ActorId, type NodeId, type NodePattern } from '../wire/ids.js';
import type { SerializedDown } from '../wire/errorWire.js';
import type { Envelope } from '../wire/protocol.js';

/** A cell of this node watching an actor: told through its mailbox (`as`), or, for its own children, by `child`. @internal */
export interface Watcher {
  readonly cell: ActorId;
  /** The message type the notification comes as (`undefined`: the definition's `onDown`). */
  readonly as: string | undefined;
  /** An implicit watch of a parent on its child: ends the child's membership, tells nobody. */
  readonly child: boolean;
  /** A watch of the system's (`system.monitor`): told by this call instead of a cell's mailbox. */
  readonly listener?: (reason: SerializedDown) => void;
}

/** What the watches need from their node. @internal */
export interface WatchesHost {
  readonly node: NodeId;
  send(envelope: Envelope): void;
  /** Where actor `id` runs now, as far as this node knows. */
  whereIs(id: ActorId): NodeId;
  /** Whether actor `id` runs on this node. */
  runsHere(id: ActorId): boolean;
  /** Whether the messages of actor `id` are held here while it restarts. */
  isHeld(id: ActorId): boolean;
  /** Why `node` went down, when this node knows it did. */
  downReason(node: NodeId): SerializedDown | undefined;
  /** Tells a watching cell here that `actor` ended. */
  notify(watcher: Watcher, actor: ActorId, reason: SerializedDown): void;
}

const STOPPED: SerializedDown = { kind: 'stopped', code: undefined, signal: undefined, error: undefined };

/**
 * Death watch across nodes, for one node. As the node of a watched actor: which nodes watch
 * it, told once (`gone`) when it ends. As the node of watchers: which of its cells watch
 * which actors, each told once through its mailbox when the actor ends, its node dies, or
 * at once when it was gone already.
 * @internal
 */
export class Watches {
  readonly #host: WatchesHost;
  /** Actors running here, and the nodes watching them. */
  readonly #watchedBy = new Map<ActorId, Set<NodeId>>();
  /** Actors watched by cells of this node, and those cells. */
  readonly #watching = new Map<ActorId, Watcher[]>();

  constructor(host: WatchesHost) {
    this.#host = host;
  }

  /** A cell here starts watching `actor`. */
  watch(actor: ActorId, watcher: Watcher): void {
    const list = this.#watching.get(actor);
    if (list !== undefined) {
      // Watching again replaces how the notification comes: one watch per cell (and one as a parent).
      const at = list.findIndex((w) => w.cell === watcher.cell && w.child === watcher.child);
      if (at >= 0) list[at] = watcher;
      else list.push(watcher);
      return;
    }
    this.#watching.set(actor, [watcher]);
    const where = this.#host.whereIs(actor);
    const down = this.#host.downReason(where);
    if (down !== undefined) return this.#goneSoon(actor, down);
    if (where !== this.#host.node) return this.#host.send({ kind: 'watch', dst: where, actor, from: this.#host.node });
    if (this.#host.runsHere(actor) || this.#host.isHeld(actor)) return this.#register(actor, this.#host.node);
    this.#goneSoon(actor, STOPPED); // it ran here, and ended before this watch
  }

  /**
   * A watch of an actor gone already is told so in a microtask: a watch made again before
   * the caller's code yields (the same handler, before it awaits) replaces how it is told,
   * as for an actor still running.
   */
  #goneSoon(actor: ActorId, reason: SerializedDown): void {
    queueMicrotask(() => this.gone(actor, reason));
  }

  /** A cell here stops watching `actor` (its own watch, or its parent's watch of a child). */
  unwatch(actor: ActorId, cell: ActorId, child: boolean): void {
    const list = this.#watching.get(actor);
    if (list === undefined) return;
    const rest = list.filter((w) => !(w.cell === cell && w.child === child));
    if (rest.length > 0) return void this.#watching.set(actor, rest);
    this.#watching.delete(actor);
    const where = this.#host.whereIs(actor);
    if (where === this.#host.node) this.#unregister(actor, this.#host.node);
    else this.#host.send({ kind: 'unwatch', dst: where, actor, from: this.#host.node });
  }

  /** A cell here ended: it watches nothing any more. */
  forgetWatcher(cell: ActorId): void {
    if (this.#watching.size === 0) return;
    for (const [actor, list] of [...this.#watching]) {
      if (list.some((w) => w.cell === cell)) for (const w of list.filter((x) => x.cell === cell)) this.unwatch(actor, cell, w.child);
    }
  }

  /**
   * Another node watches (or no longer watches) `actor`, which should run here (`held`: it
   * is restarting and its messages are held here; its watches wait here with them).
   * @returns false when the actor does not run here
   */
  request(kind: 'watch' | 'unwatch', actor: ActorId, from: NodeId, held = false): boolean {
    if (kind === 'unwatch') return this.#unregister(actor, from), true;
    if (!held && !this.#host.runsHere(actor)) return false;
    this.#register(actor, from);
    return true;
  }

  /** A watch for an actor that does not run here, with nowhere to pass it on: it was gone already. */
  refuse(actor: ActorId, from: NodeId): void {
    this.#tell(from, actor, STOPPED);
  }

  #register(actor: ActorId, node: NodeId): void {
    let nodes = this.#watchedBy.get(actor);
    if (nodes === undefined) this.#watchedBy.set(actor, (nodes = new Set()));
    nodes.add(node);
  }

  #unregister(actor: ActorId, node: NodeId): void {
    const nodes = this.#watchedBy.get(actor);
    nodes?.delete(node);
    if (nodes?.size === 0) this.#watchedBy.delete(actor);
  }

  /** The watchers of `actor`, which moved away from here (restarted elsewhere): their watches go with it. */
  moved(actor: ActorId, to: NodeId): void {
    const nodes = this.#watchedBy.get(actor);
    if (nodes === undefined || to === this.#host.node) return;
    this.#watchedBy.delete(actor);
    for (const node of nodes) this.#host.send({ kind: 'watch', dst: to, actor, from: node });
  }

  /** `actor`, which ran here, ended: every node watching it is told. */
  ended(actor: ActorId, reason: SerializedDown): void {
    if (this.#watchedBy.size === 0) return;
    const nodes = this.#watchedBy.get(actor);
    if (nodes === undefined) return;
    this.#watchedBy.delete(actor);
    for (const node of nodes) this.#tell(node, actor, reason);
  }

  #tell(node: NodeId, actor: ActorId, reason: SerializedDown): void {
    if (node === this.#host.node) this.gone(actor, reason);
    else this.#host.send({ kind: 'gone', dst: node, actor, reason });
  }

  /** A watched actor ended: its watchers here are told, once. */
  gone(actor: ActorId, reason: SerializedDown): void {
    const list = this.#watching.get(actor);
    if (list === undefined) return;
    this.#watching.delete(actor);
    for (const watcher of list) this.#host.notify(watcher, actor, reason);
  }

  /**
   * Nodes went down (`pattern`): watched actors that ran there ended with them; watchers
   * there are gone too. Call before the actors' new places are known (a restart elsewhere).
   */
  nodeDown(pattern: NodePattern, reason: SerializedDown): void {
    for (const actor of [...this.#watching.keys()]) if (matches(pattern, this.#host.whereIs(actor))) this.gone(actor, reason);
    for (const [actor, nodes] of this.#watchedBy) {
      for (const node of nodes) if (matches(pattern, node)) nodes.delete(node);
      if (nodes.size === 0) this.#watchedBy.delete(actor);
    }
  }

  /** Whether any actor of this node is watched (a cheap check on the path of every stop). */
  get anyWatched(): boolean {
    return this.#watchedBy.size > 0;
  }

  /** How many actors of this node are watched, and how many actors its cells watch. @internal */
  get size(): { readonly watched: number; readonly watching: number } {
    return { watched: this.#watchedBy.size, watching: this.#watching.size };
  }
}
