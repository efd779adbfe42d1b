/**
 * The actors a pool places on its workers (`pool.spawn`): their supervisor, and where each
 * starts or restarts.
 * @internal
 * @packageDocumentation
 */
import { MultitaskError } from '../errors.js';
import type { ActorSystem } from '../system/ActorSystem.js';
import type { ActorRef } from '../actor/ActorRef.js';
import type { ActorId } from '../wire/ids.js';
import { definitionKey, type AnyActorDefinition } from '../actor/defineActor.js';
import { Supervisor } from '../supervisor/Supervisor.js';
import { child, type ActorChildSpec } from '../supervisor/spec.js';
import type { ChildOps } from '../supervisor/ChildOps.js';
import type { Scheduler } from './Scheduler.js';
import type { PoolTargets } from './PoolNodes.js';
import type { Slot } from './jobs.js';

/** What the pool's actors need from their pool. @internal */
export interface PoolActorsHost {
  readonly system: ActorSystem;
  readonly work: Scheduler;
  readonly targets: PoolTargets;
  /** Whether the pool was terminated. */
  terminated(): boolean;
}

/**
 * The actors placed on a pool's workers, M:N, under one supervisor of the pool's: each on
 * the least loaded worker that can run it, on any node.
 * @internal
 */
export class PoolActors {
  readonly #host: PoolActorsHost;
  #supervisor: Promise<Supervisor> | undefined;
  #seq = 0;
  /** The worker each actor runs on now: its load counts the actor until it ends or moves. */
  readonly #on = new Map<ActorId, Slot>();
  /** The worker chosen for a start under way. */
  readonly #chosen = new Map<ActorChildSpec, Slot>();

  constructor(host: PoolActorsHost) {
    this.#host = host;
  }

  /** Starts an actor under the pool's supervisor (started with the first). */
  async spawn(definition: AnyActorDefinition, options: ActorChildSpec['options']): Promise<ActorRef> {
    const spec = (child as (id: string, d: AnyActorDefinition, o: ActorChildSpec['options']) => ActorChildSpec)(`actor-${++this.#seq}`, definition, options);
    this.#supervisor ??= this.#start();
    return (await this.#supervisor).add(spec);
  }

  /** Stops every actor (the pool is ending). */
  async stop(): Promise<void> {
    await (await this.#supervisor?.catch(() => undefined))?.stop();
  }

  async #start(): Promise<Supervisor> {
    const supervisor = new Supervisor('pool', { intensity: { maxRestarts: 1_000, withinMs: 1_000 }, children: [] }, this.#ops(), undefined);
    await supervisor.start();
    return supervisor;
  }

  /** The supervisor's operations, keeping each worker's count of the actors it runs. */
  #ops(): ChildOps {
    const placing = this.#host.system.childOpsOn(async (spec) => {
      const slot = await this.#place(spec.definition as AnyActorDefinition);
      this.#chosen.set(spec, slot);
      return slot.ref;
    });
    return {
      ...placing,
      spawn: async (spec, again, generation, owner) => {
        if (again !== undefined) this.#left(again.id); // starting again: where it ran counts it no more
        try {
          const ref = await placing.spawn(spec, again, generation, owner);
          const slot = this.#chosen.get(spec);
          if (slot !== undefined) this.#on.set(ref.id, slot);
          return ref;
        } catch (error) {
          const slot = this.#chosen.get(spec);
          if (slot !== undefined) slot.actors -= 1; // it never ran there
          throw error;
        } finally {
          this.#chosen.delete(spec);
        }
      },
      stop: (ref, timeout) => placing.stop(ref, timeout).finally(() => this.#left(ref.id)),
      abandon: (ref, reason) => {
        this.#left(ref.id);
        placing.abandon(ref, reason);
      },
    };
  }

  /** Actor `id` runs on its worker no more. */
  #left(id: ActorId): void {
    const slot = this.#on.get(id);
    if (slot === undefined) return;
    this.#on.delete(id);
    slot.actors -= 1;
  }

  /**
   * The least loaded worker that can run `definition`, for a new or restarting actor: one
   * of this node, or of a live node that serves the definition. When none is up, waits
   * for one to start on a node that could run it.
   * @throws MultitaskError `SPAWN_FAILED` when no node of the pool could, `POOL_CLOSED` once terminated
   */
  async #place(definition: AnyActorDefinition): Promise<Slot> {
    const { system, work, targets } = this.#host;
    const key = definitionKey(definition);
    const runs = (node: string): boolean => targets.isUp(node) && (targets.isSelf(node) || system.nodeServes(node, key));
    for (;;) {
      const best = work.leastLoaded((slot) => runs(slot.node));
      if (best !== undefined) return best;
      if (this.#host.terminated() || work.broken !== undefined) throw work.broken ?? new MultitaskError('POOL_CLOSED', 'the pool was terminated');
      const node = targets.entries().find(([at, wanted]) => wanted > 0 && runs(at))?.[0];
      if (node === undefined) throw noWorkerFor(definition, key, targets.entries());
      await work.workerOn(node);
    }
  }
}

/** The error of a spawn that no worker of the pool can run: the nodes with workers do not serve the definition. */
function noWorkerFor(definition: AnyActorDefinition, key: string, wanted: Array<[node: string, count: number]>): MultitaskError {
  const nodes = wanted.filter(([, count]) => count > 0).map(([node]) => `'${node}'`).join(', ');
  return new MultitaskError('SPAWN_FAILED', `pool.spawn of ${definition.name}: no worker of the pool can run '${key}': the pool's workers are on ${nodes || 'no node'}, which do not serve it (createSystem({ serve: [...] })) or are down`);
}
