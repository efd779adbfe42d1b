/**
 * The runtime of a thread or process host: the module the bootstrap imports. It connects
 * to the parent and serves spawn, stop and message envelopes until the parent ends it.
 * @internal
 * @packageDocumentation
 */
import { systemClock } from '../clock.js';
import { systemOf, type ActorId, type NodeId } from '../wire/ids.js';
import { connectParent, type HostKind } from '../transport/parentTransport.js';
import { Runtime } from '../node/Runtime.js';
import type { RouteResolver } from '../node/Routes.js';
import { HostServices } from './HostServices.js';
import { hostSink } from './hostSink.js';
import { relayedDurable } from './relayedDurable.js';
import { DurableHandle } from '../channel/DurableChannel.js';
import { nodePart } from '../observe/nodePart.js';
import { observeNode } from '../observe/observeNode.js';
import { warmUp } from '../node/warmUp.js';
import type { TelemetryOptions } from '../observe/Telemetry.js';

/** What the parent hands a new host. @internal */
export interface HostData {
  /** This host's address. */
  readonly node: NodeId;
  /** The address of the node that started it (its system's root). */
  readonly parent: NodeId;
  readonly askTimeout: number;
  readonly stopGrace: number;
  /** `SystemOptions.copyInline`: actors of this host get copies of what they send each other. */
  readonly copyInline: boolean;
  /** Supervised actors away from the node their id names, and where they are, as the parent knew when it started this host. */
  readonly moved: ReadonlyArray<readonly [ActorId, NodeId]>;
  /** `SystemOptions.telemetry`: this host records with the providers registered in it. */
  readonly telemetry: TelemetryOptions | undefined;
  /** `SystemOptions.diagnostics`. */
  readonly diagnostics: boolean;
  /** A spare thread, booted ahead of a spawn: it warms up (see `warmUp`) before it is observed. */
  readonly spare: boolean;
}

/**
 * How a host reaches the nodes it has no link to: a process through its parent, always; a
 * thread asks its parent for a direct port to another thread of its system, and goes
 * through its parent to other systems.
 * @internal
 */
export function hostResolver(kind: HostKind, node: NodeId, parent: NodeId): RouteResolver {
  const via = { via: parent } as const;
  if (kind === 'process') return { resolve: () => via };
  const system = systemOf(node);
  return { resolve: (dst) => (systemOf(dst) === system ? 'connect' : via) };
}

/**
 * Starts this host's runtime. Called (and awaited) by the bootstrap. With telemetry on it
 * loads `@opentelemetry/api` first, so that the first message is observed too.
 * @internal
 */
export async function startHost(data: HostData): Promise<Runtime> {
  const runtime = connect(data);
  // A warm-up that fails (it runs the library's own code) costs the spare its head start, nothing else.
  if (data.spare) await warmUp(runtime).catch(() => undefined);
  // Telemetry could not load (the parent loaded it, so this is rare): the host runs unobserved.
  await observeNode(runtime, data.telemetry, data.diagnostics).catch(() => undefined);
  return runtime;
}

function connect(data: HostData): Runtime {
  const { kind, endpoint } = connectParent();
  const parent = data.parent;
  const runtime: Runtime = new Runtime({
    node: data.node,
    clock: systemClock,
    askTimeout: data.askTimeout,
    copyInline: data.copyInline,
    stopGrace: data.stopGrace,
    parent: { node: parent, endpoint },
    resolver: hostResolver(kind, data.node, parent),
    sink: hostSink(() => runtime, parent),
  });
  runtime.system = new HostServices(runtime, parent);
  // A durable channel handed to an actor here works through the root's cluster connection.
  runtime.durable = (name, capacity, ackWait) => new DurableHandle(name, capacity, ackWait, relayedDurable(runtime, parent, name, capacity, ackWait), runtime.clock);
  runtime.describe = () => nodePart(runtime);
  for (const [id, where] of data.moved) runtime.parking.moved(id, where);
  // A handler that ends its host with process.exit() right after sending: what it sent in
  // this turn (batched tells, items sent on credit) still leaves.
  process.once('exit', () => runtime.flushAll());
  return runtime;
}
