/**
 * A NATS key-value bucket (JetStream), as the cluster's names need one: create if absent,
 * updates and deletes that hold only if nobody wrote in between, and a watch. The KV
 * client is imported only when a bucket is opened.
 * @internal
 * @packageDocumentation
 */
import type { NatsConnection } from '@nats-io/transport-node';
import type { KV, KvEntry } from '@nats-io/kv';

/** A key's latest write: its value, or `undefined` once deleted. @internal */
export interface BucketEntry {
  readonly key: string;
  readonly revision: number;
  readonly value: Uint8Array | undefined;
}

/** @internal */
export interface Bucket {
  /** Writes `key` if it has no value; resolves with the revision, or `'exists'`. */
  create(key: string, value: Uint8Array): Promise<number | 'exists'>;
  /** Writes `key` if its latest revision is `revision`; resolves with the new one, or `'conflict'`. */
  update(key: string, value: Uint8Array, revision: number): Promise<number | 'conflict'>;
  /** Deletes `key` if its latest revision is `revision`; false when it is not. */
  delete(key: string, revision: number): Promise<boolean>;
  get(key: string): Promise<BucketEntry | undefined>;
  /**
   * Calls `listener` with every key's latest write, then with each new one; resolves once
   * the latest writes known at the call were delivered, with the stop.
   */
  watch(listener: (entry: BucketEntry) => void): Promise<() => void>;
}

/** How long opening a watch waits for the keys already there before it carries on. */
const INITIAL_MS = 5_000;

/** JetStream's "wrong last sequence": a write that expected another revision. */
function isConflict(error: unknown): boolean {
  const api = error as { code?: unknown; api_error?: { err_code?: number }; message?: unknown };
  return api.api_error?.err_code === 10071 || (typeof api.message === 'string' && api.message.includes('wrong last sequence'));
}

function entryOf(entry: KvEntry): BucketEntry {
  return { key: entry.key, revision: entry.revision, value: entry.operation === 'PUT' ? entry.value : undefined };
}

/** Opens (creating if needed) bucket `name` on `nc`'s JetStream. @throws what JetStream says (not enabled, no permission) */
export async function openBucket(nc: NatsConnection, name: string): Promise<Bucket> {
  const { Kvm } = await import('@nats-io/kv');
  const kv: KV = await new Kvm(nc).create(name, { history: 1 });
  return {
    async create(key, value) {
      try {
        return await kv.create(key, value);
      } catch (error) {
        if (isConflict(error)) return 'exists';
        throw error;
      }
    },
    async update(key, value, revision) {
      try {
        return await kv.update(key, value, revision);
      } catch (error) {
        if (isConflict(error)) return 'conflict';
        throw error;
      }
    },
    async delete(key, revision) {
      try {
        await kv.delete(key, { previousSeq: revision });
        return true;
      } catch (error) {
        if (isConflict(error)) return false;
        throw error;
      }
    },
    async get(key) {
      const entry = await kv.get(key);
      return entry === null ? undefined : entryOf(entry);
    },
    watch: (listener) => watch(kv, listener),
  };
}

async function watch(kv: KV, listener: (entry: BucketEntry) => void): Promise<() => void> {
  const { values } = await kv.status();
  const entries = await kv.watch({ include: '' }); // every key's latest write, then each new one
  let caughtUp!: () => void;
  const synced = new Promise<void>((resolve) => (caughtUp = resolve));
  if (values === 0) caughtUp();
  void (async () => {
    try {
      for await (const entry of entries) {
        listener(entryOf(entry));
        if (entry.delta === 0) caughtUp();
      }
    } catch {
      // the connection closed under the watch: whoever opened it opens another when it is back
    }
    caughtUp();
  })();
  const timer = setTimeout(caughtUp, INITIAL_MS);
  timer.unref();
  await synced;
  clearTimeout(timer);
  return () => entries.stop();
}
