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
  /** The actor started: `name` now finds it; `key` is its definition's key. */
  bind(name: string, ref: ActorRef, key: string | undefined): void;
  /** Gives up a claim whose actor failed to start. */
  unclaim(name: string): void;
  /** The actor is gone for good: its name is free again (if it still holds it). */
  release(ref: ActorRef): void;
  /**
   * The actor registered under `name`, if it is running; with `key`, it must be of that definition.
   * @throws (rejects with) MultitaskError `DEFINITION_MISMATCH`
   */
  lookup(name: string, key?: string): Promise<ActorRef | undefined>;
}

/** The registry of one system, kept by its root node. @internal */
export class LocalNames implements NameRegistry {
  readonly #names = new Map<string, ActorRef | null>();
  /** The definition key of each bound name's actor, where known. */
  readonly #keys = new Map<string, string>();
  /** The name each named actor holds, by its id. */
  readonly #byId = new Map<ActorId, string>();

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

  bind(name: string, ref: ActorRef, key: string | undefined): void {
    this.#names.set(name, ref);
    this.#byId.set(ref.id, name);
    if (key === undefined) this.#keys.delete(name);
    else this.#keys.set(name, key);
  }

  unclaim(name: string): void {
    if (this.#names.get(name) === null) this.#names.delete(name);
  }

  release(ref: ActorRef): void {
    if (ref.name !== undefined) this.releaseName(ref.name, ref.id);
  }

  /** Releases `name` if actor `id` holds it. */
  releaseName(name: string, id: ActorId): void {
    if (this.#names.get(name)?.id !== id) return;
    this.#names.delete(name);
    this.#keys.delete(name);
    this.#byId.delete(id);
  }

  /** Releases whatever name actor `id` holds; returns it. */
  releaseId(id: ActorId): string | undefined {
    if (this.#byId.size === 0) return undefined;
    const name = this.#byId.get(id);
    if (name !== undefined) this.releaseName(name, id);
    return name;
  }

  /** Releases the names of every actor `gone` picks (they ran on a node that died). */
  releaseWhere(gone: (id: ActorId) => boolean): void {
    for (const [name, ref] of [...this.#names]) if (ref !== null && gone(ref.id)) this.releaseName(name, ref.id);
  }

  async lookup(name: string, key?: string): Promise<ActorRef | undefined> {
    return this.find(name, key);
  }

  /**
   * {@link LocalNames.lookup}, at once (on the root node).
   * @throws MultitaskError `DEFINITION_MISMATCH`
   */
  find(name: string, key?: string): ActorRef | undefined {
    const ref = this.#names.get(name) ?? undefined;
    const has = this.#keys.get(name);
    if (ref !== undefined && key !== undefined && has !== undefined && has !== key) {
      throw new MultitaskError('DEFINITION_MISMATCH', `the actor named '${name}' is a '${has}', not a '${key}'`);
    }
    return ref;
  }
}
