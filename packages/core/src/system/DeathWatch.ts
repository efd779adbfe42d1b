import { errorMessage } from '../actor/errorMessage.js';
import type { DownReason } from '../actor/DownReason.js';
import type { ActorId } from '../wire/ids.js';

const NONE: ActorId[] = [];

/**
 * Monitors and links: who hears of an actor's next death, and whose fate is tied to it.
 * The system decides what a linked peer's going down means (restart or stop).
 * @internal
 */
export class DeathWatch {
  readonly #monitors = new Map<ActorId, Set<(reason: DownReason) => void>>();
  readonly #links = new Map<ActorId, Set<ActorId>>();

  /** Whether anyone monitors or is linked to `id`. */
  watches(id: ActorId): boolean {
    return (this.#monitors.size > 0 && this.#monitors.has(id)) || (this.#links.size > 0 && this.#links.has(id));
  }

  /** Calls `listener` once, on `id`'s next death; returns the cancel. */
  monitor(id: ActorId, listener: (reason: DownReason) => void): () => void {
    let set = this.#monitors.get(id);
    if (set === undefined) this.#monitors.set(id, (set = new Set()));
    const once = (reason: DownReason): void => listener(reason);
    set.add(once);
    return () => void this.#monitors.get(id)?.delete(once);
  }

  /** Ties `a` and `b` for one death; returns the unlink. */
  link(a: ActorId, b: ActorId): () => void {
    this.#add(a, b);
    this.#add(b, a);
    return () => {
      this.#links.get(a)?.delete(b);
      this.#links.get(b)?.delete(a);
    };
  }

  #add(from: ActorId, to: ActorId): void {
    let set = this.#links.get(from);
    if (set === undefined) this.#links.set(from, (set = new Set()));
    set.add(to);
  }

  /**
   * `id` went down: fires its monitors and undoes its links. Returns the peers that go
   * down with it (none after a stop).
   */
  down(id: ActorId, reason: DownReason): ActorId[] {
    if (this.#monitors.size === 0 && this.#links.size === 0) return NONE;
    const monitors = this.#monitors.get(id);
    this.#monitors.delete(id);
    for (const listener of monitors ?? []) {
      try {
        listener(reason);
      } catch (error) {
        process.emitWarning(`a monitor listener threw: ${errorMessage(error)}`, { code: 'MULTITASK_LISTENER' });
      }
    }
    const peers = [...(this.#links.get(id) ?? [])];
    this.#links.delete(id);
    for (const peer of peers) this.#links.get(peer)?.delete(id);
    return reason.kind === 'stopped' ? [] : peers;
  }
}
