/**
 * The actors a pool places on its workers (`pool.spawn`): their supervisor, and where each
 * starts or restarts.
 * @internal
 * @packageDocumentation
 */
import { MultitaskError } from '../errors.js';
import type { ActorSystem } from '../system/ActorSystem.js';
import type { ActorRef } from '../actor/ActorRef.js';
import { definitionKey, type AnyActorDefinition } from '../actor/defineActor.js';
import { Supervisor } from '../supervisor/Supervisor.js';
import { child, type ActorChildSpec } from '../supervisor/spec.js';
import type { Scheduler } from './Scheduler.js';
import type { PoolTargets } from './PoolNodes.js';

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
    const ops = this.#host.system.childOpsOn((spec) => this.#place(spec.definition as AnyActorDefinition));
    const supervisor = new Supervisor('pool', { intensity: { maxRestarts: 1_000, withinMs: 1_000 }, children: [] }, ops, undefined);
    await supervisor.start();
    return supervisor;
  }

  /**
   * The least loaded worker that can run `definition`, for a new or restarting actor: one
   * of this node, or of a live node that serves the definition. When none is up, waits
   * for one to start on a node that could run it.
   * @throws MultitaskError `SPAWN_FAILED` when no node of the pool could, `POOL_CLOSED` once terminated
   */
  async #place(definition: AnyActorDefinition): Promise<ActorRef> {
    const { system, work, targets } = this.#host;
    const key = definitionKey(definition);
    const runs = (node: string): boolean => targets.isUp(node) && (targets.isSelf(node) || system.nodeServes(node, key));
    for (;;) {
      const best = work.leastLoaded((slot) => runs(slot.node));
      if (best !== undefined) return best.ref;
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
