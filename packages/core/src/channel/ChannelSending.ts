import type { ChannelWaitOptions } from './Channel.js';
import { packItems, type PackedWire } from './packing.js';
import { localAnswer, type ChannelAnswer } from './RemoteChannel.js';
import type { NodeId } from '../wire/ids.js';
import type { Encoded } from '../wire/protocol.js';
import { Coalescer } from '../transport/Coalescer.js';
import { encode, type CodecHost } from '../wire/messageCodec.js';
import { topUpBelow } from './linkWindow.js';

/** Most items sent on credit that travel to the owner in one `push`. */
const PACK = 512;
/**
 * Most items sent on credit that travel to an owner on another machine in one message: a
 * NATS message costs more than a postMessage, and the items are not packed there.
 */
const FAR_PACK = 4096;

/** What the sending side needs from its node. @internal */
export interface SendingLink extends CodecHost {
  /** A request to the owner that waits for its answer (a parked `send`, a request for credit). */
  ask(dst: NodeId, channel: string, op: 'send' | 'topUp', item: unknown, options: ChannelWaitOptions | undefined, transfer: readonly ArrayBuffer[] | undefined): Promise<ChannelAnswer>;
  /** Whether runs of items to `dst` may travel packed (v8 bytes): only to a node of this machine. */
  packs(dst: NodeId): boolean;
  /** A message to the owner that needs no answer (items, credit given back, "ran out"). */
  post(dst: NodeId, channel: string, op: 'push' | 'return' | 'dry', item: unknown, enc: Encoded, transfer: readonly ArrayBuffer[] | undefined, urgent: boolean): void;
}

/** One channel owned elsewhere, as sent to from this node. */
interface Outbound {
  readonly dst: NodeId;
  /** Sends that may go out without waiting (room the owner keeps for them). */
  credit: number;
  /** The most credit held at once: below half of it, more is asked for while sending goes on. */
  window: number;
  /** Items sent on credit and not yet posted: they go to the owner together. */
  items: unknown[];
  enc: Encoded;
  transfer: ArrayBuffer[];
  /** The request for more credit on its way, if any. */
  topping: Promise<unknown> | undefined;
  /** Whether unused credit is being watched (to give it back once the burst is over). */
  watching: boolean;
  /** Whether the owner is on another machine. */
  readonly far: boolean;
  /** Sends on credit so far, and how many of them went while the last request for credit travelled. */
  spent: number;
  spentDuringTopUp: number;
}

const SENT: ChannelAnswer = localAnswer(undefined);

/**
 * The sending side of the channels owned by other nodes. A `send` within the credit the
 * owner granted resolves at once; its item joins the run of items that goes to the owner
 * at the end of the turn (or when 512 have gathered), serialized once here so that the
 * owner passes them on unread. Before the credit runs out, more is asked for; unused credit
 * goes back once a burst is over, or when the owner closes the channel.
 * @internal
 */
export class ChannelSending {
  readonly #link: SendingLink;
  readonly #outbound = new Map<string, Outbound>();
  /** Posts the runs at the end of the turn in which their items were sent. */
  readonly #endOfTurn = new Coalescer(() => this.flushAll(), true);

  constructor(link: SendingLink) {
    this.#link = link;
  }

