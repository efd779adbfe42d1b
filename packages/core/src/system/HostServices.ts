import type { ActorId, NodeId } from '../wire/ids.js';
import { encode } from '../wire/messageCodec.js';
import type { SystemEnvelope } from '../wire/protocol.js';
import type { ActorRef } from '../actor/ActorRef.js';
import type { ChildSpawnOptions } from '../actor/ActorServices.js';
import { definitionKey, type AnyActorDefinition } from '../actor/defineActor.js';
import type { Runtime, SystemServices } from '../node/Runtime.js';
import { checkSpawn, NO_MAILBOX, spawnEnvelope } from './Spawner.js';
import { ActorCell } from '../actor/ActorCell.js';
import type { Placement } from '../actor/spawnTypes.js';
import { remoteHandle, type SupervisorTree } from './ActorSupervisors.js';
import { specToWire, type ChildSupervisor } from '../supervisor/ChildSupervisor.js';
import type { SupervisorSpec } from '../supervisor/spec.js';

/** A started cell's own ref. */
const refOfCell = (cell: ActorCell): ActorRef => cell.ref;
/** How long a host waits for its root to place an actor. */
const PLACE_TIMEOUT_MS = 60_000;
/** How long a host waits for its root's registry. */
const ASK_ROOT_MS = 30_000;

/**
 * The system as the actors of a thread or process see it: an inline child starts right
 * here; anything else, the names and stops of actors elsewhere are asked of the root.
 * @internal
 */
export class HostServices implements SystemServices {
  readonly #runtime: Runtime;
  readonly #root: NodeId;
  /** Actors started here under a name: their names are released when they stop. */
  readonly #named = new Map<ActorId, string>();

  constructor(runtime: Runtime, root: NodeId) {
    this.#runtime = runtime;
    this.#root = root;
    runtime.actors.onStopped = (id) => {
      if (this.#named.size === 0) return;
      const name = this.#named.get(id);
      if (name === undefined) return;
      this.#named.delete(id);
      void this.#ask('release', id, name, undefined).catch(() => undefined);
    };
  }

  /**
   * Starts a child: an unnamed inline one right here, its ref at once when its `init`
   * returned its state (as on the root: no promise on the way of most actors of a tree);
   * a named one once the root registered its name; any other placement by the root. Bad
   * options throw.
   */
  spawn(_parent: ActorId, definition: AnyActorDefinition, options: ChildSpawnOptions): ActorRef | Promise<ActorRef> {
    const placement = checkSpawn(definition, options);
    if (placement !== 'inline') return this.#spawnPlaced(placement, definition, options);
    if (options.name !== undefined) return this.#spawnNamed(options.name, definition, options);
    const runtime = this.#runtime;
    const started = runtime.actors.startCellNow(undefined, undefined, definition, options.mailbox ?? NO_MAILBOX, runtime.inlineArgs(options.args, definition.name));
    return started instanceof ActorCell ? started.ref : started.then(refOfCell);
  }

  /** A child the root places (a thread, a process, another node). */
  async #spawnPlaced(placement: Exclude<Placement, 'inline'>, definition: AnyActorDefinition, options: ChildSpawnOptions): Promise<ActorRef> {
    const runtime = this.#runtime;
    const wire = encode(options.args, runtime);
    const where = typeof placement === 'object' ? { node: placement.node, in: placement.in ?? 'inline' } : placement;
    const [id] = (await runtime.request(this.#root, (cid) => spawnEnvelope(this.#root, runtime.node, cid, definition, options, undefined, undefined, where, wire), {
      timeout: PLACE_TIMEOUT_MS,
      what: `spawn of ${definition.name}`,
    })) as [ActorId, NodeId];
    return runtime.makeRef(id, options.name);
  }

  /** A named inline child: its name is claimed at the root first, and bound once it runs. */
  async #spawnNamed(name: string, definition: AnyActorDefinition, options: ChildSpawnOptions): Promise<ActorRef> {
    const runtime = this.#runtime;
    await this.#ask('claim', undefined, name, undefined);
    const id = runtime.actors.mint(false);
    try {
      await runtime.actors.start(id, name, definition, options.mailbox ?? NO_MAILBOX, runtime.inlineArgs(options.args, definition.name));
    } catch (error) {
      void this.#ask('unclaim', undefined, name, undefined).catch(() => undefined);
      throw error;
    }
    // It stopped itself as it started: it was forgotten already, and its name goes back.
    if (runtime.actors.get(id)?.alive !== true) void this.#ask('unclaim', undefined, name, undefined).catch(() => undefined);
    else {
      this.#named.set(id, name);
      void this.#ask('bind', id, name, definitionKey(definition)).catch(() => undefined);
    }
    return runtime.makeRef(id, name);
  }

  async stop(ref: ActorRef): Promise<void> {
    if (this.#runtime.actors.has(ref.id)) return this.#runtime.actors.stop(ref.id);
    await this.#ask('stop', ref.id, undefined, undefined);
  }

  async supervise(parent: ActorId, spec: unknown): Promise<ChildSupervisor> {
    const runtime = this.#runtime;
    const wire = encode(specToWire(spec as SupervisorSpec), runtime);
    const tree = (await runtime.request(this.#root, (cid) => ({ kind: 'system', dst: this.#root, from: runtime.node, cid, op: 'supervise', actor: parent, name: undefined, detail: undefined, data: wire.value, enc: wire.enc }), {
      timeout: PLACE_TIMEOUT_MS,
      what: 'supervise at the system\'s root',
    })) as SupervisorTree;
    const ask = (op: 'sup-children' | 'sup-stop', path: readonly string[]): Promise<unknown> =>
      runtime.request(this.#root, (cid) => ({ kind: 'system', dst: this.#root, from: runtime.node, cid, op, actor: parent, name: tree.id, detail: undefined, data: [...path], enc: 0 }), { timeout: ASK_ROOT_MS, what: `${op} at the system's root` });
    return remoteHandle(tree, (id, name) => runtime.makeRef(id, name), ask);
  }

  async lookup(name: string, key: string | undefined): Promise<ActorRef | undefined> {
    const found = (await this.#ask('lookup', undefined, name, key)) as [ActorId, string | undefined] | undefined;
    return found === undefined ? undefined : this.#runtime.makeRef(found[0], found[1]);
  }

  #ask(op: SystemEnvelope['op'], actor: ActorId | undefined, name: string | undefined, detail: string | undefined): Promise<unknown> {
    const runtime = this.#runtime;
    return runtime.request(this.#root, (cid) => ({ kind: 'system', dst: this.#root, from: runtime.node, cid, op, actor, name, detail }), { timeout: ASK_ROOT_MS, what: `${op} at the system's root` });
  }
}
