import { everyNodeOf, matches, systemOf, type NodeId, type NodePattern } from '../wire/ids.js';
import type { Frame } from '../wire/frames.js';
import type { Envelope, LinkEnvelope } from '../wire/protocol.js';
import type { Endpoint, Transferable } from '../transport/Endpoint.js';
import { Outbox } from '../transport/Outbox.js';
import { frameArrived } from '../transport/Coalescer.js';
import { portEndpoint } from '../transport/threadTransport.js';

/**
 * How to reach a node that has no link of its own here: through the link of another node
 * (`via`: the parent, another system's gateway), by asking for a direct link (`connect`: a
 * thread asks its system for a port to another thread), or not at all (`undefined`).
 * @internal
 */
export type Route = { readonly via: NodeId } | 'connect' | undefined;

/**
 * The route resolver: one of the seams that make a new placement a new transport adapter
 * and nothing else. The system layer gives each node its own (a host goes through its
 * parent; a system's root through the gateway to the other system).
 * @internal
 */
export interface RouteResolver {
  resolve(dst: NodeId): Route;
}

/** What the routes need from their node. @internal */
export interface RoutesHost {
  /** Frames that arrive on any route. */
  receive(frame: Frame): void;
  /** An envelope for a node that is gone (it may be passed on to where its actor moved). */
  gone(envelope: Envelope, error: Error): void;
  /** An envelope with no route at all. */
  unroutable(envelope: Envelope, dst: NodeId): void;
  /** An envelope the endpoint refused to copy. */
  unsendable(envelope: Envelope, cause: unknown): void;
  /** Asks (once per peer) for a direct link to `peer`; answered by a `link` envelope. */
  connect(peer: NodeId): void;
}

/**
 * How many gone nodes a node remembers, with the error they went down with. Hosts come and
 * go for the life of a service (a pool recycling workers); a message for one gone longer ago
 * than this many deaths has no route and fails with `ACTOR_STOPPED`.
 */
const REMEMBERED_DOWN = 1024;

interface Waiting {
  readonly envelope: Envelope;
  readonly transfer: readonly Transferable[] | undefined;
}

/**
 * How one node reaches the others: a batch (`Outbox`) per linked node, the resolver for
 * the rest, and the nodes known to be gone. A node asked to `connect` queues what it sends
 * there until the direct link (or the word to go `via` another) arrives.
 * @internal
 */
export class Routes {
  readonly #host: RoutesHost;
  readonly #resolver: RouteResolver;
  readonly #links = new Map<NodeId, Outbox>();
  /** The endpoints of direct links, to read what a node sent before it went down. */
  readonly #endpoints = new Map<NodeId, Endpoint>();
  /** Links that stay when nodes go down: the parent's (the way to everything else). */
  readonly #kept = new Set<NodeId>();
  readonly #connecting = new Map<NodeId, Waiting[]>();
  readonly #down = new Map<NodePattern, Error>();

  constructor(host: RoutesHost, resolver: RouteResolver) {
    this.#host = host;
    this.#resolver = resolver;
  }

  /** Routes traffic for `node` over `endpoint` and receives from it; a `kept` link survives downs (the parent's). */
  attach(node: NodeId, endpoint: Endpoint, kept = false): Outbox {
    const outbox = new Outbox(endpoint, (envelope, error) => this.#host.unsendable(envelope, error));
    this.#links.set(node, outbox);
    this.#endpoints.set(node, endpoint);
    this.#down.delete(node);
    this.#down.delete(everyNodeOf(systemOf(node))); // another system joined again: its nodes are reachable through it
    if (kept) this.#kept.add(node);
    endpoint.onReceive((frame) => {
      frameArrived();
      this.#host.receive(frame);
    });
    return outbox;
  }

  /** The outbox that traffic for `dst` leaves by now, if it has one (a route not yet resolved has none). */
  linkOf(dst: NodeId): Outbox | undefined {
    return this.#links.get(dst);
  }

  /**
   * Sends toward another node (`dst` is not this one); `urgent` posts at once instead of at
   * the end of the burst, `late` lets it wait for the end of the turn unless something else
   * goes sooner.
   */
  send(envelope: Envelope, transfer: readonly Transferable[] | undefined, urgent: boolean, late = false): void {
    const dst = envelope.dst;
    let link = this.#links.get(dst);
    if (link === undefined) {
      const gone = this.#down.get(dst) ?? this.#down.get(everyNodeOf(systemOf(dst)));
      if (gone !== undefined) return this.#host.gone(envelope, gone);
      const route = this.#resolver.resolve(dst);
      if (route === 'connect') return this.#connect(dst, envelope, transfer);
      link = route === undefined ? undefined : this.#links.get(route.via);
      if (link === undefined) return this.#host.unroutable(envelope, dst);
      this.#links.set(dst, link); // resolved once: the next envelope for dst goes straight out
    }
    link.push(envelope, transfer, late);
    // Flow control (credit, batches, repayments) is already batched: waiting for the end of the turn only adds latency.
    if (urgent) link.flush();
  }

  /** Ask for a direct link to `dst` and queue until then. */
  #connect(dst: NodeId, envelope: Envelope, transfer: readonly Transferable[] | undefined): void {
    const queue = this.#connecting.get(dst);
    if (queue !== undefined) return void queue.push({ envelope, transfer });
    this.#connecting.set(dst, [{ envelope, transfer }]);
    this.#host.connect(dst);
  }

  /** The answer to a `connect`: a direct port to `peer`, or (`null`) the node to go through. */
  link(envelope: LinkEnvelope): void {
    if (envelope.port !== null) this.attach(envelope.peer, portEndpoint(envelope.port));
    else {
      const via = envelope.via === undefined ? undefined : this.#links.get(envelope.via);
      if (via !== undefined) this.#links.set(envelope.peer, via);
    }
    this.#flush(envelope.peer);
  }

  /**
   * The nodes `pattern` names are gone: no route to them any more; what waited for a route
   * to them is passed on (to be redirected or failed).
   */
  down(pattern: NodePattern, error: Error): void {
    this.#down.set(pattern, error);
    if (this.#down.size > REMEMBERED_DOWN) this.#down.delete(this.#down.keys().next().value as NodePattern);
    for (const [node, endpoint] of [...this.#endpoints]) {
      if (this.#kept.has(node) || !matches(pattern, node)) continue;
      // What it sent before it went down is read before its death is dealt with: the word
      // of its death comes another way (from the root) and may overtake its last frames.
      endpoint.drain?.();
      this.#endpoints.delete(node);
    }
    for (const node of [...this.#links.keys()]) if (!this.#kept.has(node) && matches(pattern, node)) this.#links.delete(node);
    for (const node of [...this.#connecting.keys()]) if (matches(pattern, node)) this.#flush(node);
  }

  /** Posts every route's batch now. */
  flushAll(): void {
    for (const outbox of new Set(this.#links.values())) outbox.flush();
  }

  #flush(peer: NodeId): void {
    const queue = this.#connecting.get(peer);
    this.#connecting.delete(peer);
    for (const { envelope, transfer } of queue ?? []) this.send(envelope, transfer, false);
  }
}
