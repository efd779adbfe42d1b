import type { TimerHandle } from '../clock.js';
import { MultitaskError } from '../errors.js';
import { isSystemId, systemOf, type SystemId } from '../wire/ids.js';
import type { NatsLink, NatsPeerEndpoint } from '../transport/natsLink.js';
import type { ClusterHost } from '../system/ClusterHook.js';
import type { PeerInfo } from '../system/PeerSystems.js';
import type { ResolvedCluster } from './clusterOptions.js';

/** The control messages of the cluster (JSON on the control subjects). */
type Control =
  | { readonly v: 1; readonly kind: 'hello' | 'beat'; readonly info: PeerInfo }
  | { readonly v: 1; readonly kind: 'bye'; readonly system: SystemId }
  | { readonly v: 1; readonly kind: 'probe'; readonly system: SystemId };

interface Member {
  readonly info: PeerInfo;
  readonly endpoint: NatsPeerEndpoint;
  heard: number;
  probing: boolean;
}

const MAX_SERVES = 10_000;

/** A control message, checked field by field; `undefined` for anything else. */
function parseControl(data: Uint8Array): Control | undefined {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(data));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const message = value as Record<string, unknown>;
  if (message.v !== 1) return undefined;
  if (message.kind === 'bye' || message.kind === 'probe') return isSystemId(message.system) ? (message as Control) : undefined;
  if (message.kind !== 'hello' && message.kind !== 'beat') return undefined;
  const info = message.info as Record<string, unknown> | undefined;
  if (typeof info !== 'object' || info === null || !isSystemId(info.system)) return undefined;
  if (typeof info.node !== 'string' || info.node.length === 0 || info.node.length > 256) return undefined;
  if (typeof info.root !== 'string' || systemOf(info.root) !== info.system) return undefined;
  if (!Array.isArray(info.serves) || info.serves.length > MAX_SERVES || !info.serves.every((key) => typeof key === 'string')) return undefined;
  return { v: 1, kind: message.kind, info: { system: info.system, node: info.node, root: info.root as PeerInfo['root'], serves: info.serves as string[] } };
}

/**
 * Who is in the cluster: this node announces itself (`hello`, answered by everyone there),
 * beats every `heartbeat` ms, and declares down a node not heard from for `downAfter` ms
 * (sooner when a probe of a silent node finds that nobody listens on its subject). Node
 * names are unique: a join that finds its name taken fails, and a newcomer with a taken
 * name is not let in.
 * @internal
 */
export class Membership {
  readonly #host: ClusterHost;
  readonly #link: NatsLink;
  readonly #options: ResolvedCluster;
  readonly #members = new Map<SystemId, Member>();
  #timer: TimerHandle | undefined;
  #taken: string | undefined;
  #left = false;

  constructor(host: ClusterHost, link: NatsLink, options: ResolvedCluster) {
    this.#host = host;
    this.#link = link;
    this.#options = options;
  }

  /** The node name of a member system. */
  nameOf(system: SystemId): string | undefined {
    return this.#members.get(system)?.info.node;
  }

