import { LocalChannel, type ChannelHandle, type ChannelWaitOptions } from './Channel.js';
import { ChannelCore, type Waiter } from './ChannelCore.js';
import { Packed, unpackItems, type Batch, type PackedWire, type Segment } from './packing.js';
import { RemoteChannel, type ChannelAnswer, type ChannelLink, type ChannelOp, type ChannelTarget } from './RemoteChannel.js';
import { MultitaskError } from '../errors.js';
import { matches, systemOf, type CorrelationId, type NodeId, type NodePattern } from '../wire/ids.js';
import type { ChannelCancelEnvelope, ChannelEnvelope, Encoded, Envelope } from '../wire/protocol.js';
import type { Clock } from '../clock.js';
import type { Transferable } from '../transport/Endpoint.js';
import { CHANNEL_TAG, decode, encode, type CodecHost, type WireChannel } from '../wire/messageCodec.js';
import { ChannelReceiving } from './ChannelReceiving.js';
import { ChannelSending } from './ChannelSending.js';
import { DurableHandle, durableOf } from './DurableChannel.js';
import { LoanBook } from './Loans.js';
import type { ReceivedReport } from './ReceivedReport.js';
import type { PendingLimits } from '../limits.js';

/** What the table needs from its node. @internal */
export interface ChannelNode extends CodecHost {
  readonly node: NodeId;
  readonly clock: Clock;
  /** Opens a request to `node` that its answer (or a timeout, abort, or the node's death) settles. */
  readonly pending: { open(node: NodeId, limits: PendingLimits): { readonly cid: CorrelationId; readonly promise: Promise<unknown> } };
  /** Sends toward `envelope.dst`; `urgent` posts at once instead of at the end of the burst, `late` lets it wait for the end of the turn unless something else goes sooner. */
  route(envelope: Envelope, transfer?: readonly Transferable[], urgent?: boolean, late?: boolean): void;
  reply(dst: NodeId, cid: CorrelationId, value: unknown, urgent?: boolean): void;
  fail(dst: NodeId, cid: CorrelationId, error: unknown): void;
  /** On a system's main thread: a handle of the durable channel `name` over this system's cluster connection. */
  readonly durable?: ((name: string, capacity: number, ackWait: number) => unknown) | undefined;
}

interface Abandoned {
  readonly owner: NodeId;
  readonly channel: string;
  readonly op: ChannelOp;
}

/**
 * The channels of one node. As owner: the state of the channels created here that have
 * been handed to other nodes, and the operations parked on them. As participant: requests
 * to other owners, including the clean-up after a caller gave up (an item that reaches a
 * receive nobody waits for any more goes back to the head of its channel).
 * @internal
 */
export class ChannelTable implements ChannelLink {
  readonly #node: ChannelNode;
  readonly #cores = new Map<string, ChannelCore>();
  readonly #ids = new WeakMap<ChannelCore, string>();
  readonly #parked = new Map<string, { readonly core: ChannelCore; readonly waiter: Waiter }>();
  readonly #abandoned = new Map<CorrelationId, Abandoned>();
  /** As owner: the items lent to each node in batches and not yet received there, per channel. */
  readonly #loans = new LoanBook((segment) => this.#itemsOf(segment));
  /** As owner: credit handed to each node, per channel. */
  readonly #granted = new Map<string, Map<NodeId, number>>();
  #seq = 0;

  /** As participant: the channels owned elsewhere that receives on this node take from. */
  readonly #receiving: ChannelReceiving;
  /** As participant: the channels owned elsewhere that this node sends to. */
  readonly #sending: ChannelSending;

