import { MultitaskError } from '../errors.js';
import type { ActorRef } from '../actor/ActorRef.js';
import { isActorDefinition, type AnyActorDefinition } from '../actor/defineActor.js';
import type { ActorChildId, ActorChildSpec, ChildChildren, ChildDefinition, ChildInfo, ChildSpec, SupervisorChildId, SupervisorSpec } from './spec.js';

/**
 * A supervisor started by an actor (`ctx.supervise(spec)`): the same specs, strategies,
 * restart policies, intensity and backoff as `system.supervise`, with the actor as its
 * parent. Past its intensity it stops its children and the failure escalates to the
 * actor, which crashes (its own supervisor, if it has one, decides what happens next); one
 * tree from the system's root down, through actors. It stops with the actor, like its
 * other children, and refs to its children stay valid across their restarts.
 *
 * @typeParam C - the children, as declared with {@link child}
 *
 * @example
 * {@includeCode ../../../examples/src/guides/apiExamples.ts#ChildSupervisor}
 */
export interface ChildSupervisor<C extends readonly ChildSpec[] = readonly ChildSpec[]> {
  /** Its id (`spec.id`, or one given by the system). */
  readonly id: string;
  /**
   * The ref to an actor child, valid across its restarts.
   * @throws {@link MultitaskError} `INVALID_ARGUMENT` when there is no actor child `id`
   */
  ref<K extends ActorChildId<C>>(id: K): ActorRef<ChildDefinition<C, K>>;
  /**
   * A nested supervisor child.
   * @throws {@link MultitaskError} `INVALID_ARGUMENT` when there is no supervisor child `id`
   */
  supervisor<K extends SupervisorChildId<C>>(id: K): ChildSupervisor<ChildChildren<C, K>>;
  /** Each child's id, kind, status and restart count, in spec order. */
  children(): Promise<ChildInfo[]>;
  /** Stops every child, the last started first, and supervises no more. */
  stop(): Promise<void>;
}

declare module '../actor/defineActor.js' {
  interface ActorContext<S> {
    /**
     * Starts a supervisor of this actor's own (see {@link ChildSupervisor}) and resolves once
     * all its children have started, in order. A child spawned with `placement: 'inline'`
     * (the default) runs on this actor's own thread or process.
     * @throws (rejects with) {@link MultitaskError} `SPAWN_FAILED`, `INVALID_ARGUMENT`, `NAME_TAKEN`, `ACTOR_STOPPED` (this actor is stopping)
     */
    supervise<const C extends readonly ChildSpec[]>(spec: SupervisorSpec<C>): Promise<ChildSupervisor<C>>;
  }
}

/** A child spec as it travels to the node that runs the supervisor: definitions by URL and name. @internal */
export type WireChildSpec =
  | { readonly kind: 'actor'; readonly id: string; readonly url: string; readonly name: string; readonly options: ActorChildSpec['options'] }
  | { readonly kind: 'supervisor'; readonly id: string; readonly spec: WireSupervisorSpec; readonly options: { readonly restart?: string | undefined } };

/** A supervisor spec on its way. @internal */
export type WireSupervisorSpec = Omit<SupervisorSpec, 'children'> & { readonly children: readonly WireChildSpec[] };

/** A spec with its definitions replaced by where they are: what another node can rebuild. @internal */
export function specToWire(spec: SupervisorSpec): WireSupervisorSpec {
  if (typeof spec !== 'object' || spec === null || !Array.isArray(spec.children)) throw new MultitaskError('INVALID_ARGUMENT', 'supervise: spec.children must be an array of child(...) specs');
  return {
    ...spec,
    children: spec.children.map((c): WireChildSpec => {
      if (c.kind === 'actor') {
        const definition = c.definition as AnyActorDefinition;
        if (!isActorDefinition(definition)) throw new MultitaskError('INVALID_ARGUMENT', `supervise: child '${c.id}' has no actor definition`);
        return { kind: 'actor', id: c.id, url: definition.url, name: definition.name, options: c.options };
      }
      return { kind: 'supervisor', id: c.id, spec: specToWire(c.spec), options: c.options };
    }),
  };
}

/** Rebuilds a spec, loading each definition by its URL (on a node of the same system: trusted). @internal */
export async function specFromWire(wire: WireSupervisorSpec, load: (url: string, name: string) => Promise<AnyActorDefinition>): Promise<SupervisorSpec> {
  const children: ChildSpec[] = [];
  for (const c of wire.children) {
    if (c.kind === 'actor') children.push({ kind: 'actor', id: c.id, definition: await load(c.url, c.name), options: c.options } as ChildSpec);
    else children.push({ kind: 'supervisor', id: c.id, spec: await specFromWire(c.spec, load), options: c.options } as ChildSpec);
  }
  return { ...wire, children };
}