  /** Announces this node and waits `joinWindow` for the others. */
  async join(): Promise<void> {
    this.#link.publish('hello', this.#message('hello'), 'ctl');
    await new Promise<void>((resolve) => this.#host.clock.setTimeout(resolve, this.#options.joinWindow));
    if (this.#taken !== undefined) {
      throw new MultitaskError('NAME_TAKEN', `node name '${this.#host.info.node}' is taken in cluster '${this.#options.name}' (by system ${this.#taken})`);
    }
    this.#beat();
  }

  #message(kind: 'hello' | 'beat'): Control {
    return { v: 1, kind, info: this.#host.info };
  }

  /** A message on a control subject. */
  control(kind: 'hello' | 'beat' | 'bye' | 'ctl', data: Uint8Array, reply: string | undefined): void {
    if (this.#left) return;
    const message = parseControl(data);
    if (message === undefined) return this.#host.badFrame(undefined, `an unreadable control message on '${kind}'`);
    if (message.kind === 'bye') return this.#down(message.system, new MultitaskError('NODE_DOWN', 'it left the cluster'));
    if (message.kind === 'probe') {
      if (reply !== undefined) this.#link.publish({ reply }, this.#message('beat'));
      return;
    }
    if (message.info.system === this.#host.info.system) return;
    this.#heard(message.info);
    if (message.kind === 'hello' && reply !== undefined) this.#link.publish({ reply }, this.#message('beat'));
  }

  /** A node's hello or beat: it is alive; a node not yet known joins (unless its name is taken). */
  #heard(info: PeerInfo): void {
    const known = this.#members.get(info.system);
    if (known !== undefined) {
      known.heard = this.#host.clock.now();
      known.endpoint.hold(undefined);
      return;
    }
    if (info.node === this.#host.info.node) {
      this.#taken ??= info.system;
      return;
    }
    for (const member of this.#members.values()) if (member.info.node === info.node) return; // a newcomer with a taken name
    const endpoint = this.#link.endpoint(info.system, info.node);
    const member: Member = { info, endpoint, heard: this.#host.clock.now(), probing: false };
    this.#members.set(info.system, member);
    endpoint.onClose?.(() => {
      if (this.#members.get(info.system) === member) this.#members.delete(info.system);
    });
    try {
      this.#host.attach(info, endpoint);
    } catch {
      // the system is shutting down (or the peer is joined already): not a member then
      this.#members.delete(info.system);
      endpoint.end(new MultitaskError('NODE_DOWN', `node '${info.node}' could not be joined`));
    }
  }

  #down(system: SystemId, error: Error): void {
    const member = this.#members.get(system);
    if (member === undefined) return;
    this.#members.delete(system);
    member.endpoint.end(error);
  }

  /** Beats, then looks for nodes that fell silent. */
  #beat(): void {
    if (this.#left) return;
    this.#link.publish('beat', this.#message('beat'));
    const now = this.#host.clock.now();
    for (const [system, member] of [...this.#members]) {
      const silent = now - member.heard;
      if (silent > this.#options.downAfter) this.#down(system, new MultitaskError('NODE_DOWN', `not heard from for ${Math.round(silent)} ms (downAfter ${this.#options.downAfter} ms)`));
      else if (silent > this.#options.heartbeat * 1.5 && !member.probing) void this.#probe(system, member);
    }
    this.#timer = this.#host.clock.setTimeout(() => this.#beat(), this.#options.heartbeat);
  }

  /** A node missed a beat: if nobody listens on its subject any more, it is gone now. */
  async #probe(system: SystemId, member: Member): Promise<void> {
    member.probing = true;
    const answer = await this.#link.probe(system, { v: 1, kind: 'probe', system: this.#host.info.system }, this.#options.heartbeat);
    member.probing = false;
    if (answer === 'alive') {
      member.heard = this.#host.clock.now();
      member.endpoint.hold(undefined);
    }
    else if (answer === 'gone') this.#down(system, new MultitaskError('NODE_DOWN', 'nobody listens on its subject any more (its process is gone)'));
  }

  /**
   * The connection dropped: until each member is heard again after it is back, what is
   * sent to it is refused with `NODE_DOWN` rather than published where it may not listen yet.
   */
  disconnected(): void {
    for (const member of this.#members.values()) member.endpoint.hold('not heard from since this node reconnected to the NATS server');
  }

  /** The connection came back: announce again, so that the others (who declared this node down meanwhile) let it in. */
  reconnected(): void {
    if (this.#left) return;
    this.#link.publish('hello', this.#message('hello'), 'ctl');
  }

  /** Says goodbye and stops beating. */
  leave(): void {
    if (this.#left) return;
    this.#link.publish('bye', { v: 1, kind: 'bye', system: this.#host.info.system });
    this.#left = true;
    if (this.#timer !== undefined) this.#host.clock.clearTimeout(this.#timer);
    for (const system of [...this.#members.keys()]) this.#down(system, new MultitaskError('NODE_DOWN', 'this node left the cluster'));
  }
}
