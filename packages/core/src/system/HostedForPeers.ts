import { serializeError } from '../wire/errorWire.js';
import type { ActorId, NodeId, SystemId } from '../wire/ids.js';
import type { CrashedEnvelope } from '../wire/protocol.js';
import type { ActorRef } from '../actor/ActorRef.js';

/** An actor this system runs for a peer: where, and the peer's supervising node when it supervises it. @internal */
export interface Hosted {
  readonly ref: ActorRef;
  /** The peer it runs for. */
  readonly owner: SystemId;
  readonly node: NodeId;
  readonly supervisor: NodeId | undefined;
  /** Its supervisor's count of its starts (echoed in its crash reports). */
  generation: number;
}

/**
 * The actors a system runs for other systems (the nodes of its cluster): they belong to
 * those systems and stop when they go; the supervised ones' crashes are reported to their
 * supervisors there, who alone may restart them here.
 * @internal
 */
export class HostedForPeers {
  readonly #byActor = new Map<ActorId, Hosted>();

  /** Actor `hosted.ref` started here for `hosted.owner`. */
  add(hosted: Hosted): void {
    this.#byActor.set(hosted.ref.id, hosted);
  }

  /** What is known of `id`, if it runs here for a peer. */
  get(id: ActorId): Hosted | undefined {
    return this.#byActor.get(id);
  }

  /** Whether `id` runs here for `owner`. */
  isFor(id: ActorId, owner: SystemId): boolean {
    return this.#byActor.get(id)?.owner === owner;
  }

  /** Whether this system runs an actor for `owner` on its node `node` (a thread or process). */
  runsOn(node: NodeId, owner: SystemId): boolean {
    for (const hosted of this.#byActor.values()) if (hosted.node === node && hosted.owner === owner) return true;
    return false;
  }

  /** Forgets `id` (stopped, or ended with its host); returns what it was. */
  remove(id: ActorId): Hosted | undefined {
    const hosted = this.#byActor.get(id);
    this.#byActor.delete(id);
    return hosted;
  }

  /** Forgets, and returns, every actor run here for `owner` (it went down). */
  removeAll(owner: SystemId): Hosted[] {
    const all = [...this.#byActor.values()].filter((hosted) => hosted.owner === owner);
    for (const hosted of all) this.#byActor.delete(hosted.ref.id);
    return all;
  }

  /**
   * The report of a crash (`error`) or stop (`null`) of `id` for its supervisor on its
   * peer, if it has one there; `generation` defaults to the last start it was given.
   */
  crashReport(id: ActorId, error: unknown, generation?: number): CrashedEnvelope | undefined {
    const hosted = this.#byActor.size === 0 ? undefined : this.#byActor.get(id);
    if (hosted?.supervisor === undefined) return undefined;
    return { kind: 'crashed', dst: hosted.supervisor, actor: id, error: error === null ? null : serializeError(error), generation: generation ?? hosted.generation };
  }
}
