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

/** A name bound to an actor: its id, and its definition's key where known. @internal */
export interface NameEntry {
  readonly id: ActorId;
  readonly key: string | undefined;
}

/**
 * The namespace a cluster shares (`cluster/ClusterNames.ts`): a system's root keeps its own
 * names as before and takes each of them here too, so that a name is one actor's in the
 * whole cluster; the names other systems hold are mirrored here for lookups.
 * @internal
 */
export interface SharedNames {
  /**
   * Takes `name` for this system (`again`: an actor restarting under this id, whose name it is).
   * @throws (rejects with) MultitaskError `NAME_TAKEN` (another system has it), `NODE_DOWN` (the store cannot be reached)
   */
  claim(name: string, again: ActorId | undefined): Promise<void>;
  /** The actor started: `name` names it. */
  bind(name: string, entry: NameEntry): void;
  /** Gives `name` up, if this system holds it (for `id`, when given). */
  release(name: string, id: ActorId | undefined): void;
  /** The actor another system holds `name` for, as this node knows now. */
  find(name: string): NameEntry | undefined;
  /** The actor another system holds `name` for, asked of the store itself. */
  fetch(name: string): Promise<NameEntry | undefined>;
  /** Calls `listener` when this system loses a name it held (taken by another while this one was declared down). */
  onLost(listener: (name: string) => void): void;
}

/** The registry of one system, kept by its root node. @internal */
export class LocalNames implements NameRegistry {
  readonly #names = new Map<string, ActorRef | null>();
  /** The definition key of each bound name's actor, where known. */
  readonly #keys = new Map<string, string>();
  /** The name each named actor holds, by its id. */
  readonly #byId = new Map<ActorId, string>();
  /** The cluster's namespace, when the system joined one; and how to make refs to the actors it names. */
  #shared: { readonly names: SharedNames; readonly makeRef: (id: ActorId, name: string) => ActorRef } | undefined;

  /** From now on, names are taken in the cluster's namespace too, and found there. */
  share(names: SharedNames, makeRef: (id: ActorId, name: string) => ActorRef): void {
    this.#shared = { names, makeRef };
    names.onLost((name) => {
      const ref = this.#names.get(name);
      this.#names.delete(name);
      this.#keys.delete(name);
      if (ref) this.#byId.delete(ref.id);
    });
  }

  async claim(name: string, again: ActorId | undefined): Promise<void> {
    this.claimNow(name, again);
    if (this.#shared === undefined) return;
    try {
      await this.#shared.names.claim(name, again);
    } catch (error) {
      if (this.#names.get(name) === null) this.#names.delete(name);
      throw error;
    }
  }

  /** {@link LocalNames.claim} among this system's names only, at once. @throws MultitaskError `NAME_TAKEN` */
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
    this.#shared?.names.bind(name, { id: ref.id, key });
  }

  unclaim(name: string): void {
    if (this.#names.get(name) !== null) return;
    this.#names.delete(name);
    this.#shared?.names.release(name, undefined);
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
    this.#shared?.names.release(name, id);
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

  /** {@link LocalNames.find}; in a cluster, a name this node has not heard of yet is asked of the cluster's store. */
  async lookup(name: string, key?: string): Promise<ActorRef | undefined> {
    const found = this.find(name, key);
    if (found !== undefined || this.#shared === undefined || this.#names.has(name)) return found;
    return this.#refOf(name, await this.#shared.names.fetch(name), key);
  }

  /**
   * {@link LocalNames.lookup}, at once (on the root node): this system's names, then (in a
   * cluster) the names of the others as this node knows them now.
   * @throws MultitaskError `DEFINITION_MISMATCH`
   */
  find(name: string, key?: string): ActorRef | undefined {
    const ref = this.#names.get(name) ?? undefined;
    if (ref === undefined) return this.#names.has(name) || this.#shared === undefined ? undefined : this.#refOf(name, this.#shared.names.find(name), key);
    checkKey(name, this.#keys.get(name), key);
    return ref;
  }

  #refOf(name: string, entry: NameEntry | undefined, key: string | undefined): ActorRef | undefined {
    if (entry === undefined || this.#shared === undefined) return undefined;
    checkKey(name, entry.key, key);
    return this.#shared.makeRef(entry.id, name);
  }
}

/** @throws MultitaskError `DEFINITION_MISMATCH` when the named actor is known to be of another definition than `wanted` */
function checkKey(name: string, has: string | undefined, wanted: string | undefined): void {
  if (wanted !== undefined && has !== undefined && has !== wanted) {
    throw new MultitaskError('DEFINITION_MISMATCH', `the actor named '${name}' is a '${has}', not a '${wanted}'`);
  }
}
