/**
 * Stores messages in a JetStream stream and waits for the server's acknowledgement, with
 * one subscription for every answer. The client's own `publish` makes a request of each
 * (a timer, two promises and an Error it throws away per message): on a durable channel,
 * where each send waits for its answer, that was a tenth of the sender's time.
 * @internal
 * @packageDocumentation
 */
import type { Msg, MsgHdrs, NatsConnection, Subscription } from '@nats-io/transport-node';

/** How long an answer of JetStream's is waited for (the client's default for its requests). @internal */
export const JETSTREAM_ANSWER_MS = 5_000;
/** The header under which the server drops a message stored once already. */
const MSG_ID = 'Nats-Msg-Id';

/** Why a message was not stored: the server cannot be reached now, this connection is closed, or the stream refused it. @internal */
export class PublishFailure extends Error {
  override readonly name = 'PublishFailure';
  /** Which kind of failure (as `failureOf` classifies the client's errors). */
  readonly kind: 'down' | 'closed' | 'refused';

  constructor(kind: 'down' | 'closed' | 'refused', message: string) {
    super(message);
    this.kind = kind;
  }
}

interface Waiting {
  resolve(): void;
  reject(error: PublishFailure): void;
  timer: ReturnType<typeof setTimeout>;
}

interface PubAck {
  readonly error?: { readonly description?: string; readonly code?: number };
}

/** @internal */
export class StreamPublisher {
  readonly #nc: NatsConnection;
  readonly #headers: () => MsgHdrs;
  readonly #inbox: string;
  readonly #subscription: Subscription;
  readonly #waiting = new Map<string, Waiting>();
  #next = 0;
  #closed = false;

  /** Answers come to `inbox`.* (a fresh inbox of `nc`); `headers` makes an empty header set. */
  constructor(nc: NatsConnection, inbox: string, headers: () => MsgHdrs) {
    this.#nc = nc;
    this.#headers = headers;
    this.#inbox = inbox;
    this.#subscription = nc.subscribe(`${inbox}.*`, { callback: (error, msg) => this.#answer(error, msg) });
    void nc.closed().then(() => this.#close('the connection to the NATS server is closed'));
  }

  /**
   * Stores `bytes` on `subject` under message id `id`; resolves once the stream has it.
   * @throws (rejects with) {@link PublishFailure}; throws at once what the client throws (past `max_payload`)
   */
  publish(subject: string, bytes: Uint8Array, id: string): Promise<void> {
    if (this.#closed) return Promise.reject(new PublishFailure('closed', 'the connection to the NATS server is closed'));
    const token = String(++this.#next);
    const headers = this.#headers();
    headers.set(MSG_ID, id);
    this.#nc.publish(subject, bytes, { reply: `${this.#inbox}.${token}`, headers });
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => this.#settle(token, new PublishFailure('down', `no answer from JetStream in ${JETSTREAM_ANSWER_MS} ms`)), JETSTREAM_ANSWER_MS);
      timer.unref?.();
      this.#waiting.set(token, { resolve, reject, timer });
    });
  }

  #answer(error: Error | null, msg: Msg): void {
    if (error !== null) return this.#close(error.message);
    const token = msg.subject.slice(this.#inbox.length + 1);
    if (msg.headers?.code === 503) return this.#settle(token, new PublishFailure('down', 'no responders: JetStream has no stream for this subject now'));
    let ack: PubAck;
    try {
      ack = msg.json<PubAck>();
    } catch {
      return this.#settle(token, new PublishFailure('refused', 'JetStream answered with bytes that are not JSON'));
    }
    const refused = ack.error;
    this.#settle(token, refused === undefined ? undefined : new PublishFailure(refused.code === 503 ? 'down' : 'refused', refused.description ?? 'JetStream refused the message'));
  }

  #settle(token: string, failure: PublishFailure | undefined): void {
    const waiting = this.#waiting.get(token);
    if (waiting === undefined) return; // answered after its time
    this.#waiting.delete(token);
    clearTimeout(waiting.timer);
    if (failure === undefined) waiting.resolve();
    else waiting.reject(failure);
  }

  /** No answer can come any more: every send that waits for one fails. */
  #close(why: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#subscription.unsubscribe();
    for (const token of [...this.#waiting.keys()]) this.#settle(token, new PublishFailure('closed', why));
  }
}
