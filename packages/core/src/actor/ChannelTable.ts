import { LocalChannel, NOTHING, type ChannelHandle, type ChannelWaitOptions } from '../channel/Channel.js';
import { ChannelCore, type Waiter } from '../channel/ChannelCore.js';
import { Packed, packItems, segmentCount, unpackItems, type Batch, type PackedWire, type Segment } from '../channel/packing.js';
import { RemoteChannel, type ChannelAnswer, type ChannelLink, type ChannelOp } from '../channel/RemoteChannel.js';
import { MultitaskError } from '../errors.js';
import type { CorrelationId, NodeId } from '../ids.js';
import type { ChannelCancelEnvelope, ChannelEnvelope, Encoded, Envelope } from '../protocol.js';
import type { Clock } from '../clock.js';
import { Coalescer } from '../transport/Coalescer.js';
import type { Transferable } from '../transport/Endpoint.js';
import { CHANNEL_TAG, decode, encode, type CodecHost, type WireChannel } from './messageCodec.js';
import { ChannelReceiving } from './ChannelReceiving.js';
import type { PendingTable } from './PendingTable.js';

/** What the table needs from its node. @internal */
export interface ChannelNode extends CodecHost {
  readonly node: NodeId;
  readonly clock: Clock;
  readonly pending: PendingTable;
  /** Sends toward `envelope.dst`; `urgent` posts at once instead of at the end of the burst. */
  route(envelope: Envelope, transfer?: readonly Transferable[], urgent?: boolean): void;
  reply(dst: NodeId, cid: CorrelationId, value: unknown, urgent?: boolean): void;
  fail(dst: NodeId, cid: CorrelationId, error: unknown): void;
}

/** Most credit a producer gets per grant. */
const CREDIT = 1024;
/** A producer whose credit falls below this asks for more while it keeps sending. */
const LOW_CREDIT = CREDIT / 2;
/** Most items sent on credit that travel to the owner in one `push`. */
const PACK = 256;

/** Items sent on credit to one channel and not yet posted: they go to the owner together. */
interface Pack {
  readonly dst: NodeId;
  readonly items: unknown[];
  enc: Encoded;
  readonly transfer: ArrayBuffer[];
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
export class ChannelTable {
  readonly #node: ChannelNode;
  readonly #cores = new Map<string, ChannelCore>();
  readonly #ids = new WeakMap<ChannelCore, string>();
  readonly #parked = new Map<string, { readonly core: ChannelCore; readonly waiter: Waiter }>();
  readonly #abandoned = new Map<CorrelationId, Abandoned>();
  /** As participant: unused credit per channel (sends that may go out without waiting). */
  readonly #credit = new Map<string, number>();
  /** As owner: items lent to each node in batches, per channel. */
  readonly #lent = new Map<string, Map<NodeId, number>>();
  /** As participant: channels with a request for more credit on its way. */
  readonly #toppingUp = new Map<string, Promise<unknown>>();
  /** As participant: channels whose unused credit is being watched. */
  readonly #idleCheck = new Set<string>();
  /** As owner: credit handed to each node, per channel. */
  readonly #granted = new Map<string, Map<NodeId, number>>();
  /** As participant: items sent on credit, per channel, waiting for the end of the burst. */
  readonly #packs = new Map<string, Pack>();
  readonly #packFlush = new Coalescer(() => {
    for (const channel of [...this.#packs.keys()]) this.#flushPack(channel);
  }, true);
  #seq = 0;

  /** As participant: the channels owned elsewhere that receives on this node take from. */
  readonly #receiving: ChannelReceiving;

  constructor(node: ChannelNode) {
    this.#node = node;
    this.#receiving = new ChannelReceiving({
      get clock() {
        return node.clock;
      },
      fetch: (owner, channel, max, received, wait, signal) => this.#ask(owner, channel, wait ? 'receive' : 'prefetch', [max, received], signal === undefined ? undefined : { signal }, undefined),
      runsOf: (segments) => segments.map((segment) => ('bytes' in segment ? this.#open(segment) : segment.items)),
      repay: (owner, channel, count) => this.#post(owner, channel, 'repay', { value: count, enc: 0 }, undefined, true),
    });
  }

