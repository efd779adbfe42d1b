import type { CorrelationId, NodeId } from '../wire/ids.js';
import type { Replier } from '../actor/Mailbox.js';

/** What a remote replier answers through: the node's reply and fail. @internal */
export interface ReplyRoute {
  /** `subject` says whose reply it is, should it not be copyable. */
  reply(dst: NodeId, cid: CorrelationId, value: unknown, urgent: boolean, subject: () => string): void;
  fail(dst: NodeId, cid: CorrelationId, error: unknown): void;
}

/** The actor answering, which names its reply in errors. @internal */
export interface Answering {
  replyOf(type: string): string;
}

/** The replier of an ask that came from another node: the answer goes back there. @internal */
export class RemoteReplier implements Replier {
  readonly #route: ReplyRoute;
  readonly #to: NodeId;
  readonly #cid: CorrelationId;
  readonly #cell: Answering;
  readonly #type: string;

  constructor(route: ReplyRoute, to: NodeId, cid: CorrelationId, cell: Answering, type: string) {
    this.#route = route;
    this.#to = to;
    this.#cid = cid;
    this.#cell = cell;
    this.#type = type;
  }

  resolve(value: unknown): void {
    // Whose reply it is: written only if it cannot be copied.
    this.#route.reply(this.#to, this.#cid, value, false, () => this.#cell.replyOf(this.#type));
  }

  reject(error: unknown): void {
    this.#route.fail(this.#to, this.#cid, error);
  }
}