  /** `send` from this node: on credit, or once the owner has room. */
  send(dst: NodeId, channel: string, item: unknown, options: ChannelWaitOptions | undefined, transfer: readonly ArrayBuffer[] | undefined): Promise<ChannelAnswer> {
    if (this.sendOnCredit(dst, channel, item, transfer)) return Promise.resolve(SENT);
    // Out of credit with more asked for: a send loop never handles the answer before it
    // runs dry (it does not leave the microtask queue), so wait for it rather than park a
    // send at the owner; tell the owner this producer ran out, so that any room will do.
    // (A send with a timeout or signal parks, so that they apply.)
    const topping = this.#outbound.get(channel)?.topping;
    if (topping !== undefined && options?.timeout === undefined && options?.signal === undefined) {
      this.#link.post(dst, channel, 'dry', undefined, 0, undefined, true);
      const retry = (): Promise<ChannelAnswer> => this.send(dst, channel, item, options, transfer);
      return topping.then(retry, retry);
    }
    return this.#link.ask(dst, channel, 'send', item, options, transfer).then((answer) => {
      this.#credited(dst, channel, answer.value as number);
      return SENT;
    });
  }

  /** Sends on credit, when this node holds some for the channel. @throws NOT_SERIALIZABLE */
  sendOnCredit(dst: NodeId, channel: string, item: unknown, transfer: readonly ArrayBuffer[] | undefined): boolean {
    const out = this.#outbound.get(channel);
    if (out === undefined || out.credit <= 0) return false;
    const wire = encode(item, this.#link); // throws before any credit is spent
    out.credit -= 1;
    out.spent += 1;
    out.items.push(wire.value);
    if (wire.enc === 1) out.enc = 1;
    if (transfer !== undefined) out.transfer.push(...transfer);
    if (out.items.length >= (out.far ? FAR_PACK : PACK)) this.#post(channel, out, true);
    else this.#endOfTurn.schedule();
    if (out.credit < topUpBelow(out.window, out.spentDuringTopUp) && out.topping === undefined) this.#topUp(channel, out);
    this.#watch(channel, out);
    return true;
  }

  /** Posts the items sent on credit to `channel` so far, before anything else goes to its owner (in the same frame). */
  flush(channel: string): void {
    const out = this.#outbound.get(channel);
    if (out !== undefined && out.items.length > 0) this.#post(channel, out, false);
  }

  /** Posts the items sent on credit to every channel so far. */
  flushAll(): void {
    for (const channel of this.#outbound.keys()) this.flush(channel);
  }

  /** The owner closed the channel: gives back the credit not used (after the items sent so far). */
  revoked(dst: NodeId, channel: string): void {
    const out = this.#outbound.get(channel);
    const unused = out?.credit ?? 0;
    if (out !== undefined) out.credit = 0;
    this.#link.post(dst, channel, 'return', unused, 0, undefined, false);
  }

  #post(channel: string, out: Outbound, urgent: boolean): void {
    const { items, enc, transfer } = out;
    out.items = [];
    out.enc = 0;
    out.transfer = [];
    this.#endOfTurn.sent();
    // Serialized here, the items cross the owner's thread as bytes: only their receiver reads
    // them. (Items with buffers to move, or that only postMessage can copy, go plain.)
    // To another machine they go plain: packing them would only be undone before they leave.
    const packed: PackedWire | undefined = transfer.length === 0 && items.length > 1 && this.#link.packs(out.dst) ? packItems(items, enc) : undefined;
    if (packed === undefined) this.#link.post(out.dst, channel, 'push', items, enc, transfer, urgent);
    else this.#link.post(out.dst, channel, 'push', packed, 0, undefined, urgent);
  }

  /**
   * Asks for more credit before this producer runs out, so that it keeps sending while room
   * frees at the owner (the owner answers once there is room worth a message).
   */
  #topUp(channel: string, out: Outbound): void {
    const asked = this.#link.ask(out.dst, channel, 'topUp', undefined, undefined, undefined);
    out.topping = asked;
    const spentBefore = out.spent;
    const done = (): void => {
      out.topping = undefined;
      out.spentDuringTopUp = out.spent - spentBefore;
    };
    asked.then((answer) => {
      done();
      this.#credited(out.dst, channel, answer.value as number);
    }, done);
  }

  #credited(dst: NodeId, channel: string, granted: number): void {
    if (granted <= 0) return;
    let out = this.#outbound.get(channel);
    if (out === undefined) this.#outbound.set(channel, (out = { dst, far: !this.#link.packs(dst), credit: 0, window: 0, items: [], enc: 0, transfer: [], topping: undefined, watching: false, spent: 0, spentDuringTopUp: 0 }));
    out.credit += granted;
    out.window = Math.max(out.window, out.credit);
    this.#watch(channel, out);
  }

  /**
   * Credit kept by an idle producer is room other producers cannot use: once this burst of
   * sends is over (nothing sent by the next turn of the event loop), give back what is left.
   */
  #watch(channel: string, out: Outbound): void {
    if (out.watching) return;
    out.watching = true;
    let before = out.credit;
    const check = (): void => {
      if (out.credit !== before && out.credit > 0) {
        before = out.credit;
        setImmediate(check);
        return;
      }
      out.watching = false;
      if (out.credit > 0) {
        const unused = out.credit;
        out.credit = 0;
        this.#link.post(out.dst, channel, 'return', unused, 0, undefined, false);
      }
      if (out.items.length === 0 && out.topping === undefined && this.#outbound.get(channel) === out) this.#outbound.delete(channel);
    };
    setImmediate(check);
  }
}
