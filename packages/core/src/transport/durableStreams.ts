/**
 * Durable channels on JetStream: a channel's items are messages of a work-queue stream with
 * one pull consumer that every participant shares, so an item goes to one consumer and is
 * removed once acknowledged; one a consumer took and did not acknowledge is delivered again
 * after `ackWait`. Its close is a marker on a subject of its own in the same stream. Only
 * what nats-server 2.9 has is used. The JetStream client is imported only when a durable
 * channel is opened.
 * @internal
 * @packageDocumentation
 */
import type { NatsConnection } from '@nats-io/transport-node';
import type { JetStreamClient, JetStreamManager, Consumer, JsMsg } from '@nats-io/jetstream';
import { MultitaskError } from '../errors.js';
import { CONSUMER, durableNames, ensureDurable, messageOf } from './durableSetup.js';

/** What a durable channel is, the same on every node that opens it. @internal */
export interface DurableConfig {
  /** The channel's name in the cluster: 1 to 64 letters, digits, `_` or `-`. */
  readonly name: string;
  readonly capacity: number;
  /** Milliseconds after which an item taken and not acknowledged is delivered again. */
  readonly ackWait: number;
}

/** An item taken from the stream, until it is acknowledged or given back. @internal */
export interface DurableMessage {
  readonly bytes: Uint8Array;
  /** Done with it: it is removed from the stream. */
  ack(): void;
  /** Not taken after all: it is delivered again at once (to whoever fetches next). */
  nak(): void;
}

/** What a durable channel handle needs of JetStream. @internal */
export interface DurableStore {
  /** Appends an item; `'full'` when the stream holds `capacity` items already. */
  publish(bytes: Uint8Array): Promise<'ok' | 'full'>;
  /** Pulls up to `max` items, handing each to `onMessage` as it arrives; resolves when the pull ends (filled, or `expires` ms passed). */
  fetch(max: number, expires: number, onMessage: (message: DurableMessage) => void): Promise<void>;
  /** Items waiting, and items taken by some consumer and not acknowledged yet. */
  counts(): Promise<{ readonly waiting: number; readonly unacked: number }>;
  /** Whether the channel was closed (by any node). */
  closed(): Promise<boolean>;
  /** Closes the channel for every node. */
  close(): Promise<void>;
}

/**
 * Opens the stream and consumer of a durable channel over the system's NATS connection.
 * @throws (rejects with) {@link MultitaskError} `INVALID_ARGUMENT` when the channel exists with another capacity or ackWait, `NODE_DOWN` when JetStream cannot be reached
 * @internal
 */
export async function openDurableStore(nc: NatsConnection, root: string, config: DurableConfig): Promise<DurableStore> {
  const { jetstream, jetstreamManager } = await import('@nats-io/jetstream');
  const names = durableNames(root, config.name);
  const { stream, items, closed: closedSubject } = names;
  let jsm: JetStreamManager;
  try {
    jsm = await jetstreamManager(nc);
  } catch (error) {
    throw new MultitaskError('NODE_DOWN', `durable channel '${config.name}': JetStream cannot be reached (run nats-server with -js): ${messageOf(error)}`, { cause: error });
  }
  const js: JetStreamClient = jetstream(nc);
  // Made by whichever node comes first; checked against what each node after it asks.
  const consumer: Consumer = await coded(config.name, () => ensureDurable(jsm, js, names, config));
  return {
    async publish(bytes) {
      try {
        await js.publish(items, bytes);
        return 'ok';
      } catch (error) {
        if (/maximum messages/i.test(messageOf(error))) return 'full';
        throw new MultitaskError('NODE_DOWN', `durable channel '${config.name}': the item was not stored: ${messageOf(error)}`, { cause: error });
      }
    },
    async fetch(max, expires, onMessage) {
      const messages = await consumer.fetch({ max_messages: max, expires: Math.max(1_000, expires) });
      for await (const message of messages) onMessage(wrap(message));
    },
    async counts() {
      const info = await jsm.consumers.info(stream, CONSUMER);
      return { waiting: info.num_pending, unacked: info.num_ack_pending };
    },
    async closed() {
      return (await jsm.streams.getMessage(stream, { last_by_subj: closedSubject }).catch(() => null)) !== null;
    },
    async close() {
      await js.publish(closedSubject, new Uint8Array(0));
    },
  };
}

function wrap(message: JsMsg): DurableMessage {
  return { bytes: message.data, ack: () => message.ack(), nak: () => message.nak() };
}

/** Runs a JetStream request; its failure becomes a coded error naming the channel. */
async function coded<T>(name: string, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    if (error instanceof MultitaskError) throw error;
    throw new MultitaskError('NODE_DOWN', `durable channel '${name}': JetStream refused: ${messageOf(error)}`, { cause: error });
  }
}