  /** The wire form of a handle; a channel created here gets an id on its first trip out. */
  wire(handle: ChannelHandle): WireChannel {
    if (handle instanceof RemoteChannel) return { [CHANNEL_TAG]: handle.id, owner: handle.owner, capacity: handle.capacity };
    const core = handle.core as ChannelCore;
    let id = this.#ids.get(core);
    if (id === undefined) {
      const channel = `${this.#node.node}.c${++this.#seq}`;
      id = channel;
      this.#ids.set(core, channel);
      this.#cores.set(channel, core);
      core.onClose = () => this.#revokeAll(channel);
      core.unpack = (packed) => this.#open(packed);
    }
    return { [CHANNEL_TAG]: id, owner: this.#node.node, capacity: core.capacity };
  }

  /** A handle for a channel that arrived in a message. */
  revive(wire: WireChannel, link: ChannelLink): unknown {
    const id = wire[CHANNEL_TAG];
    if (wire.owner === this.#node.node) {
      const core = this.#cores.get(id);
      if (core !== undefined) return new LocalChannel(core);
    }
    return new RemoteChannel(link, wire.owner, id, wire.capacity);
  }

  /** As participant: performs `op` through the owner, using credit and batches where it can. */
  request(owner: number, channel: string, op: ChannelOp, item: unknown, options: ChannelWaitOptions | undefined, transfer: readonly ArrayBuffer[] | undefined): Promise<ChannelAnswer> {
    const dst = owner as NodeId;
    if (op === 'send') {
      if (this.sendOnCredit(owner, channel, item, transfer)) return Promise.resolve({ value: undefined, size: Number.NaN, closed: false });
      // Out of credit with more asked for: a send loop never handles the answer before it
      // runs dry (it does not leave the microtask queue), so wait for it rather than park a
      // send at the owner; tell the owner this producer is dry, so that any room will do.
      // (A send with a timeout or signal parks, so that they apply.)
      const topping = this.#toppingUp.get(channel);
      if (topping !== undefined && options?.timeout === undefined && options?.signal === undefined) {
        this.#post(dst, channel, 'dry', { value: undefined, enc: 0 }, undefined, true);
        const retry = (): Promise<ChannelAnswer> => this.request(owner, channel, op, item, options, transfer);
        return topping.then(retry, retry);
      }
      return this.#sendWaiting(dst, channel, item, options, transfer);
    }
    if (op === 'receive') return this.#receiving.receive(dst, channel, options);
    if (op === 'tryReceive') {
      const taken = this.#receiving.tryTake(channel);
      if (taken !== NOTHING) return Promise.resolve({ value: taken, size: Number.NaN, closed: false });
    }
    return this.#ask(dst, channel, op, item, options, transfer);
  }

  /** Sends on credit if there is some now, else parks the send at the owner (which answers with fresh credit). */
  #sendWaiting(dst: NodeId, channel: string, item: unknown, options: ChannelWaitOptions | undefined, transfer: readonly ArrayBuffer[] | undefined): Promise<ChannelAnswer> {
    try {
      if (this.sendOnCredit(dst, channel, item, transfer)) return Promise.resolve({ value: undefined, size: Number.NaN, closed: false });
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#ask(dst, channel, 'send', item, options, transfer).then((answer) => {
      this.#credit.set(channel, (this.#credit.get(channel) ?? 0) + (answer.value as number));
      this.#returnWhenIdle(dst, channel);
      return { ...answer, value: undefined };
    });
  }

  /** As participant: an item already received here in a batch, when no receive here waits before the caller; else `NOTHING`. */
  takeReceived(channel: string): unknown {
    return this.#receiving.tryTake(channel);
  }

  /** As participant: sends on credit, when this node holds some for the channel. @throws NOT_SERIALIZABLE */
  sendOnCredit(owner: number, channel: string, item: unknown, transfer: readonly ArrayBuffer[] | undefined): boolean {
    const credit = this.#credit.get(channel) ?? 0;
    if (credit <= 0) return false;
    const dst = owner as NodeId;
    const wire = encode(item, this.#node); // throws before any credit is spent
    this.#credit.set(channel, credit - 1);
    let pack = this.#packs.get(channel);
    if (pack === undefined) this.#packs.set(channel, (pack = { dst, items: [], enc: 0, transfer: [] }));
    pack.items.push(wire.value);
    if (wire.enc === 1) pack.enc = 1;
    if (transfer !== undefined) pack.transfer.push(...transfer);
    if (pack.items.length >= PACK) this.#flushPack(channel);
    else this.#packFlush.schedule();
    if (credit - 1 < LOW_CREDIT && !this.#toppingUp.has(channel)) this.#topUp(dst, channel);
    this.#returnWhenIdle(dst, channel);
    return true;
  }

  /**
   * Asks for more credit before this producer runs out, so that it keeps sending while room
   * frees at the owner (the owner answers when there is room; a window, not stop-and-go).
   */
  #topUp(dst: NodeId, channel: string): void {
    const done = (): boolean => this.#toppingUp.delete(channel);
    const asked = this.#ask(dst, channel, 'topUp', undefined, undefined, undefined);
    this.#toppingUp.set(channel, asked);
    asked.then((answer) => {
      done();
      const granted = answer.value as number;
      if (granted <= 0) return;
      this.#credit.set(channel, (this.#credit.get(channel) ?? 0) + granted);
      this.#returnWhenIdle(dst, channel);
    }, done);
  }

  /** Posts the items sent on credit to `channel` so far, as one `push`, before anything else goes to its owner. */
  #flushPack(channel: string): void {
    const pack = this.#packs.get(channel);
    if (pack === undefined) return;
    this.#packs.delete(channel);
    this.#packFlush.sent();
    const node = this.#node;
    // Serialized here, the items cross the owner's thread as bytes: only their receiver reads them.
    // (Items with buffers to move, or that only postMessage can copy, go plain.)
    const packed = pack.transfer.length === 0 && pack.items.length > 1 ? packItems(pack.items, pack.enc) : undefined;
    const item = packed ?? pack.items;
    const enc = packed === undefined ? pack.enc : 0;
    node.route({ kind: 'channel', dst: pack.dst, from: node.node, cid: 0 as CorrelationId, channel, op: 'push', item, enc }, pack.transfer, true);
  }

