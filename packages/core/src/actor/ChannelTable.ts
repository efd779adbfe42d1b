import { LocalChannel, type ChannelHandle, type ChannelWaitOptions } from '../channel/Channel.js';
import { ChannelCore, type Waiter } from '../channel/ChannelCore.js';
import { RemoteChannel, type ChannelAnswer, type ChannelLink, type ChannelOp } from '../channel/RemoteChannel.js';
import { MultitaskError } from '../errors.js';
import type { CorrelationId, NodeId } from '../ids.js';
import type { ChannelCancelEnvelope, ChannelEnvelope, Encoded, Envelope } from '../protocol.js';
import type { Transferable } from '../transport/Endpoint.js';
import { CHANNEL_TAG, decode, encode, type CodecHost, type WireChannel } from './messageCodec.js';
import type { PendingTable } from './PendingTable.js';

/** What the table needs from its node. @internal */
export interface ChannelNode extends CodecHost {
  readonly node: NodeId;
  readonly pending: PendingTable;
  route(envelope: Envelope, transfer?: readonly Transferable[]): void;
  reply(dst: NodeId, cid: CorrelationId, value: unknown): void;
  fail(dst: NodeId, cid: CorrelationId, error: unknown): void;
}

/** Most items a remote `receive` takes at once; the rest wait on the receiving node. */
const BATCH = 256;
/** Most credit a producer gets per grant. */
const CREDIT = 1024;

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
  /** As participant: items received in a batch, not yet handed to a `receive`. */
  readonly #buffered = new Map<string, unknown[]>();
  /** As participant: lent items received here and not yet reported to the owner. */
  readonly #owed = new Map<string, number>();
  /** As owner: items lent to each node in batches, per channel. */
  readonly #lent = new Map<string, Map<NodeId, number>>();
  /** As participant: channels whose unused credit is being watched. */
  readonly #idleCheck = new Set<string>();
  /** As owner: credit handed to each node, per channel. */
  readonly #granted = new Map<string, Map<NodeId, number>>();
  #seq = 0;

  constructor(node: ChannelNode) {
    this.#node = node;
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
      return this.#ask(dst, channel, op, item, options, transfer).then((answer) => {
        this.#credit.set(channel, (this.#credit.get(channel) ?? 0) + (answer.value as number));
        this.#returnWhenIdle(dst, channel);
        return { ...answer, value: undefined };
      });
    }
    if (op === 'receive' || op === 'tryReceive') {
      const buffered = this.takeBuffered(owner, channel);
      if (buffered !== undefined) return Promise.resolve({ value: buffered.item, size: Number.NaN, closed: false });
      if (op === 'tryReceive') return this.#ask(dst, channel, op, item, options, transfer);
      return this.#ask(dst, channel, op, BATCH, options, transfer).then((answer) => {
        // Items older than this batch may still wait here for another receive on this node:
        // hand out the oldest, so every receiver here sees the owner's order. (Totals of lent
        // and repaid items stay equal: the batch's first item, not lent, takes the place of
        // the older one, which was.)
        let buffered = this.#buffered.get(channel);
        if (buffered === undefined) this.#buffered.set(channel, (buffered = []));
        buffered.push(...(answer.value as unknown[]));
        return { ...answer, value: buffered.shift() };
      });
    }
    return this.#ask(dst, channel, op, item, options, transfer);
  }

  /** As participant: sends on credit, when this node holds some for the channel. @throws NOT_SERIALIZABLE */
  sendOnCredit(owner: number, channel: string, item: unknown, transfer: readonly ArrayBuffer[] | undefined): boolean {
    const credit = this.#credit.get(channel) ?? 0;
    if (credit <= 0) return false;
    const dst = owner as NodeId;
    const wire = encode(item, this.#node); // throws before any credit is spent
    this.#credit.set(channel, credit - 1);
    this.#post(dst, channel, 'push', wire, transfer);
    this.#returnWhenIdle(dst, channel);
    return true;
  }

  /** As participant: the next item this node already received in a batch, if any. */
  takeBuffered(owner: number, channel: string): { readonly item: unknown } | undefined {
    const buffered = this.#buffered.get(channel);
    if (buffered === undefined || buffered.length === 0) return undefined;
    this.#repayLater(owner as NodeId, channel);
    return { item: buffered.shift() };
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

  /** Tells the owner, once per turn, how many lent items were received here. */
  #repayLater(dst: NodeId, channel: string): void {
    const owed = (this.#owed.get(channel) ?? 0) + 1;
    this.#owed.set(channel, owed);
    if (owed > 1) return;
    setImmediate(() => {
      const count = this.#owed.get(channel) ?? 0;
      this.#owed.delete(channel);
      if (count > 0) this.#post(dst, channel, 'repay', { value: count, enc: 0 });
    });
  }

  #ask(dst: NodeId, channel: string, op: ChannelOp, item: unknown, options: ChannelWaitOptions | undefined, transfer: readonly ArrayBuffer[] | undefined): Promise<ChannelAnswer> {
    const node = this.#node;
    const wire = encode(item, node);
    const { cid, promise } = node.pending.open(dst, {
      timeout: options?.timeout,
      signal: options?.signal,
      what: `channel ${op}`,
      onAbandon: (abandonedCid) => {
        this.#abandoned.set(abandonedCid, { owner: dst, channel, op });
        node.route({ kind: 'channel-cancel', dst, from: node.node, cid: abandonedCid });
      },
    });
    node.route({ kind: 'channel', dst, from: node.node, cid, channel, op, item: wire.value, enc: wire.enc }, transfer);
    return promise.then((answer) => {
      const [value, size, closed] = answer as [unknown, number, boolean];
      return { value, size, closed };
    });
  }

  #post(dst: NodeId, channel: string, op: ChannelOp, wire: { readonly value: unknown; readonly enc: Encoded }, transfer?: readonly ArrayBuffer[]): void {
    const node = this.#node;
    node.route({ kind: 'channel', dst, from: node.node, cid: 0 as CorrelationId, channel, op, item: wire.value, enc: wire.enc }, transfer);
  }

  /**
   * An answer arrived for a request nobody waits on any more. A received item goes back to
   * its channel. Returns whether the answer was such a leftover.
   */
  leftover(cid: CorrelationId, answer: unknown, ok: boolean): boolean {
    const abandoned = this.#abandoned.get(cid);
    if (abandoned === undefined) return false;
    this.#abandoned.delete(cid);
    if (ok && (abandoned.op === 'receive' || abandoned.op === 'tryReceive')) {
      const [value] = answer as [unknown];
      const items = abandoned.op === 'receive' ? (value as unknown[]) : [value];
      this.#post(abandoned.owner, abandoned.channel, 'requeue', encode(items, this.#node));
      if (abandoned.op === 'receive' && items.length > 1) this.#post(abandoned.owner, abandoned.channel, 'repay', { value: items.length - 1, enc: 0 });
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
    const answer = (value: unknown): void => node.reply(e.from, e.cid, [value, core.size, core.closed]);
    const refuse = (error: unknown): void => node.fail(e.from, e.cid, error);
    try {
      switch (e.op) {
        case 'send':
        case 'receive':
          return this.#park(e, core, item, answer, refuse);
        case 'push':
          this.#count(this.#granted, e.channel, e.from, -1);
          return core.push(item);
        case 'return':
          this.#count(this.#granted, e.channel, e.from, -(item as number));
          return core.release(item as number);
        case 'repay':
          this.#count(this.#lent, e.channel, e.from, -(item as number));
          return core.repay(item as number);
        case 'trySend':
          core.trySend(item);
          return answer(undefined);
        case 'tryReceive':
          return answer(core.tryReceive());
        case 'close':
          core.close();
          return answer(undefined);
        case 'requeue':
          for (const one of [...(item as unknown[])].reverse()) core.requeue(one);
          return;
      }
    } catch (error) {
      refuse(error);
    }
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
            const lent = (value as unknown[]).length - 1; // the first goes to the waiting receive
            if (lent > 0) {
              core.lend(lent);
              this.#count(this.#lent, e.channel, e.from, lent);
            }
            answer(value);
          };
    const waiter: Waiter = { node: e.from, ...(e.op === 'receive' ? { batch: item as number } : {}), resolve, reject: (error) => (settle(), refuse(error)) };
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
