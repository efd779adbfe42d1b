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
import type { NatsLink } from './natsLink.js';
import type { JetStreamDurable } from './JetStreamDurable.js';

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
  /**
   * Done with it, and resolves once the server has counted this acknowledgement (and so
   * those sent before it).
   * @throws (rejects with) `NODE_DOWN` when the server did not confirm it (it may be delivered again)
   */
  confirm(): Promise<void>;
  /** Not taken after all: it is delivered again at once (to whoever fetches next). */
  nak(): void;
}

/**
 * What a durable channel handle needs of JetStream. An operation that fails because the
 * server cannot be reached rejects with `NODE_DOWN`; {@link DurableStore.reachable} says when
 * it is worth trying again.
 * @internal
 */
export interface DurableStore {
  /**
   * Appends an item, under `id`: the same send tried again (its answer lost with the
   * connection) is stored once. `'full'` when the stream holds `capacity` items, `'closed'`
   * once the channel is known closed here.
   */
  publish(bytes: Uint8Array, id: string): Promise<'ok' | 'full' | 'closed'>;
  /**
   * Pulls up to `max` items, handing each to `onMessage` as it arrives; resolves when the
   * pull ends: filled, after `expires` ms at the server, once `signal` fires, or as soon as
   * this node learns that the channel is closed and nothing more can come.
   */
  fetch(max: number, expires: number, onMessage: (message: DurableMessage) => void, signal: AbortSignal): Promise<void>;
  /** Items waiting, and items taken by some consumer and not acknowledged yet. */
  counts(): Promise<{ readonly waiting: number; readonly unacked: number }>;
  /** Whether the channel was closed (by any node), as this node knows it: told by the close itself. */
  closed(): Promise<boolean>;
  /** Closes the channel for every node. */
  close(): Promise<void>;
  /**
   * Resolves when an operation that failed with `NODE_DOWN` is worth trying again (the
   * connection to the server is up); rejects with the failure when it never will be (the
   * connection is closed for good, JetStream refused).
   */
  reachable(): Promise<void>;
}

/**
 * Opens the store of a durable channel over the system's NATS link; its stream and
 * consumer are made, or checked against `config`, by its first operations.
 * @internal
 */
export async function openDurableStore(link: NatsLink, root: string, config: DurableConfig): Promise<JetStreamDurable> {
  const { JetStreamDurable } = await import('./JetStreamDurable.js');
  return JetStreamDurable.open(link, root, config);
}
