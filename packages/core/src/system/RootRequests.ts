import { MultitaskError } from '../errors.js';
import type { DurableRequest } from './DurableRelay.js';
import { systemOf, type ActorId, type NodeId } from '../wire/ids.js';
import type { SpawnEnvelope, StopEnvelope, SystemEnvelope } from '../wire/protocol.js';
import { decode } from '../wire/messageCodec.js';
import type { ActorRef } from '../actor/ActorRef.js';
import type { AnyActorDefinition } from '../actor/defineActor.js';
import { loadDefinition } from '../actor/loadDefinition.js';
import type { Placement } from '../actor/spawnTypes.js';
import type { Runtime, SystemServices } from '../node/Runtime.js';
import type { LocalNames } from './NameRegistry.js';
import type { PeerSystems } from './PeerSystems.js';
import type { SpawnOpts, Started } from './Spawner.js';
import { localHandle, treeOf, type ActorSupervisors } from './ActorSupervisors.js';
import { specFromWire, type WireSupervisorSpec } from '../supervisor/ChildSupervisor.js';
import type { SupervisorSpec } from '../supervisor/spec.js';

/** What the root's request handling needs from its system. @internal */
export interface RootRequestsHost {
  readonly runtime: Runtime;
  readonly names: LocalNames;
  readonly peers: PeerSystems;
  readonly supervisors: ActorSupervisors;
  start(definition: AnyActorDefinition, opts: SpawnOpts, again: ActorId | undefined, generation: number | undefined): Promise<Started>;
  /** Starts an actor of this thread's or where `opts` says: its ref, at once when it started at once. */
  spawn(definition: AnyActorDefinition, opts: SpawnOpts): ActorRef | Promise<ActorRef>;
  stop(ref: ActorRef): Promise<void>;
  /** A durable channel's operation for a thread or process of this system (see {@link DurableRelay}). */
  durable(from: NodeId, request: DurableRequest): Promise<unknown>;
}


/**
 * A system's root as the other nodes of the system see it: it places actors for them (a
 * thread actor's `ctx.spawn(def, { placement: 'process' })`), stops actors wherever they run,
 * and keeps the names; and it serves the actors of its own main thread the same way.
 * Requests from other systems go to the peers, which serve only by key.
 * @internal
 */
export class RootRequests {
  readonly #host: RootRequestsHost;

  constructor(host: RootRequestsHost) {
    this.#host = host;
  }

  /** What `ctx` of an actor on the root's own thread asks of its system. */
  services(): SystemServices {
    return {
      spawn: (_parent, definition, options) => this.#host.spawn(definition, options),
      stop: (ref) => this.#host.stop(ref),
      lookup: (name, key) => this.#host.names.lookup(name, key),
      supervise: async (parent, spec) => localHandle(await this.#host.supervisors.start(parent, spec as SupervisorSpec)),
    };
  }

  /** A request that reached the root's runtime. */
  handle(envelope: SpawnEnvelope | StopEnvelope | SystemEnvelope): void {
    const runtime = this.#host.runtime;
    const foreign = systemOf(envelope.from) !== systemOf(runtime.node);
    if (envelope.kind !== 'system' && foreign) return this.#host.peers.request(envelope);
    if (foreign) return runtime.fail(envelope.from, envelope.cid, new MultitaskError('INVALID_ARGUMENT', 'system requests come from the nodes of a system only'));
    const answer = (work: Promise<unknown>): void =>
      void work.then(
        (value) => runtime.reply(envelope.from, envelope.cid, value),
        (error: unknown) => runtime.fail(envelope.from, envelope.cid, error),
      );
    if (envelope.kind === 'spawn') return answer(this.#place(envelope));
    if (envelope.kind === 'stop') return answer(envelope.to === undefined ? Promise.resolve() : this.#host.stop(runtime.makeRef(envelope.to, undefined)));
    answer(this.#system(envelope));
  }

  /** Places an actor for a node of this system; answers with its id, its node, and whether it stopped as it started. */
  async #place(envelope: SpawnEnvelope): Promise<[ActorId, NodeId, boolean]> {
    const definition = await loadDefinition(envelope.url, envelope.definition); // a node of this system: trusted
    const where = envelope.placement;
    const placement: Placement = typeof where === 'object' ? { node: where.node, in: where.in } : (where ?? 'inline');
    const args = decode(envelope.args, envelope.enc, this.#host.runtime);
    const opts: SpawnOpts = { placement, args, mailbox: envelope.mailbox, ...(envelope.name === undefined ? {} : { name: envelope.name }) };
    const started = await this.#host.start(definition, opts, envelope.id, envelope.supervised ? envelope.generation : undefined);
    return [started.ref.id, started.node, started.ended === true];
  }

  async #system(e: SystemEnvelope): Promise<unknown> {
    const names = this.#host.names;
    const name = e.name ?? '';
    switch (e.op) {
      case 'claim':
        return names.claim(name, e.actor);
      case 'bind':
        return names.bind(name, this.#host.runtime.makeRef(e.actor as ActorId, name), typeof e.detail === 'string' ? e.detail : undefined);
      case 'unclaim':
        return names.unclaim(name);
      case 'release':
        return names.releaseName(name, e.actor as ActorId);
      case 'lookup': {
        const ref = await names.lookup(name, typeof e.detail === 'string' ? e.detail : undefined);
        return ref === undefined ? undefined : [ref.id, ref.name];
      }
      case 'stop':
        return this.#host.stop(this.#host.runtime.makeRef(e.actor as ActorId, undefined));
      case 'kill':
        throw new MultitaskError('INVALID_ARGUMENT', 'kill is not a request nodes may make yet');
      case 'supervise': {
        const wire = decode(e.data, e.enc ?? 0, this.#host.runtime) as WireSupervisorSpec;
        const spec = await specFromWire(wire, loadDefinition);
        return treeOf(await this.#host.supervisors.start(e.actor as ActorId, spec));
      }
      case 'sup-children':
        return this.#host.supervisors.find(name, (e.data as string[] | undefined) ?? []).children();
      case 'sup-stop':
        return this.#host.supervisors.find(name, (e.data as string[] | undefined) ?? []).stop();
      case 'durable':
        return this.#host.durable(e.from, e.data as DurableRequest);
    }
  }
}
