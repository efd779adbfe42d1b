import type { TimerHandle } from '../clock.js';
import { MultitaskError } from '../errors.js';
import type { SystemId } from '../wire/ids.js';
import type { NatsLink, NatsPeerEndpoint } from '../transport/natsLink.js';
import type { ClusterHost } from '../system/ClusterHook.js';
import type { PeerInfo } from '../system/PeerSystems.js';
import type { ResolvedCluster } from './clusterOptions.js';
import { parseControl, type Control } from './control.js';

interface Member {
  readonly info: PeerInfo;
  /** Its incarnation: a node declared down comes back as a newer one. */
  readonly inc: number;
  readonly endpoint: NatsPeerEndpoint;
  heard: number;
  probing: boolean;
}

/** How many systems declared down a node remembers (their incarnations are refused). */
const REMEMBERED_DOWN = 4096;

/** What membership reports beside the system's own events. @internal */
export interface MembershipEvents {
  /** Incarnation `inc` of `system` was declared down (or came back as a newer one): its names are free. */
  down(system: SystemId, inc: number): void;
  /** This node came back as incarnation `inc` after it was declared down, or after it found itself paused. */
  rejoined(inc: number): void;
  /** This node beat (every `heartbeat` ms). */
  beat(): void;
}

/**
 * Who is in the cluster: this node announces itself (`hello`, answered by everyone there),
 * beats every `heartbeat` ms, and declares down a node not heard from for `downAfter` ms
 * (sooner when a probe of a silent node finds that nobody listens on its subject). Node
 * names are unique: the cluster's bucket decides who has one (`claimNodeName`, before the
 * hello); without it a join that hears its name answered fails; and a newcomer with a
 * member's name is not let in.
 *
 * Each node speaks as an incarnation of its system. An incarnation declared down is not
 * let in again: what it says is refused, and it is told (`down`). A node that learns it was
 * declared down, or finds it was paused longer than `downAfter` (so the others must have
 * declared it down), fences itself: it declares every other node down (stopping what it
 * ran for them, its copies of actors they supervise among it), then comes back as a new
 * incarnation, which the others let in as a node that joins.
 * @internal
 */
export class Membership {
  readonly #host: ClusterHost;
  readonly #link: NatsLink;
  readonly #options: ResolvedCluster;
  readonly #events: MembershipEvents;
  readonly #members = new Map<SystemId, Member>();
  /** The last incarnation of each system this node declared down. */
  readonly #downed = new Map<SystemId, number>();
  /** When each stale incarnation was last told it is down (at most once a heartbeat). */
  readonly #told = new Map<SystemId, number>();
  #timer: TimerHandle | undefined;
  #taken: SystemId | undefined;
  #left = false;
  #inc: number;
  /** When this node last beat (`undefined` until it has joined). */
  #beatAt: number | undefined;
  /** Whether this node's connection to the server is up. */
  #connected = true;
  /**
   * When this node last got its connection back. For `downAfter` after that, a probe that
   * finds nobody on a member's subject proves nothing: the member may not have reconnected yet.
   */
  #reconnectedAt = Number.NEGATIVE_INFINITY;

  constructor(host: ClusterHost, link: NatsLink, options: ResolvedCluster, events: MembershipEvents) {
    this.#host = host;
    this.#link = link;
    this.#options = options;
    this.#events = events;
    this.#inc = Date.now(); // later than any earlier process with this system id
  }

  /** This node's incarnation. */
  get incarnation(): number {
    return this.#inc;
  }

  /** The node name of a member system. */
  nameOf(system: SystemId): string | undefined {
    return this.#members.get(system)?.info.node;
  }

