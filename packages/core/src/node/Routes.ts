import { MAIN_NODE, type NodeId } from '../wire/ids.js';
import type { Envelope, LinkEnvelope } from '../wire/protocol.js';
import type { Frame } from '../wire/frames.js';
import type { Endpoint, Transferable } from '../transport/Endpoint.js';
import { Outbox } from '../transport/Outbox.js';
import { portEndpoint } from '../transport/threadTransport.js';

/** Where a node runs. @internal */
export type NodeKind = 'main' | 'thread' | 'process';

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
 * How one node reaches the others: a batch (`Outbox`) per connected node, the parent for
 * what has no direct route (processes, and threads until a direct port arrives), and the
 * nodes known to be gone. A thread asks the main thread for a direct port to another
 * thread the first time it sends there, and queues until it has one.
 * @internal
 */
export class Routes {
  readonly #node: NodeId;
  readonly #kind: NodeKind;
  readonly #host: RoutesHost;
  readonly #links = new Map<NodeId, Outbox>();
  readonly #connecting = new Map<NodeId, Waiting[]>();
  readonly #down = new Map<NodeId, Error>();
  #parent: Outbox | undefined;

  constructor(node: NodeId, kind: NodeKind, host: RoutesHost) {
    this.#node = node;
    this.#kind = kind;
    this.#host = host;
  }

  /** Routes traffic for `node` over `endpoint` and receives from it. */
  attach(node: NodeId, endpoint: Endpoint): Outbox {
    const outbox = new Outbox(endpoint, (envelope, error) => this.#host.unsendable(envelope, error));
    this.#links.set(node, outbox);
    endpoint.onReceive((frame) => this.#host.receive(frame));
    return outbox;
  }

  /** The route to the parent (the main thread), for a thread or process host. */
  attachParent(endpoint: Endpoint): void {
    this.#parent = this.attach(MAIN_NODE, endpoint);
  }

  /** Sends toward another node (`dst` is not this one); `urgent` posts at once instead of at the end of the burst. */
  send(envelope: Envelope, transfer: readonly Transferable[] | undefined, urgent: boolean): void {
    const dst = envelope.dst;
    let link = this.#links.get(dst);
    if (link === undefined) {
      const gone = this.#down.get(dst);
      if (gone !== undefined) return this.#host.gone(envelope, gone);
      if (this.#kind === 'process') link = this.#parent;
      else if (this.#kind === 'thread' && this.#parent !== undefined) return this.#connect(dst, envelope, transfer);
    }
    if (link === undefined) return this.#host.unroutable(envelope, dst);
    link.push(envelope, transfer);
    // Flow control (credit, batches, repayments) is already batched: waiting for the end of the turn only adds latency.
    if (urgent) link.flush();
  }

  /** Threads reach other threads directly: ask the main thread for a port, queue until then. */
  #connect(dst: NodeId, envelope: Envelope, transfer: readonly Transferable[] | undefined): void {
    const queue = this.#connecting.get(dst);
    if (queue !== undefined) return void queue.push({ envelope, transfer });
    this.#connecting.set(dst, [{ envelope, transfer }]);
    this.#parent?.push({ kind: 'connect', dst: MAIN_NODE, from: this.#node, peer: dst });
  }

  /** The main thread answered a `connect`: a direct port to `peer`, or (`null`) go through the parent. */
  link(envelope: LinkEnvelope): void {
    if (envelope.port === null) this.#links.set(envelope.peer, this.#parent as Outbox);
    else this.attach(envelope.peer, portEndpoint(envelope.port));
    this.#flush(envelope.peer);
  }

  /** `node` is gone: no route to it any more; what waited for a route to it is passed on (to be redirected). */
  down(node: NodeId, error: Error): void {
    this.#down.set(node, error);
    if (this.#down.size > REMEMBERED_DOWN) this.#down.delete(this.#down.keys().next().value as NodeId);
    if (node !== MAIN_NODE) this.#links.delete(node); // a direct port, or an alias of the parent link
    this.#flush(node);
  }

  /** Posts every route's batch now. */
  flushAll(): void {
    for (const outbox of this.#links.values()) outbox.flush();
    this.#parent?.flush();
  }

  #flush(peer: NodeId): void {
    const queue = this.#connecting.get(peer);
    this.#connecting.delete(peer);
    for (const { envelope, transfer } of queue ?? []) this.send(envelope, transfer, false);
  }
}
