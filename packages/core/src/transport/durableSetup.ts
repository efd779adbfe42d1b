/**
 * What a durable channel's stream and consumer must be, and how JetStream's failures read
 * for it: made by whichever node opens the channel first, and checked against what it asks
 * by every node after. Only what nats-server 2.9 has is used.
 * @internal
 * @packageDocumentation
 */
import type { Consumer, JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { MultitaskError } from '../errors.js';
import type { DurableConfig } from './durableStreams.js';
import { PublishFailure } from './StreamPublisher.js';

/** The one consumer every participant of a durable channel shares. @internal */
export const CONSUMER = 'items';

/**
 * How long the server keeps the id of each stored item, so that a send tried again (after
 * its answer was lost with the connection) is stored once. JetStream's default is two
 * minutes; items can come by the thousand per second, and the server keeps every id.
 */
const DEDUPE_NS = 20_000 * 1_000_000;

/** The subjects and names of one durable channel of a cluster. @internal */
export interface DurableNames {
  readonly stream: string;
  readonly items: string;
  /** Its close marker: stored in the stream, and heard by every node as it is published. */
  readonly closed: string;
  /** Not stored: "an item of the closed channel was acknowledged, look again whether it is drained". */
  readonly settled: string;
}

/** The stream's name for a durable channel of a cluster (`<prefix>.<cluster>` as `root`). @internal */
export function streamName(root: string, name: string): string {
  return `MT_${root.replace(/\./g, '_')}_${name}`;
}

/** @internal */
export function durableNames(root: string, name: string): DurableNames {
  const base = `${root}.durable.${name}`;
  return { stream: streamName(root, name), items: `${base}.items`, closed: `${base}.closed`, settled: `${base}.settled` };
}

/**
 * What a failure of JetStream means for the channel: `down` (the server cannot be reached
 * now: try again once the connection is back), `missing` (its stream or consumer is gone:
 * make them again), `closed` (this node's connection is closed for good) or `refused`.
 * @internal
 */
export function failureOf(error: unknown): 'down' | 'missing' | 'closed' | 'refused' {
  if (error instanceof PublishFailure) return error.kind;
  const name = error instanceof Error ? error.name : '';
  if (name === 'ClosedConnectionError' || name === 'DrainingConnectionError') return 'closed';
  if (name === 'StreamNotFoundError' || name === 'ConsumerNotFoundError') return 'missing';
  if (name === 'TimeoutError' || name === 'NoRespondersError' || name === 'JetStreamNotEnabled' || name === 'ConnectionError' || name === 'RequestError') return 'down';
  // "JetStream system temporarily unavailable", and the like: the server is (re)starting.
  if (name === 'JetStreamApiError' && (error as { status?: unknown }).status === 503) return 'down';
  // A pull the server ended as it stopped, or whose heartbeats stopped with the connection.
  if (name === 'JetStreamStatusError' || name === 'JetStreamError') return /shutdown|heartbeat|leadership|disconnect/i.test(messageOf(error)) ? 'down' : /consumer (deleted|not found)/i.test(messageOf(error)) ? 'missing' : 'refused';
  return 'refused';
}

/**
 * Makes the stream and consumer of a channel, or checks the ones there against `config`.
 * @throws (rejects with) {@link MultitaskError} `INVALID_ARGUMENT` naming the setting the
 *   channel has otherwise; what JetStream threw when it cannot be reached (see {@link failureOf})
 * @internal
 */
export async function ensureDurable(jsm: JetStreamManager, js: JetStreamClient, names: DurableNames, config: DurableConfig): Promise<Consumer> {
  const { AckPolicy, DeliverPolicy, DiscardPolicy, RetentionPolicy, StorageType } = await import('@nats-io/jetstream');
  const bounded = Number.isFinite(config.capacity);
  const stream = await infoOrMissing(() => jsm.streams.info(names.stream));
  if (stream === undefined) {
    const made = await addOrExisting(
      () =>
        jsm.streams.add({
          name: names.stream,
          subjects: [names.items, names.closed],
          retention: RetentionPolicy.Workqueue,
          storage: StorageType.File,
          duplicate_window: DEDUPE_NS,
          ...(bounded ? { max_msgs_per_subject: config.capacity, discard: DiscardPolicy.New, discard_new_per_subject: true } : {}),
        }),
      () => jsm.streams.info(names.stream),
    );
    checkCapacity(config, made.config.max_msgs_per_subject);
  } else {
    checkCapacity(config, stream.config.max_msgs_per_subject);
  }
  const ackWait = Math.round(config.ackWait * 1_000_000); // ns
  const consumer = await infoOrMissing(() => jsm.consumers.info(names.stream, CONSUMER));
  // nats-server 2.9 updates a consumer made again with another ackWait: made only when absent, then checked.
  const made = consumer ?? (await jsm.consumers.add(names.stream, { durable_name: CONSUMER, ack_policy: AckPolicy.Explicit, ack_wait: ackWait, filter_subject: names.items, deliver_policy: DeliverPolicy.All, max_ack_pending: -1 }));
  checkAckWait(config, made.config.ack_wait);
  return js.consumers.get(names.stream, CONSUMER);
}

function checkCapacity(config: DurableConfig, maxPerSubject: number | undefined): void {
  const capacity = maxPerSubject === undefined || maxPerSubject <= 0 ? Number.POSITIVE_INFINITY : maxPerSubject;
  const differs = mismatchOf({ ...config, capacity }, config);
  if (differs !== undefined) throw differs;
}

function checkAckWait(config: DurableConfig, ackWaitNs: number | undefined): void {
  const differs = mismatchOf({ ...config, ackWait: (ackWaitNs ?? 30_000_000_000) / 1_000_000 }, config); // JetStream's default when not set
  if (differs !== undefined) throw differs;
}

/**
 * The error for opening a channel that is `existing` with the settings `asked`, or
 * `undefined` when they are the same.
 * @internal
 */
export function mismatchOf(existing: DurableConfig, asked: DurableConfig): MultitaskError | undefined {
  const [setting, now, wanted] =
    existing.capacity !== asked.capacity
      ? ['capacity', String(existing.capacity), String(asked.capacity)]
      : Math.round(existing.ackWait * 1_000_000) !== Math.round(asked.ackWait * 1_000_000)
        ? ['ackWait', `${existing.ackWait} ms`, `${asked.ackWait} ms`]
        : [];
  if (setting === undefined) return undefined;
  return new MultitaskError(
    'INVALID_ARGUMENT',
    `durable channel '${asked.name}' exists with ${setting} ${now}, not ${wanted}: every node opens it with the capacity and ackWait it was made with (the Channels guide says how to change them)`,
  );
}

/** The answer of an info request, or `undefined` when what it asks about is not there. */
async function infoOrMissing<T>(request: () => Promise<T>): Promise<T | undefined> {
  try {
    return await request();
  } catch (error) {
    if (failureOf(error) === 'missing') return undefined;
    throw error;
  }
}

/** Adds; when another node added it first (with another configuration), what is there. */
async function addOrExisting<T>(add: () => Promise<T>, info: () => Promise<T>): Promise<T> {
  try {
    return await add();
  } catch (error) {
    if (/already in use/i.test(messageOf(error))) return info();
    throw error;
  }
}

/** @internal */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
