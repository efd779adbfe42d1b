import type { ChannelEnvelope } from '../wire/protocol.js';
import { ChannelBase, NOTHING, type ChannelSendOptions, type ChannelWaitOptions } from './Channel.js';
import { invalidWaitOptions } from '../limits.js';

/** Channel operations a handle asks of the owning node. @internal */
export type ChannelOp = ChannelEnvelope['op'];

/** The owner's answer: the operation's value and the channel's state. @internal */
export interface ChannelAnswer {
  readonly value: unknown;
  readonly size: number;
  readonly closed: boolean;
}

/** Which channel a request is for: its owning node, its id and its capacity. @internal */
export interface ChannelTarget {
  readonly owner: string;
  readonly id: string;
  readonly capacity: number;
}

/** How a handle reaches the owning node (the node's router implements it). @internal */
export interface ChannelLink {
  /** Sends on credit if this node holds some: true when sent (no waiting). @throws NOT_SERIALIZABLE */
  sendOnCredit(owner: string, channel: string, item: unknown, transfer: readonly ArrayBuffer[] | undefined): boolean;
  /** An item already received on this node in a batch, when no receive here waits before the caller; else {@link NOTHING}. */
  takeReceived(channel: string): unknown;
  channelRequest(target: ChannelTarget, op: ChannelOp, item: unknown, options: ChannelWaitOptions | undefined, transfer: readonly ArrayBuffer[] | undefined): Promise<ChannelAnswer>;
}

const SENT: Promise<void> = Promise.resolve();

/** An answer given on this node (from credit, or a batch received here), with no news of the channel's state. @internal */
export function localAnswer(value: unknown): ChannelAnswer {
  return { value, size: Number.NaN, closed: false };
}
const nothing = (): void => undefined;

/**
 * A channel used from a node other than the one that created it: every operation is a
 * request to the owner. `size` and `closed` are what the last answer said.
 * @internal
 */
export class RemoteChannel<T> extends ChannelBase<T> implements ChannelTarget {
  readonly core = undefined;
  readonly capacity: number;
  readonly owner: string;
  readonly id: string;
  #size = 0;
  #closed = false;
  readonly #link: ChannelLink;

  constructor(link: ChannelLink, owner: string, id: string, capacity: number) {
    super();
    this.#link = link;
    this.owner = owner;
    this.id = id;
    this.capacity = capacity;
  }

  get size(): number {
    return this.#size;
  }

  get closed(): boolean {
    return this.#closed;
  }

  send(item: T, options?: ChannelSendOptions): Promise<void> {
    const invalid = invalidWaitOptions(options);
    if (invalid !== undefined) return Promise.reject(invalid);
    try {
      if (this.#link.sendOnCredit(this.owner, this.id, item, options?.transfer)) return SENT;
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#request('send', item, options, options?.transfer).then(nothing);
  }

  async trySend(item: T, options?: Pick<ChannelSendOptions, 'transfer'>): Promise<void> {
    await this.#request('trySend', item, undefined, options?.transfer);
  }

  receive(options?: ChannelWaitOptions): Promise<T> {
    const invalid = invalidWaitOptions(options);
    if (invalid !== undefined) return Promise.reject(invalid);
    const now = this.takeNow();
    if (now !== NOTHING) return Promise.resolve(now);
    return this.#request('receive', undefined, options, undefined) as Promise<T>;
  }

  /** @internal */
  override takeNow(): T | typeof NOTHING {
    return this.#link.takeReceived(this.id) as T | typeof NOTHING;
  }

  tryReceive(): Promise<T> {
    return this.#request('tryReceive', undefined, undefined, undefined) as Promise<T>;
  }

  close(): void {
    this.#closed = true;
    this.#request('close', undefined, undefined, undefined).catch(() => undefined);
  }

  #request(op: ChannelOp, item: unknown, options: ChannelWaitOptions | undefined, transfer: readonly ArrayBuffer[] | undefined): Promise<unknown> {
    return this.#link.channelRequest(this, op, item, options, transfer).then((answer) => {
      if (!Number.isNaN(answer.size)) {
        // NaN: answered on this node (a batch), without news from the owner.
        this.#size = answer.size;
        this.#closed = answer.closed;
      }
      return answer.value;
    });
  }
}
