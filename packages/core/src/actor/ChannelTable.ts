import { LocalChannel, type ChannelHandle, type ChannelWaitOptions } from '../channel/Channel.js';
import { ChannelCore, type Waiter } from '../channel/ChannelCore.js';
import { RemoteChannel, type ChannelAnswer, type ChannelLink, type ChannelOp } from '../channel/RemoteChannel.js';
import { MultitaskError } from '../errors.js';
import type { CorrelationId, NodeId } from '../ids.js';
import type { ChannelCancelEnvelope, ChannelEnvelope, Envelope } from '../protocol.js';
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
  #seq = 0;

  constructor(node: ChannelNode) {
    this.#node = node;
  }

  /** The wire form of a handle; a channel created here gets an id on its first trip out. */
  wire(handle: ChannelHandle): WireChannel {
    if (handle instanceof RemoteChannel) return { [CHANNEL_TAG]: handle.id, owner: handle.owner, capacity: handle.capacity, end: handle.end };
    const core = handle.core as ChannelCore;
    let id = this.#ids.get(core);
    if (id === undefined) {
      id = `${this.#node.node}.c${++this.#seq}`;
      this.#ids.set(core, id);
      this.#cores.set(id, core);
    }
    return { [CHANNEL_TAG]: id, owner: this.#node.node, capacity: core.capacity, end: 'both' };
  }

  /** A handle for a channel that arrived in a message. */
  revive(wire: WireChannel, link: ChannelLink): unknown {
    const id = wire[CHANNEL_TAG];
    if (wire.owner === this.#node.node) {
      const core = this.#cores.get(id);
      if (core !== undefined) return new LocalChannel(core);
    }
    return new RemoteChannel(link, wire.owner, id, wire.capacity, wire.end);
  }

  /** As participant: asks the owner to perform `op`. */
  request(owner: number, channel: string, op: ChannelOp, item: unknown, options: ChannelWaitOptions | undefined, transfer: readonly ArrayBuffer[] | undefined): Promise<ChannelAnswer> {
    const node = this.#node;
    const wire = encode(item, node);
    const dst = owner as NodeId;
    const what = `channel ${op}`;
    const { cid, promise } = node.pending.open(dst, {
      timeout: options?.timeout,
      signal: options?.signal,
      what,
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

  /**
   * An answer arrived for a request nobody waits on any more. A received item goes back to
   * its channel. Returns whether the answer was such a leftover.
   */
  leftover(cid: CorrelationId, answer: unknown, ok: boolean): boolean {
    const abandoned = this.#abandoned.get(cid);
    if (abandoned === undefined) return false;
    this.#abandoned.delete(cid);
    if (ok && (abandoned.op === 'receive' || abandoned.op === 'tryReceive')) {
      const [item] = answer as [unknown];
      const wire = encode(item, this.#node);
      this.#node.route({ kind: 'channel', dst: abandoned.owner, from: this.#node.node, cid: 0 as CorrelationId, channel: abandoned.channel, op: 'requeue', item: wire.value, enc: wire.enc });
    }
    return true;
  }

  /** As owner: performs an operation asked by another node. */
  serve(e: ChannelEnvelope): void {
    const node = this.#node;
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
        case 'trySend':
          core.trySend(item);
          return answer(undefined);
        case 'tryReceive':
          return answer(core.tryReceive());
        case 'close':
          core.close();
          return answer(undefined);
        case 'requeue':
          return core.requeue(item);
      }
    } catch (error) {
      refuse(error);
    }
  }

  #park(e: ChannelEnvelope, core: ChannelCore, item: unknown, answer: (value: unknown) => void, refuse: (error: unknown) => void): void {
    const key = `${e.from}:${e.cid}`;
    const settle = (): boolean => this.#parked.delete(key);
    const waiter: Waiter = {
      node: e.from,
      resolve: (value) => (settle(), answer(value)),
      reject: (error) => (settle(), refuse(error)),
    };
    this.#parked.set(key, { core, waiter });
    if (e.op === 'send') core.send(item, waiter);
    else core.receive(waiter);
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
    for (const [key, { core }] of this.#parked) {
      if (key.startsWith(`${node}:`)) this.#parked.delete(key);
      core.dropNode(node);
    }
    for (const [cid, abandoned] of this.#abandoned) if (abandoned.owner === node) this.#abandoned.delete(cid);
  }
}
