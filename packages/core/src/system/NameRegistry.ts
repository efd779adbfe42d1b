import { MultitaskError } from '../errors.js';
import type { ActorRef } from '../actor/ActorRef.js';
import type { ActorId } from '../wire/ids.js';

/**
 * The name registry: one of the seams that make a new placement a new transport adapter
 * and nothing else. One namespace per system: a name is taken while its actor starts, bound
 * once it runs, moves with it when it restarts elsewhere (its id stays), and is released
 * when it is gone for good. Every node of a system reaches the same registry (its root's);
 * a cluster's registry spans its systems.
 * @internal
 */
export interface NameRegistry {
  /**
   * Takes `name` for an actor about to start (`again`: restarting under this id, whose name it is).
   * @throws (rejects with) MultitaskError `NAME_TAKEN`
   */
  claim(name: string, again: ActorId | undefined): Promise<void>;
  /** The actor started: `name` now finds it. */
  bind(name: string, ref: ActorRef): void;
  /** Gives up a claim whose actor failed to start. */
  unclaim(name: string): void;
  /** The actor is gone for good: its name is free again (if it still holds it). */
  release(ref: ActorRef): void;
  /** The actor registered under `name`, if it is running. */
  lookup(name: string): Promise<ActorRef | undefined>;
}

/** The registry of one system, kept by its root node. @internal */
export class LocalNames implements NameRegistry {
  readonly #names = new Map<string, ActorRef | null>();

  async claim(name: string, again: ActorId | undefined): Promise<void> {
    this.claimNow(name, again);
  }

  /** {@link LocalNames.claim}, at once. @throws MultitaskError `NAME_TAKEN` */
  claimNow(name: string, again: ActorId | undefined): void {
    if (this.#names.has(name) && (again === undefined || this.#names.get(name)?.id !== again)) {
      throw new MultitaskError('NAME_TAKEN', `an actor named '${name}' already exists`);
    }
    if (!this.#names.has(name)) this.#names.set(name, null);
  }

  bind(name: string, ref: ActorRef): void {
    this.#names.set(name, ref);
  }

  unclaim(name: string): void {
    if (this.#names.get(name) === null) this.#names.delete(name);
  }

  release(ref: ActorRef): void {
    if (ref.name !== undefined && this.#names.get(ref.name)?.id === ref.id) this.#names.delete(ref.name);
  }

  async lookup(name: string): Promise<ActorRef | undefined> {
    return this.find(name);
  }

  /** {@link LocalNames.lookup}, at once (on the root node). */
  find(name: string): ActorRef | undefined {
    return this.#names.get(name) ?? undefined;
  }
}