  /** Whether incarnation `inc` of `system` is a member now (this node's own included). */
  isMember(system: SystemId, inc: number): boolean {
    if (system === this.#host.info.system) return inc === this.#inc;
    return this.#members.get(system)?.inc === inc;
  }

  /** Whether incarnation `inc` of `system` (or a later one) was declared down by this node. */
  wasDeclaredDown(system: SystemId, inc: number): boolean {
    return (this.#downed.get(system) ?? -1) >= inc;
  }

  /** A system heard saying it is alive with this node's name (its hello or beat) while this node joins, if any. */
  get heardWithName(): SystemId | undefined {
    return this.#taken;
  }

  /**
   * Announces this node and waits `joinWindow` for the others. `nameHeld`: this node holds
   * its name in the cluster's bucket (see `claimNodeName`), which decides; without the
   * bucket (no JetStream), a node that answers with the same name within the window has it.
   * @throws (rejects with) MultitaskError `NAME_TAKEN`
   */
  async join(nameHeld: boolean): Promise<void> {
    this.#link.publish('hello', this.#message('hello'), 'ctl');
    await new Promise<void>((resolve) => this.#host.clock.setTimeout(resolve, this.#options.joinWindow));
    if (!nameHeld && this.#taken !== undefined) {
      throw new MultitaskError('NAME_TAKEN', `node name '${this.#host.info.node}' is taken in cluster '${this.#options.name}': another node has it (system ${this.#taken})`);
    }
    this.#beat();
  }

  #message(kind: 'hello' | 'beat'): Control {
    return { v: 1, kind, info: this.#host.info, inc: this.#inc };
  }

  /** A message on a control subject. */
  control(kind: 'hello' | 'beat' | 'bye' | 'ctl', data: Uint8Array, reply: string | undefined): void {
    if (this.#left) return;
    this.awake();
    const message = parseControl(data);
    if (message === undefined) return this.#host.badFrame(undefined, `an unreadable control message on '${kind}'`);
    switch (message.kind) {
      case 'bye':
        if (message.inc === undefined || this.isMember(message.system, message.inc)) this.#down(message.system, new MultitaskError('NODE_DOWN', 'it left the cluster'), 'gone');
        return;
      case 'probe':
        if (reply !== undefined) this.#link.publish({ reply }, this.#message('beat'));
        return;
      case 'down':
        if (message.system === this.#host.info.system && message.inc === this.#inc) this.#fence(`was declared down by node '${message.by}'`);
        return;
    }
    if (message.info.system === this.#host.info.system) return;
    if (!this.#heard(message.info, message.inc)) return;
    if (message.kind === 'hello' && reply !== undefined) this.#link.publish({ reply }, this.#message('beat'));
  }

  /**
   * A node's hello or beat: it is alive; a node not yet known joins (unless its name is
   * taken), a newer incarnation of a member replaces it, and one declared down is told so.
   * False when it is not let in.
   */
  #heard(info: PeerInfo, inc: number): boolean {
    const downed = this.#downed.get(info.system);
    if (downed !== undefined && inc <= downed) {
      this.#stale(info.system, inc);
      return false;
    }
    const known = this.#members.get(info.system);
    if (known !== undefined && inc < known.inc) return false; // an older incarnation's late word
    if (known !== undefined && inc === known.inc) {
      known.heard = this.#host.clock.now();
      known.endpoint.hold(undefined);
      return true;
    }
    if (known !== undefined) this.#down(info.system, new MultitaskError('NODE_DOWN', 'it came back as a new incarnation (it was cut off or paused)'), 'gone');
    if (info.node === this.#host.info.node) {
      this.#taken ??= info.system;
      return false;
    }
    for (const member of this.#members.values()) if (member.info.node === info.node) return false; // a newcomer with a taken name
    this.#join(info, inc);
    return true;
  }

  #join(info: PeerInfo, inc: number): void {
    const endpoint = this.#link.endpoint(info.system, info.node);
    const member: Member = { info, inc, endpoint, heard: this.#host.clock.now(), probing: false };
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

  /** A word from an incarnation this node declared down: tell it so (at most once a heartbeat). */
  #stale(system: SystemId, inc: number): void {
    const now = this.#host.clock.now();
    if (now - (this.#told.get(system) ?? -Infinity) < this.#options.heartbeat) return;
    this.#told.set(system, now);
    if (this.#told.size > REMEMBERED_DOWN) this.#told.delete(this.#told.keys().next().value as SystemId);
    this.#link.publishTo(system, { v: 1, kind: 'down', system, inc, by: this.#host.info.node });
  }

  /** Frames came from a system that is not joined: if it is an incarnation declared down, it is told so. */
  stranger(system: SystemId): void {
    const downed = this.#downed.get(system);
    if (downed !== undefined && !this.#members.has(system)) this.#stale(system, downed);
  }

  /**
   * `system` is down, as far as this node is concerned: `declared` (not heard from: its
   * incarnation is refused from now on), `gone` (it left, or came back as a newer
   * incarnation), or `left` (this node leaves, or fences itself: nothing is held against it).
   * Its names are free unless this node is the one that left.
   */
  #down(system: SystemId, error: Error, how: 'declared' | 'gone' | 'left' = 'declared'): void {
    const member = this.#members.get(system);
    if (member === undefined) return;
    this.#members.delete(system);
    if (how === 'declared') {
      this.#downed.delete(system);
      this.#downed.set(system, member.inc);
      if (this.#downed.size > REMEMBERED_DOWN) this.#downed.delete(this.#downed.keys().next().value as SystemId);
    }
    member.endpoint.end(error);
    if (how !== 'left') this.#events.down(system, member.inc);
  }

  /**
   * Before anything this node hears is acted on: if it was paused (or starved) longer than
   * `downAfter`, the others have declared it down, so it fences itself first.
   */
  awake(): void {
    if (this.#left || this.#beatAt === undefined) return;
    const gap = this.#host.clock.now() - this.#beatAt;
    if (gap > this.#options.downAfter) this.#fence(`was paused for ${Math.round(gap)} ms (downAfter ${this.#options.downAfter} ms)`);
  }

  /**
   * This node was declared down (or must have been): it declares every other node down,
   * without holding it against them, and comes back as a new incarnation.
   */
  #fence(why: string): void {
    const error = new MultitaskError('NODE_DOWN', `this node ${why}: it left the cluster and joins again as a new incarnation`);
    for (const system of [...this.#members.keys()]) this.#down(system, error, 'left');
    this.#inc = Math.max(Date.now(), this.#inc + 1);
    this.#beatAt = this.#host.clock.now();
    this.#events.rejoined(this.#inc);
    this.#link.publish('hello', this.#message('hello'), 'ctl');
  }

  /** Beats, then looks for nodes that fell silent. */
  #beat(): void {
    if (this.#left) return;
    this.awake(); // a beat long overdue: this node was paused
    this.#link.publish('beat', this.#message('beat'));
    const now = this.#host.clock.now();
    this.#beatAt = now;
    const silent = (member: Member): number => now - member.heard;
    // Cut off from the server for that long, this node is the one the others declare down.
    if (!this.#connected && [...this.#members.values()].some((member) => silent(member) > this.#options.downAfter)) {
      this.#fence(`was cut off from the NATS server for longer than downAfter (${this.#options.downAfter} ms)`);
    }
    for (const [system, member] of [...this.#members]) {
      if (silent(member) > this.#options.downAfter) this.#down(system, new MultitaskError('NODE_DOWN', `not heard from for ${Math.round(silent(member))} ms (downAfter ${this.#options.downAfter} ms)`));
      else if (silent(member) > this.#options.heartbeat * 1.5 && !member.probing) void this.#probe(system, member);
    }
    this.#events.beat();
    this.#timer = this.#host.clock.setTimeout(() => this.#beat(), this.#options.heartbeat);
  }

  /** Asks `system` whether it is there, waiting a heartbeat for its answer (see `NatsLink.probe`). */
  probe(system: SystemId): Promise<'alive' | 'gone' | 'unknown'> {
    return this.#link.probe(system, { v: 1, kind: 'probe', system: this.#host.info.system }, this.#options.heartbeat);
  }

  /** A node missed a beat: if nobody listens on its subject any more, it is gone now. */
  async #probe(system: SystemId, member: Member): Promise<void> {
    member.probing = true;
    const answer = await this.probe(system);
    member.probing = false;
    if (this.#members.get(system) !== member) return;
    if (answer === 'alive') {
      member.heard = this.#host.clock.now();
      member.endpoint.hold(undefined);
    } else if (answer === 'gone' && this.#host.clock.now() - this.#reconnectedAt > this.#options.downAfter) {
      this.#down(system, new MultitaskError('NODE_DOWN', 'nobody listens on its subject any more (its process is gone)'));
    }
  }

  /**
   * The connection dropped: until each member is heard again after it is back, what is
   * sent to it is refused with `NODE_DOWN` rather than published where it may not listen yet.
   */
  disconnected(): void {
    this.#connected = false;
    for (const member of this.#members.values()) member.endpoint.hold('not heard from since this node reconnected to the NATS server');
  }

  /** The connection came back: announce again, so that the others (who declared this node down meanwhile) let it in. */
  reconnected(): void {
    this.#connected = true;
    this.#reconnectedAt = this.#host.clock.now();
    if (this.#left) return;
    this.#link.publish('hello', this.#message('hello'), 'ctl');
  }

  /** Says goodbye and stops beating. */
  leave(): void {
    if (this.#left) return;
    this.#link.publish('bye', { v: 1, kind: 'bye', system: this.#host.info.system, inc: this.#inc });
    this.#left = true;
    if (this.#timer !== undefined) this.#host.clock.clearTimeout(this.#timer);
    for (const system of [...this.#members.keys()]) this.#down(system, new MultitaskError('NODE_DOWN', 'this node left the cluster'), 'left');
  }
}