  constructor(node: ChannelNode) {
    this.#node = node;
    this.#receiving = new ChannelReceiving({
      get clock() {
        return node.clock;
      },
      fetch: (owner, channel, max, wait, signal) => this.#ask(owner, channel, wait ? 'receive' : 'prefetch', max, signal === undefined ? undefined : { signal }, undefined),
      tryFetch: (owner, channel) => this.#ask(owner, channel, 'tryReceive', undefined, undefined, undefined),
      runsOf: (segments, owner) => this.#runsOf(segments, owner),
      // A report rides with what goes to the owner anyway, or at the end of the turn: never a frame of its own sooner.
      report: (owner, channel, report) => node.route({ kind: 'channel', dst: owner, from: node.node, cid: 0 as CorrelationId, channel, op: 'repay', item: report, enc: 0 }, undefined, false, true),
      giveBack: (owner, channel, count) => this.#post(owner, channel, 'giveBack', { value: count, enc: 0 }),
      giveBackAll: (owner, channel) => this.#post(owner, channel, 'giveBackAll', { value: undefined, enc: 0 }),
    });
    this.#sending = new ChannelSending({
      reviveRef: (ref) => node.reviveRef(ref),
      channelWire: (handle) => node.channelWire(handle),
      makeChannel: (wire) => node.makeChannel(wire),
      ask: (dst, channel, op, item, options, transfer) => this.#ask(dst, channel, op, item, options, transfer),
      packs: (dst) => !this.#foreign(dst),
      post: (dst, channel, op, item, enc, transfer, urgent) => {
        // Packed runs are v8 bytes: fine between nodes of this machine, never sent to another.
        if (op === 'push' && !Array.isArray(item) && this.#foreign(dst)) return this.#post(dst, channel, op, { value: unpackItems((item as PackedWire).bytes), enc: (item as PackedWire).enc }, transfer, urgent);
        this.#post(dst, channel, op, { value: item, enc }, transfer, urgent);
      },
    });
  }

  /** The wire form of a handle; a channel created here gets an id on its first trip out. */
  wire(handle: ChannelHandle): WireChannel {
    if (handle instanceof DurableHandle) return handle.wireForm();
    if (handle instanceof RemoteChannel) return { [CHANNEL_TAG]: handle.id, owner: handle.owner, capacity: handle.capacity };
    const core = handle.core as ChannelCore;
    let id = this.#ids.get(core);
    if (id === undefined) {
      const channel = `${this.#node.node}.c${++this.#seq}`;
      id = channel;
      this.#ids.set(core, channel);
      this.#cores.set(channel, core);
      core.onClose = () => this.#revokeAll(channel);
      core.onEnd = () => this.#forgetChannel(channel);
      core.unpack = (packed) => this.#open(packed);
    }
    return { [CHANNEL_TAG]: id, owner: this.#node.node, capacity: core.capacity };
  }

  /** A handle for a channel that arrived in a message (remote handles reach the owner through this table). */
  revive(wire: WireChannel): unknown {
    const durable = durableOf(wire);
    if (durable !== undefined) return this.#node.durable?.(durable.name, wire.capacity, durable.ackWait) ?? elsewhere(durable.name, wire.capacity, durable.ackWait);
    const id = wire[CHANNEL_TAG];
    if (wire.owner === this.#node.node) {
      const core = this.#cores.get(id);
      if (core !== undefined) return new LocalChannel(core);
    }
    return new RemoteChannel(this, wire.owner, id, wire.capacity);
  }

  /** As participant: performs `op` through the owner, using credit and batches where it can. */
  channelRequest(target: ChannelTarget, op: ChannelOp, item: unknown, options: ChannelWaitOptions | undefined, transfer: readonly ArrayBuffer[] | undefined): Promise<ChannelAnswer> {
    const dst = target.owner as NodeId;
    const channel = target.id;
    if (op === 'send') return this.#sending.send(dst, channel, item, options, transfer);
    if (op === 'receive') return this.#receiving.receive(dst, channel, target.capacity, options);
    if (op === 'tryReceive') return this.#receiving.tryReceive(dst, channel, target.capacity);
    return this.#ask(dst, channel, op, item, options, transfer);
  }

  /** As participant: an item already received here in a batch, when no receive here waits before the caller; else `NOTHING`. */
  takeReceived(channel: string): unknown {
    return this.#receiving.tryTake(channel);
  }

  /**
   * As participant, the node is about to end: posts every channel's items sent on credit so
   * far, and gives back the items fetched here that no receive took.
   */
  flushAll(): void {
    this.#sending.flushAll();
    this.#receiving.giveBackAll();
  }

  /** As participant: sends on credit, when this node holds some for the channel. @throws NOT_SERIALIZABLE */
  sendOnCredit(owner: string, channel: string, item: unknown, transfer: readonly ArrayBuffer[] | undefined): boolean {
    return this.#sending.sendOnCredit(owner as NodeId, channel, item, transfer);
  }

  #ask(dst: NodeId, channel: string, op: ChannelOp, item: unknown, options: ChannelWaitOptions | undefined, transfer: readonly ArrayBuffer[] | undefined): Promise<ChannelAnswer> {
    const node = this.#node;
    const wire = encode(item, node);
    if (op !== 'topUp') this.#sending.flush(channel); // FIFO: the items sent on credit go first
    const { cid, promise } = node.pending.open(dst, {
      timeout: options?.timeout,
      signal: options?.signal,
      timeoutCode: 'CHANNEL_TIMEOUT',
      what: `channel ${op}`,
      // Called on a later timeout or abort, once `cid` is known.
      onAbandon: () => {
        this.#abandoned.set(cid, { owner: dst, channel, op });
        node.route({ kind: 'channel-cancel', dst, from: node.node, cid });
      },
    });
    node.route({ kind: 'channel', dst, from: node.node, cid, channel, op, item: wire.value, enc: wire.enc }, transfer, true);
    return promise.then((answer) => {
      const [value, size, closed] = answer as [unknown, number, boolean];
      return { value, size, closed };
    });
  }

  #post(dst: NodeId, channel: string, op: ChannelOp, wire: { readonly value: unknown; readonly enc: Encoded }, transfer?: readonly ArrayBuffer[], urgent = false): void {
    const node = this.#node;
    if (op !== 'push') this.#sending.flush(channel); // FIFO: the items sent on credit go first
    node.route({ kind: 'channel', dst, from: node.node, cid: 0 as CorrelationId, channel, op, item: wire.value, enc: wire.enc }, transfer, urgent);
  }

  /**
   * An answer arrived for a request nobody waits on any more. Items lent to this node in it
   * go back to their channel. Returns whether the answer was such a leftover.
   */
  leftover(cid: CorrelationId, answer: unknown, ok: boolean): boolean {
    const abandoned = this.#abandoned.get(cid);
    if (abandoned === undefined) return false;
    this.#abandoned.delete(cid);
    if (ok && (abandoned.op === 'receive' || abandoned.op === 'prefetch' || abandoned.op === 'tryReceive')) {
      const [segments] = answer as [Segment[]];
      this.#receiving.leftover(abandoned.owner, abandoned.channel, segments);
    }
    if (ok && abandoned.op === 'send') {
      const [granted] = answer as [number];
      if (granted > 0) this.#post(abandoned.owner, abandoned.channel, 'return', { value: granted, enc: 0 });
    }
    return true;
  }

  /** As owner: performs an operation asked by another node (or, for `revoke`, by the owner). */
  serve(e: ChannelEnvelope): void {
    const node = this.#node;
    if (e.op === 'revoke') return this.#revoked(e);
    const core = this.#cores.get(e.channel);
    if (core === undefined) {
      // Ended and forgotten: a request gets the answer it would have got; a post needs none.
      if (e.cid !== 0) node.fail(e.from, e.cid, new MultitaskError('CHANNEL_CLOSED', `the channel is closed and drained (${e.channel})`));
      return;
    }
    const item = decode(e.item, e.enc, node);
    const answer = (value: unknown): void => node.reply(e.from, e.cid, [value, core.size, core.closed], true);
    const refuse = (error: unknown): void => node.fail(e.from, e.cid, error);
    try {
      switch (e.op) {
        case 'prefetch':
        case 'receive':
          if (e.op === 'prefetch' && core.size === 0) return answer([]);
          return this.#park(e, core, item as number, answer, refuse); // a prefetch is answered at once
        case 'send':
          return this.#park(e, core, item, answer, refuse);
        case 'push': {
          if (!Array.isArray(item) && this.#foreign(e.from)) throw packedFromAfar(e.from);
          const run = Array.isArray(item) ? item : new Packed((item as PackedWire).bytes, (item as PackedWire).count, (item as PackedWire).enc);
          this.#count(this.#granted, e.channel, e.from, -(Array.isArray(run) ? run.length : run.count));
          return core.push(run);
        }
        case 'return':
          this.#count(this.#granted, e.channel, e.from, -(item as number));
          return core.release(item as number);
        case 'repay':
          return this.#loans.settle(core, e.channel, e.from, (item as ReceivedReport).n);
        case 'giveBack':
          return this.#loans.takeBack(core, e.channel, e.from, item as number);
        case 'giveBackAll':
          return this.#loans.takeBack(core, e.channel, e.from);
        case 'dry':
          return core.hurry(e.from);
        case 'topUp':
          return core.want({
            node: e.from,
            hurried: false,
            resolve: (granted) => {
              if (granted > 0) this.#count(this.#granted, e.channel, e.from, granted);
              answer(granted);
            },
          });
        case 'trySend':
          core.trySend(item);
          return answer(undefined);
        case 'tryReceive':
          // Lent as a batch of one, so that it goes back if the node dies before it is handed out.
          if (core.size === 0) return answer(core.tryReceive()); // throws CHANNEL_EMPTY, or CHANNEL_CLOSED once drained
          return this.#park(e, core, 1, answer, refuse);
        case 'close':
          core.close();
          return answer(undefined);
      }
    } catch (error) {
      refuse(error);
    }
  }

  /** Opens a packed run of items on this node: deserialized, refs and channels revived. */
  #open(packed: { readonly bytes: Uint8Array; readonly enc: Encoded }): unknown[] {
    return decode(unpackItems(packed.bytes), packed.enc, this.#node) as unknown[];
  }

  /** The items of a batch's segments from `from`, run by run, in order (packed runs opened: only from this machine). */
  #runsOf(segments: readonly Segment[], from: NodeId): unknown[][] {
    const foreign = this.#foreign(from);
    return segments.map((segment) => {
      if (!('bytes' in segment)) return segment.items;
      if (foreign) throw packedFromAfar(from);
      return this.#open(segment);
    });
  }

  /** Whether `node` belongs to another system (another machine: bytes from it are never v8-deserialized). */
  #foreign(node: NodeId): boolean {
    return systemOf(node) !== systemOf(this.#node.node);
  }

  /** The items of one of this node's own segments (a packed run opened). */
  readonly #itemsOf = (segment: Segment): unknown[] => ('bytes' in segment ? this.#open(segment) : segment.items);

  /** As owner: a batch goes to `node`, kept until the node reports it received (a node that died gets nothing: a request of its that arrived late). */
  #lend(channel: string, core: ChannelCore, node: NodeId, batch: Batch): void {
    if (this.#isDead(node)) core.requeue(batch.segments.map(this.#itemsOf).flat());
    else this.#loans.lend(core, channel, node, batch.segments, batch.count);
  }

  /** As owner: each channel created here that other nodes use, for the system's snapshot. */
  describe(): Array<{ id: string; size: number; capacity: number; closed: boolean; participants: string[]; credit: number; lent: number; sent: number }> {
    return [...this.#cores].map(([id, core]) => ({
      id,
      size: core.size,
      capacity: core.capacity,
      closed: core.closed,
      participants: [...new Set([...this.#loans.nodes(id), ...(this.#granted.get(id)?.keys() ?? [])])],
      credit: core.credit,
      lent: core.lent,
      sent: core.sent,
    }));
  }

  /** As owner: how many channels created here other nodes may still use. @internal */
  get kept(): number {
    return this.#cores.size;
  }

  /**
   * As owner: a channel that has ended is forgotten. Whatever still comes for it from other
   * nodes is answered `CHANNEL_CLOSED`, which is what it would have been answered anyway.
   */
  #forgetChannel(channel: string): void {
    this.#cores.delete(channel);
    this.#loans.forget(channel);
    this.#granted.delete(channel);
  }

  /** As owner, at close: every node holding credit gives back what it has not used. */
  #revokeAll(channel: string): void {
    const granted = this.#granted.get(channel);
    if (granted === undefined) return;
    for (const [holder, credit] of granted) {
      if (credit > 0) this.#post(holder, channel, 'revoke', { value: undefined, enc: 0 });
    }
  }

  /** As participant: the owner closed the channel; give back unused credit (after every push sent so far). */
  #revoked(e: ChannelEnvelope): void {
    this.#sending.revoked(e.from, e.channel);
  }

  #park(e: ChannelEnvelope, core: ChannelCore, item: unknown, answer: (value: unknown) => void, refuse: (error: unknown) => void): void {
    const key = `${e.from}:${e.cid}`;
    const settle = (): boolean => this.#parked.delete(key);
    const resolve =
      e.op === 'send'
        ? () => {
            settle();
            // The item went in; credit for more goes only to a producer that is still there.
            if (!this.#isDead(e.from)) answer(this.#grant(e.channel, core, e.from));
          }
        : (value: unknown) => {
            settle();
            const batch = value as Batch;
            if (batch.count > 0) this.#lend(e.channel, core, e.from, batch); // they take room until the node reports them received
            // Packed runs are opened here for a receiver on another machine (they are this machine's bytes).
            answer(this.#foreign(e.from) ? batch.segments.map((segment) => ('bytes' in segment ? { items: this.#open(segment) } : segment)) : batch.segments);
          };
    const waiter: Waiter = { node: e.from, ...(e.op === 'send' ? {} : { batch: item as number }), resolve, reject: (error) => (settle(), refuse(error)) };
    this.#parked.set(key, { core, waiter });
    if (e.op === 'send') core.send(item, waiter);
    else core.receive(waiter);
  }

  /** As owner: credit for a producer's next sends, recorded so it can be revoked or released. */
  #grant(channel: string, core: ChannelCore, holder: NodeId): number {
    const granted = core.grant();
    if (granted > 0) this.#count(this.#granted, channel, holder, granted);
    return granted;
  }

  #count(table: Map<string, Map<NodeId, number>>, channel: string, node: NodeId, delta: number): void {
    let counts = table.get(channel);
    if (counts === undefined) table.set(channel, (counts = new Map()));
    counts.set(node, Math.max(0, (counts.get(node) ?? 0) + delta));
  }

  /** As owner: a participant gave up on a parked operation. */
  cancel(e: ChannelCancelEnvelope): void {
    const parked = this.#parked.get(`${e.from}:${e.cid}`);
    if (parked !== undefined && parked.core.cancel(parked.waiter)) {
      parked.waiter.reject(new MultitaskError('ABORTED', 'the caller gave up'));
    }
  }

  /**
   * Nodes died (`pattern` names them): forget what they had parked here, and free the room
   * their credit held. What was lent to them and not reported received goes back to the head
   * of its channel, in order: nobody there took it. Their parked sends still go in (they were
   * sent), but no credit is granted to a node that is gone.
   */
  nodeDown(pattern: NodePattern): void {
    const gone = (node: string): boolean => matches(pattern, node as NodeId);
    const dead = pattern.endsWith('*') ? this.#deadSystems : this.#dead;
    dead.add(pattern);
    if (dead.size > 1024) dead.delete(dead.values().next().value as NodePattern);
    for (const [key, parked] of [...this.#parked]) if (gone(parked.waiter.node ?? '') && parked.waiter.batch !== undefined) this.#parked.delete(key);
    for (const core of this.#cores.values()) core.dropNodes(gone);
    for (const [channel, credits] of this.#granted) {
      for (const [node, credit] of [...credits]) {
        if (!gone(node)) continue;
        credits.delete(node);
        if (credit > 0) this.#cores.get(channel)?.release(credit);
      }
    }
    this.#loans.drop(gone, (channel) => this.#cores.get(channel));
    for (const [cid, abandoned] of this.#abandoned) if (gone(abandoned.owner)) this.#abandoned.delete(cid);
  }

  /** Nodes known to have died, as they were reported: nodes, and whole systems (checked on every batch lent, so apart). */
  readonly #dead = new Set<NodePattern>();
  readonly #deadSystems = new Set<NodePattern>();

  #isDead(node: NodeId): boolean {
    if (this.#dead.has(node)) return true;
    for (const pattern of this.#deadSystems) if (matches(pattern, node)) return true;
    return false;
  }

}

/** A packed run (v8 bytes) that came from another machine: refused, never deserialized. */
function packedFromAfar(from: NodeId): MultitaskError {
  return new MultitaskError('BAD_FRAME', `packed channel items from node ${from} of another system are refused: between machines items travel plain`);
}

/** A durable channel that reached a system that joins no cluster: its operations are refused. */
function elsewhere(name: string, capacity: number, ackWait: number): DurableHandle<unknown> {
  const refused = new MultitaskError('INVALID_ARGUMENT', `durable channel '${name}' reached a system that joins no cluster: its items are kept by a cluster's NATS server`);
  return new DurableHandle(name, capacity, ackWait, Promise.reject(refused));
}
