/**
 * A durable channel as one node works it on JetStream: one work-queue stream with one pull
 * consumer that every participant shares. The node hears of a close as it is published
 * (and reads the stream's close marker when it opens the channel and each time its
 * connection comes back), so its pulls end at once when nothing more can come to them.
 * @internal
 * @packageDocumentation
 */
import type { Subscription } from '@nats-io/transport-node';
import type { Consumer, ConsumerMessages, JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream';
import { MultitaskError } from '../errors.js';
import type { NatsLink } from './natsLink.js';
import type { DurableConfig, DurableMessage, DurableStore } from './durableStreams.js';
import { JETSTREAM_ANSWER_MS, StreamPublisher } from './StreamPublisher.js';
import { CONSUMER, durableNames, ensureDurable, failureOf, messageOf, type DurableNames } from './durableSetup.js';

/** How often, at most, the server tells a waiting pull that it is still there. */
const HEARTBEAT_MS = 5_000;
/** The longest pause between tries to store a close marker while JetStream cannot be reached. */
const MOST_PAUSE_MS = 1_000;
const EMPTY = new Uint8Array(0);
const ACK = new TextEncoder().encode('+ACK');

/** @internal */
export class JetStreamDurable implements DurableStore {
  readonly #link: NatsLink;
  readonly #config: DurableConfig;
  readonly #names: DurableNames;
  readonly #jsm: JetStreamManager;
  readonly #js: JetStreamClient;
  readonly #publisher: StreamPublisher;
  #consumer: Promise<Consumer> | undefined;
  /** Set once the channel cannot be worked here any more (the connection closed, JetStream refused). */
  #broken: MultitaskError | undefined;
  #everOpen = false;
  #closed = false;
  /** The pulls under way here (for this node's handles and its threads' and processes'). */
  readonly #pulls = new Set<ConsumerMessages>();
  readonly #subscriptions: Subscription[] = [];
  /**
   * Where the last item acknowledged here without waiting for the server is acknowledged.
   * The server counts acknowledgements apart from the requests that read its counts: a
   * count first has this one confirmed, and so every acknowledgement this node sent before it.
   */
  #unconfirmed: string | undefined;
  #confirming: Promise<void> = Promise.resolve();
  #looking = false;
  #lookAgain = false;

  private constructor(link: NatsLink, root: string, config: DurableConfig, jsm: JetStreamManager, js: JetStreamClient, publisher: StreamPublisher) {
    this.#link = link;
    this.#config = config;
    this.#names = durableNames(root, config.name);
    this.#jsm = jsm;
    this.#js = js;
    this.#publisher = publisher;
  }

  /** The store of channel `config.name` over `link`; its stream and consumer are made (or checked) at once, and again after a failure. */
  static async open(link: NatsLink, root: string, config: DurableConfig): Promise<JetStreamDurable> {
    const [{ jetstream, jetstreamManager }, { createInbox, headers }] = await Promise.all([import('@nats-io/jetstream'), import('@nats-io/transport-node')]);
    const nc = link.connection;
    const publisher = new StreamPublisher(nc, createInbox(), headers);
    const store = new JetStreamDurable(link, root, config, await jetstreamManager(nc, { checkAPI: false }), jetstream(nc), publisher);
    store.#listen();
    store.#ensure().catch(() => undefined); // reported by the operations
    return store;
  }

  /** The channel's settings, as this node opened it. */
  get config(): DurableConfig {
    return this.#config;
  }

  /** Whether the channel cannot be worked here any more (a node opening it again makes a new store). */
  get broken(): boolean {
    return this.#broken !== undefined;
  }

  #listen(): void {
    const nc = this.#link.connection;
    this.#subscriptions.push(nc.subscribe(this.#names.closed, { callback: () => this.#learnClosed(true) }));
    this.#subscriptions.push(nc.subscribe(this.#names.settled, { callback: () => void this.#look() }));
    // A close published while this node was cut off was not heard: the stream has its marker.
    this.#link.onConnection((up) => void (up && this.#consumer !== undefined && this.#readMarker().catch(() => undefined)));
  }

  /** The consumer, once the stream and consumer are there as asked and the close marker was read. */
  #ensure(): Promise<Consumer> {
    this.#consumer ??= (async () => {
      const consumer = await ensureDurable(this.#jsm, this.#js, this.#names, this.#config);
      await this.#link.connection.flush(); // the close subscription is the server's before the marker is read
      await this.#readMarker();
      this.#everOpen = true;
      return consumer;
    })().catch((error: unknown) => {
      this.#consumer = undefined;
      throw this.#failure(error);
    });
    return this.#consumer;
  }

  async #readMarker(): Promise<void> {
    if ((await this.#jsm.streams.getMessage(this.#names.stream, { last_by_subj: this.#names.closed })) !== null) this.#learnClosed();
  }

  /** The coded error of a failure; one that cannot pass marks the store broken. */
  #failure(error: unknown): MultitaskError {
    if (error instanceof MultitaskError) {
      if (error.code !== 'NODE_DOWN') this.#broken ??= error;
      return error;
    }
    const kind = failureOf(error);
    const name = this.#config.name;
    if (kind === 'missing') this.#consumer = undefined; // made again by the next operation
    if (kind === 'down' || kind === 'missing') {
      // A server without JetStream says so from the start; one that restarts, only for a moment.
      if (this.#everOpen || !/not enabled/i.test(messageOf(error))) return new MultitaskError('NODE_DOWN', `durable channel '${name}': JetStream cannot be reached now: ${messageOf(error)}`, { cause: error });
    }
    const hint = /not enabled/i.test(messageOf(error)) ? ' (run nats-server with -js)' : '';
    const why = kind === 'closed' ? "this node's connection to the NATS server is closed" : `JetStream refused: ${messageOf(error)}${hint}`;
    this.#broken ??= new MultitaskError('NODE_DOWN', `durable channel '${name}': ${why}`, { cause: error });
    return this.#broken;
  }

  /** Throws at once when an operation cannot succeed now. */
  #usable(): void {
    if (this.#broken !== undefined) throw this.#broken;
    if (!this.#link.connected) throw new MultitaskError('NODE_DOWN', `durable channel '${this.#config.name}': this node's connection to the NATS server is down`);
  }

  reachable(): Promise<void> {
    if (this.#broken !== undefined) return Promise.reject(this.#broken);
    return this.#link.whenConnected().catch((error: unknown) => {
      this.#broken ??= this.#failure(error);
      throw this.#broken;
    });
  }

  async publish(bytes: Uint8Array, id: string): Promise<'ok' | 'full' | 'closed'> {
    this.#usable();
    await this.#ensure();
    if (this.#closed) return 'closed';
    try {
      await this.#publisher.publish(this.#names.items, bytes, id);
      return 'ok';
    } catch (error) {
      if (/maximum messages/i.test(messageOf(error))) return 'full';
      if (/max_payload/i.test(messageOf(error))) {
        throw new MultitaskError('NOT_SERIALIZABLE', `an item of ${bytes.length} bytes is more than the NATS server's max_payload: send large data in parts, or raise max_payload`, { cause: error });
      }
      throw this.#failure(error);
    }
  }

  async fetch(max: number, expires: number, onMessage: (message: DurableMessage) => void, signal: AbortSignal): Promise<void> {
    this.#usable();
    const consumer = await this.#ensure();
    if (signal.aborted) return;
    let messages: ConsumerMessages;
    try {
      const wait = Math.max(1_000, expires); // the client's least
      messages = await consumer.fetch({ max_messages: max, expires: wait, idle_heartbeat: Math.min(HEARTBEAT_MS, wait / 2) });
    } catch (error) {
      throw this.#failure(error);
    }
    const stop = (): void => void messages.stop();
    signal.addEventListener('abort', stop, { once: true });
    if (signal.aborted) stop();
    this.#pulls.add(messages);
    if (this.#closed) void this.#look(); // closed before this pull began: it may have nothing to wait for
    try {
      for await (const message of messages) onMessage(this.#wrap(message));
    } catch (error) {
      throw this.#failure(error);
    } finally {
      this.#pulls.delete(messages);
      signal.removeEventListener('abort', stop);
    }
  }

  async counts(): Promise<{ readonly waiting: number; readonly unacked: number }> {
    this.#usable();
    await this.#ensure();
    await this.#confirmAcks();
    try {
      const info = await this.#jsm.consumers.info(this.#names.stream, CONSUMER);
      return { waiting: info.num_pending, unacked: info.num_ack_pending };
    } catch (error) {
      throw this.#failure(error);
    }
  }

  async closed(): Promise<boolean> {
    if (this.#closed) return true;
    this.#usable();
    await this.#ensure();
    return this.#closed;
  }

  /** Closes the channel for every node: known here at once, and stored (tried again while the server cannot be reached, until it is or this node's connection is closed). */
  async close(): Promise<void> {
    this.#learnClosed();
    for (let attempt = 0; ; attempt++) {
      try {
        this.#usable();
        await this.#ensure();
        await this.#publisher.publish(this.#names.closed, EMPTY, 'closed'); // heard by the other nodes as it is stored
        return;
      } catch (error) {
        const failure = this.#failure(error);
        if (this.#broken !== undefined) throw failure;
        await this.reachable();
        await new Promise<void>((resolve) => setTimeout(resolve, Math.min(MOST_PAUSE_MS, 50 * 2 ** attempt)).unref());
      }
    }
  }

  /**
   * The channel was closed (here, or `heard` from another node): the pulls here end if
   * nothing more can come to them. Heard, this node says so: an acknowledgement it made just
   * before it heard may be what the nodes that looked already are waiting for.
   */
  #learnClosed(heard = false): void {
    if (this.#closed) return;
    this.#closed = true;
    if (heard) this.#settled();
    else void this.#look();
  }

  /**
   * Closed, nothing waiting in the stream, and nothing taken elsewhere that may come back:
   * the pulls here end now, and their receives see the channel drained.
   */
  async #look(): Promise<void> {
    if (!this.#closed || this.#pulls.size === 0) return;
    if (this.#looking) return void (this.#lookAgain = true); // one look at a time; one more after it
    this.#looking = true;
    try {
      do {
        this.#lookAgain = false;
        const { waiting, unacked } = await this.counts();
        if (waiting === 0 && unacked === 0) for (const pull of [...this.#pulls]) pull.stop();
      } while (this.#lookAgain && this.#pulls.size > 0);
    } catch {
      // cannot look now: the pulls end by themselves
    } finally {
      this.#looking = false;
    }
  }

  /**
   * Has the server confirm the last acknowledgement sent here (if it did not yet). One it
   * cannot confirm now is left to the server: the counts read next are the server's truth.
   */
  #confirmAcks(): Promise<void> {
    const reply = this.#unconfirmed;
    if (reply !== undefined) {
      this.#unconfirmed = undefined;
      this.#countAfter(this.#ackAgain(reply).then(() => void (this.#closed && this.#tellSettled())));
    }
    return this.#confirming;
  }

  /** The counts asked from now on wait for `confirmed` (to settle, either way). */
  #countAfter(confirmed: Promise<unknown>): void {
    const settled = confirmed.then(
      () => undefined,
      () => undefined,
    );
    this.#confirming = Promise.all([this.#confirming, settled]).then(() => undefined);
  }

  /** Acknowledges again on `reply`, asking for the server's answer (it answers one it already counted too). */
  #ackAgain(reply: string): Promise<unknown> {
    return this.#link.connection.request(reply, ACK, { timeout: JETSTREAM_ANSWER_MS });
  }

  /** Done with `message`, without waiting for the server's answer where it can be asked for later. */
  #ack(message: JsMsg): void {
    const reply = replyOf(message);
    if (reply === undefined) this.#countAfter(message.ackAck()); // nowhere to ask later: asked now
    else {
      message.ack();
      this.#unconfirmed = reply;
    }
    if (this.#closed) void this.#look(); // it may have been the last: the pulls here end if so
  }

  /** An item pulled here. */
  #wrap(message: JsMsg): DurableMessage {
    return {
      bytes: message.data,
      ack: () => this.#ack(message),
      nak: () => message.nak(),
      confirm: async () => {
        try {
          const reply = replyOf(message);
          if (reply !== undefined && this.#unconfirmed === reply) this.#unconfirmed = undefined;
          if (!(await message.ackAck()) && reply !== undefined) await this.#ackAgain(reply); // acknowledged before, without an answer
        } catch (error) {
          throw new MultitaskError('NODE_DOWN', `durable channel '${this.#config.name}': the acknowledgement was not confirmed (the item may be delivered again): ${messageOf(error)}`, { cause: error });
        }
        if (this.#closed) this.#settled();
      },
    };
  }

  /** Items of the closed channel may have been acknowledged: every node (this one too) looks again whether it is drained. */
  #settled(): void {
    this.#tellSettled();
    void this.#look();
  }

  #tellSettled(): void {
    try {
      this.#link.connection.publish(this.#names.settled, EMPTY);
    } catch {
      // cut off: the other nodes' pulls end by themselves
    }
  }
}

/** The subject `message` is acknowledged on: the client keeps it on every pulled message, without typing it. */
function replyOf(message: JsMsg): string | undefined {
  const reply: unknown = (message as JsMsg & { readonly reply?: unknown }).reply;
  return typeof reply === 'string' ? reply : undefined;
}
