import { systemClock, type Clock } from '../src/index.js';
import { Runtime, type RuntimeSink } from '../src/node/Runtime.js';
import type { RouteResolver } from '../src/node/Routes.js';
import type { Endpoint } from '../src/transport/Endpoint.js';
import type { NodeId } from '../src/wire/ids.js';

/** A sink that reports nothing: runtimes in these tests have no system around them. */
export const quietSink: RuntimeSink = { deadLetter() {}, failure() {}, crashed() {}, connect() {}, request() {} };

/** No route to anything but attached links. */
export const noRoutes: RouteResolver = { resolve: () => undefined };

/** A node's address in the test system `t`. */
export function node(index: number): NodeId {
  return `t:${index}` as NodeId;
}

/** A runtime for `address`, in this thread, with no system around it (for protocol tests). */
export function runtimeAt(
  address: NodeId,
  options: { parent?: { node: NodeId; endpoint: Endpoint }; resolver?: RouteResolver; sink?: RuntimeSink; clock?: Clock } = {},
): Runtime {
  return new Runtime({
    node: address,
    clock: options.clock ?? systemClock,
    askTimeout: 5_000,
    stopGrace: 10,
    parent: options.parent,
    resolver: options.resolver ?? (options.parent === undefined ? noRoutes : { resolve: () => ({ via: options.parent!.node }) }),
    sink: options.sink ?? quietSink,
  });
}