  /**
   * Credit kept by an idle producer is room other producers cannot use: once this burst of
   * sends is over (nothing sent by the next turn of the event loop), give back what is left.
   */
  #returnWhenIdle(dst: NodeId, channel: string): void {
    if (this.#idleCheck.has(channel)) return;
    this.#idleCheck.add(channel);
    let before = this.#credit.get(channel) ?? 0;
    const check = (): void => {
      const now = this.#credit.get(channel) ?? 0;
      if (now !== before && now > 0) {
        before = now;
        setImmediate(check);
        return;
      }
      this.#idleCheck.delete(channel);
      if (now > 0) {
        this.#credit.set(channel, 0);
        this.#post(dst, channel, 'return', { value: now, enc: 0 });
      }
    };
    setImmediate(check);
  }

  #ask(dst: NodeId, channel: string, op: ChannelOp, item: unknown, options: ChannelWaitOptions | undefined, transfer: readonly ArrayBuffer[] | undefined): Promise<ChannelAnswer> {
    const node = this.#node;
    const wire = encode(item, node);
    if (op !== 'topUp') this.#flushPack(channel); // FIFO: the items sent on credit go first
    const { cid, promise } = node.pending.open(dst, {
      timeout: options?.timeout,
      signal: options?.signal,
      what: `channel ${op}`,
      onAbandon: (abandonedCid) => {
        this.#abandoned.set(abandonedCid, { owner: dst, channel, op });
        node.route({ kind: 'channel-cancel', dst, from: node.node, cid: abandonedCid });
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
    this.#flushPack(channel); // FIFO: the items sent on credit go first
    node.route({ kind: 'channel', dst, from: node.node, cid: 0 as CorrelationId, channel, op, item: wire.value, enc: wire.enc }, transfer, urgent);
  }

  /**
   * An answer arrived for a request nobody waits on any more. A received item goes back to
   * its channel. Returns whether the answer was such a leftover.
   */
  leftover(cid: CorrelationId, answer: unknown, ok: boolean): boolean {
    const abandoned = this.#abandoned.get(cid);
    if (abandoned === undefined) return false;
    this.#abandoned.delete(cid);
    const batch = abandoned.op === 'receive' || abandoned.op === 'prefetch';
    if (ok && (batch || abandoned.op === 'tryReceive')) {
      const [value] = answer as [unknown];
      const segments = batch ? (value as Segment[]) : [{ items: [value] }];
      this.#post(abandoned.owner, abandoned.channel, 'requeue', encode(segments, this.#node));
      if (batch) {
        const lent = segments.reduce((sum, segment) => sum + segmentCount(segment), 0);
        this.#post(abandoned.owner, abandoned.channel, 'repay', { value: lent, enc: 0 });
      }
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
    if (core === undefined) return node.fail(e.from, e.cid, new MultitaskError('CHANNEL_CLOSED', `no channel ${e.channel} on this node`));
    const item = decode(e.item, e.enc, node);
    const answer = (value: unknown): void => node.reply(e.from, e.cid, [value, core.size, core.closed], true);
    const refuse = (error: unknown): void => node.fail(e.from, e.cid, error);
    try {
      switch (e.op) {
        case 'prefetch':
        case 'receive': {
          const [max, received] = item as [number, number];
          if (received > 0) this.#repaid(e, core, received);
          if (e.op === 'prefetch' && core.size === 0) return answer([]);
          return this.#park(e, core, max, answer, refuse); // a prefetch is answered at once
        }
        case 'send':
          return this.#park(e, core, item, answer, refuse);
        case 'push': {
          const run = Array.isArray(item) ? item : new Packed((item as PackedWire).bytes, (item as PackedWire).count, (item as PackedWire).enc);
          this.#count(this.#granted, e.channel, e.from, -(Array.isArray(run) ? run.length : run.count));
          return core.push(run);
        }
        case 'return':
          this.#count(this.#granted, e.channel, e.from, -(item as number));
          return core.release(item as number);
        case 'repay':
          return this.#repaid(e, core, item as number);
        case 'dry':
          return core.hurry(e.from);
        case 'topUp':
          return core.want(CREDIT, {
            node: e.from,
            batch: CREDIT,
            resolve: (granted) => {
              if ((granted as number) > 0) this.#count(this.#granted, e.channel, e.from, granted as number);
              answer(granted);
            },
            reject: refuse,
          });
        case 'trySend':
          core.trySend(item);
          return answer(undefined);
        case 'tryReceive':
          return answer(core.tryReceive());
        case 'close':
          core.close();
          return answer(undefined);
        case 'requeue':
          for (const one of this.#itemsOf(item as Segment[]).reverse()) core.requeue(one);
          return;
      }
    } catch (error) {
      refuse(error);
    }
  }

  /** Opens a packed run of items on this node: deserialized, refs and channels revived. */
  #open(packed: { readonly bytes: Uint8Array; readonly enc: Encoded }): unknown[] {
    return decode(unpackItems(packed.bytes), packed.enc, this.#node) as unknown[];
  }

  /** The items of a batch's segments, in order. */
  #itemsOf(segments: readonly Segment[]): unknown[] {
    return segments.flatMap((segment) => ('bytes' in segment ? this.#open(segment) : segment.items));
  }

  /** As owner: `count` items lent to `e.from` were received there. */
  #repaid(e: ChannelEnvelope, core: ChannelCore, count: number): void {
    this.#count(this.#lent, e.channel, e.from, -count);
    core.repay(count);
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
    const credit = this.#credit.get(e.channel) ?? 0;
    this.#credit.set(e.channel, 0);
    this.#post(e.from, e.channel, 'return', { value: credit, enc: 0 });
  }

  #park(e: ChannelEnvelope, core: ChannelCore, item: unknown, answer: (value: unknown) => void, refuse: (error: unknown) => void): void {
    const key = `${e.from}:${e.cid}`;
    const settle = (): boolean => this.#parked.delete(key);
    const resolve =
      e.op === 'send'
        ? () => {
            settle();
            answer(this.#grant(e.channel, core, e.from));
          }
        : (value: unknown) => {
            settle();
            const batch = value as Batch;
            const lent = batch.count; // they take room until the receiving node reports them received
            if (lent > 0) {
              core.lend(lent);
              this.#count(this.#lent, e.channel, e.from, lent);
            }
            answer(batch.segments);
          };
    const waiter: Waiter = { node: e.from, ...(e.op === 'send' ? {} : { batch: item as number }), resolve, reject: (error) => (settle(), refuse(error)) };
    this.#parked.set(key, { core, waiter });
    if (e.op === 'send') core.send(item, waiter);
    else core.receive(waiter);
  }

  /** As owner: credit for a producer's next sends, recorded so it can be revoked or released. */
  #grant(channel: string, core: ChannelCore, holder: NodeId): number {
    const granted = core.grant(CREDIT);
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

  /** A node died: forget what it had parked here. */
  nodeDown(node: NodeId): void {
    for (const key of this.#parked.keys()) if (key.startsWith(`${node}:`)) this.#parked.delete(key);
    for (const core of this.#cores.values()) core.dropNode(node);
    this.#forget(this.#granted, node, (core, credit) => core.release(credit));
    this.#forget(this.#lent, node, (core, lent) => core.repay(lent));
    for (const [cid, abandoned] of this.#abandoned) if (abandoned.owner === node) this.#abandoned.delete(cid);
  }

  /** Drops a dead node's share of a per-channel count (credit, loans) and frees the room it held. */
  #forget(table: Map<string, Map<NodeId, number>>, node: NodeId, free: (core: ChannelCore, count: number) => void): void {
    for (const [channel, counts] of table) {
      const count = counts.get(node);
      counts.delete(node);
      const core = this.#cores.get(channel);
      if (count !== undefined && count > 0 && core !== undefined) free(core, count);
    }
  }

}
