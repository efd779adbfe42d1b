import type { Clock } from '../clock.js';
import { MultitaskError } from '../errors.js';
import type { ActorId, SystemId } from '../wire/ids.js';
import type { NameEntry, SharedNames } from '../system/NameRegistry.js';
import type { NatsLink } from '../transport/natsLink.js';
import type { Bucket, BucketEntry } from '../transport/natsBucket.js';
import { decodeEntry, encodeEntry, isNodeKey, keyOf, MAX_NAME_BYTES, nameOf, nodeKeyOf, type StoredName } from './nameEntries.js';

/** Who holds the names this node takes: its system, as the incarnation it is now. @internal */
export interface NamesOwner {
  readonly system: SystemId;
  readonly node: string;
  incarnation(): number;
  /** Whether incarnation `inc` of `system` is a member of the cluster now. */
  isMember(system: SystemId, inc: number): boolean;
  /** Whether this node declared incarnation `inc` of `system` down. */
  wasDeclaredDown(system: SystemId, inc: number): boolean;
  /** Whether the connection to the server is up. */
  connected(): boolean;
}

/** A name this system holds: for whom (`null` while the actor starts, and for its node's name), and the revision of its last write. */
interface Held {
  id: ActorId | null;
  key: string | null;
  revision: number;
}

interface Mirrored {
  readonly entry: StoredName;
  readonly revision: number;
}

/** Who holds a node name this node wants: the entry (`undefined` when it cannot be read) at its revision. @internal */
export interface NodeNameHolder {
  readonly holder: StoredName | undefined;
  readonly revision: number;
}

/**
 * The cluster's names, in a NATS key-value bucket (JetStream): a name is taken with a write
 * that succeeds only if the name has no entry (create if absent), bound and given up with
 * writes that hold only if nobody wrote in between, and mirrored here by a watch of the
 * bucket, so that a lookup needs no round trip. Each entry names its actor, its
 * definition's key, and the incarnation of the system that holds it: whoever declares that
 * incarnation down deletes its names (every node may; the conditional deletes make that
 * idempotent, and never touch what a newer incarnation took again). Names whose holder is
 * no member for a while (a whole cluster restarted over a bucket that outlived it) are
 * deleted too. A node's own name is an entry of the same kind, under a key of its own
 * (`nodes.<…>`, see `nameEntries.ts`): kept, written again and freed as its actors' names
 * are; when a node may take it over is `claimNodeName`'s to say.
 *
 * Eventually consistent: a name taken on one node is found by another's `system.lookup`
 * once the watch brought it (`ctx.lookup` asks the bucket itself when the mirror has nothing),
 * and names of a node declared down stay found until that news reaches the looker.
 * @internal
 */
export class ClusterNames implements SharedNames {
  readonly #link: NatsLink;
  readonly #bucketName: string;
  readonly #owner: NamesOwner;
  readonly #clock: Clock;
  /** How long a name's holder may be no member before the name is deleted as an orphan. */
  readonly #grace: number;
  #bucket: Bucket | undefined;
  /** Why the bucket cannot be used, when it cannot. */
  #unavailable: string | undefined;
  #stopWatch: (() => void) | undefined;
  /** The bucket's entries, by key (as are the maps below). */
  readonly #mirror = new Map<string, Mirrored>();
  readonly #mine = new Map<string, Held>();
  /** Work on each key, one piece at a time in arrival order. */
  readonly #queues = new Map<string, Promise<void>>();
  /** Keys whose holder is no member, and since when. */
  readonly #orphans = new Map<string, number>();
  #sweptAt = 0;
  #closed = false;
  #lost: (name: string) => void = () => undefined;

  private constructor(link: NatsLink, bucketName: string, owner: NamesOwner, clock: Clock, grace: number) {
    this.#link = link;
    this.#bucketName = bucketName;
    this.#owner = owner;
    this.#clock = clock;
    this.#grace = grace;
  }

  /**
   * Opens the bucket and mirrors it (resolves once the names already there are known). A
   * server without JetStream leaves the names unavailable: taking one rejects with `NODE_DOWN`.
   */
  static async open(link: NatsLink, bucketName: string, owner: NamesOwner, clock: Clock, grace: number): Promise<ClusterNames> {
    const names = new ClusterNames(link, bucketName, owner, clock, grace);
    await names.#open();
    return names;
  }

  async #open(): Promise<void> {
    try {
      this.#bucket = await this.#link.bucket(this.#bucketName); // created again if a server came back without it
      this.#stopWatch?.();
      this.#mirror.clear();
      this.#stopWatch = await this.#bucket.watch((entry) => this.#mirrored(entry));
      this.#unavailable = undefined;
    } catch (error) {
      this.#unavailable = error instanceof Error ? error.message : String(error);
    }
  }

  #mirrored(entry: BucketEntry): void {
    const stored = entry.value === undefined ? undefined : decodeEntry(entry.value);
    if (stored === undefined) this.#mirror.delete(entry.key);
    else this.#mirror.set(entry.key, { entry: stored, revision: entry.revision });
  }

  /** Whether the bucket could be opened (a server without JetStream has none). */
  get usable(): boolean {
    return this.#bucket !== undefined && this.#unavailable === undefined;
  }

  /** The bucket, when it can be used now. @throws MultitaskError `NODE_DOWN` */
  #ready(): Bucket {
    if (this.#bucket === undefined || this.#unavailable !== undefined) {
      throw new MultitaskError('NODE_DOWN', `the cluster's names cannot be used: its key-value bucket '${this.#bucketName}' could not be opened (${this.#unavailable ?? 'not opened'}); names need JetStream (start nats-server with -js)`);
    }
    if (!this.#owner.connected()) throw new MultitaskError('NODE_DOWN', "the cluster's names cannot be reached: this node's connection to the NATS server is down");
    return this.#bucket;
  }

  #entry(id: ActorId | null, key: string | null): Uint8Array {
    return encodeEntry({ v: 1, id, key, system: this.#owner.system, inc: this.#owner.incarnation(), node: this.#owner.node });
  }

  /** Runs `work` on `key` after what was asked of it before. */
  #serial<T>(key: string, work: () => Promise<T>): Promise<T> {
    const before = this.#queues.get(key) ?? Promise.resolve();
    const result = before.then(work);
    const done = result.then(
      () => undefined,
      () => undefined,
    );
    this.#queues.set(key, done);
    void done.then(() => {
      if (this.#queues.get(key) === done) this.#queues.delete(key);
    });
    return result;
  }

  claim(name: string, again: ActorId | undefined): Promise<void> {
    if (Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES) {
      return Promise.reject(new MultitaskError('INVALID_ARGUMENT', `options.name must be at most ${MAX_NAME_BYTES} bytes in a cluster (got ${Buffer.byteLength(name, 'utf8')})`));
    }
    return this.#serial(keyOf(name), () => this.#claim(name, again));
  }

  async #claim(name: string, again: ActorId | undefined): Promise<void> {
    const key = keyOf(name);
    const held = this.#mine.get(key);
    if (held !== undefined && again !== undefined && held.id === again) return; // a restart: the name is its already
    const bucket = this.#ready();
    let revision = await bucket.create(key, this.#entry(again ?? null, null));
    if (revision === 'exists') revision = await this.#takeOver(bucket, name, again);
    this.#mine.set(key, { id: again ?? null, key: null, revision });
  }

  /**
   * The name has an entry: it is this actor's (restarting under its id, after this system
   * came back as a new incarnation), or it is free again (deleted meanwhile); else it is taken.
   * @throws MultitaskError `NAME_TAKEN`
   */
  async #takeOver(bucket: Bucket, name: string, again: ActorId | undefined): Promise<number> {
    const key = keyOf(name);
    const current = await bucket.get(key);
    const stored = current?.value === undefined ? undefined : decodeEntry(current.value);
    let revision: number | 'exists' | 'conflict' = 'exists';
    if (current === undefined || current.value === undefined) revision = await bucket.create(key, this.#entry(again ?? null, null));
    else if (again !== undefined && stored?.id === again && stored.system === this.#owner.system) revision = await bucket.update(key, this.#entry(again, stored.key), current.revision);
    else if (stored !== undefined && stored.system !== this.#owner.system && this.#owner.wasDeclaredDown(stored.system, stored.inc)) {
      // Held by a node this one declared down, whose names were not deleted yet: they are free.
      if (await bucket.delete(key, current.revision)) revision = await bucket.create(key, this.#entry(again ?? null, null));
    }
    if (typeof revision === 'number') return revision;
    const holder = stored === undefined ? '' : ` (on node '${stored.node}')`;
    throw new MultitaskError('NAME_TAKEN', `an actor named '${name}' already exists in the cluster${holder}`);
  }

  bind(name: string, entry: NameEntry): void {
    const key = keyOf(name);
    void this.#serial(key, async () => {
      const held = this.#mine.get(key);
      if (held === undefined) return;
      held.id = entry.id;
      held.key = entry.key ?? null;
      await this.#write(key, held).catch(() => undefined); // unreachable now: written again when the connection is back
    });
  }

  /** Writes what this system holds under `key`, over its last write (or anew, if it was deleted meanwhile). */
  async #write(key: string, held: Held): Promise<void> {
    const bucket = this.#ready();
    const value = this.#entry(held.id, held.key);
    const updated = await bucket.update(key, value, held.revision);
    if (updated !== 'conflict') return void (held.revision = updated);
    const created = await bucket.create(key, value); // deleted by a node that thought this one down
    if (created !== 'exists') return void (held.revision = created);
    const current = await bucket.get(key);
    const stored = current?.value === undefined ? undefined : decodeEntry(current.value);
    if (current !== undefined && stored?.system === this.#owner.system && stored.id === held.id) return void (held.revision = current.revision);
    this.#mine.delete(key); // another system took it meanwhile: it is theirs now
    if (!isNodeKey(key)) this.#lost(nameOf(key));
  }

  onLost(listener: (name: string) => void): void {
    this.#lost = listener;
  }

  release(name: string, id: ActorId | undefined): void {
    void this.#giveUp(keyOf(name), id);
  }

  /** Deletes what this system holds under `key` (for `id`, when given). */
  #giveUp(key: string, id: ActorId | undefined): Promise<void> {
    return this.#serial(key, async () => {
      const held = this.#mine.get(key);
      if (held === undefined || (id !== undefined && held.id !== null && held.id !== id)) return;
      this.#mine.delete(key);
      try {
        await this.#ready().delete(key, held.revision);
      } catch {
        // unreachable now: deleted when the connection is back (see reconnected), or by the others
      }
    });
  }

  /**
   * Takes `node`, this node's name, if no entry holds it (create if absent); else says what
   * holds it, for `claimNodeName` to judge.
   * @throws (rejects with) MultitaskError `NODE_DOWN` (the bucket cannot be used now), or what the server said
   */
  takeNode(node: string): Promise<'taken' | NodeNameHolder> {
    const key = nodeKeyOf(node);
    return this.#serial(key, async (): Promise<'taken' | NodeNameHolder> => {
      const bucket = this.#ready();
      const created = await bucket.create(key, this.#entry(null, null));
      if (created !== 'exists') {
        this.#mine.set(key, { id: null, key: null, revision: created });
        return 'taken';
      }
      const current = await bucket.get(key);
      return { holder: current?.value === undefined ? undefined : decodeEntry(current.value), revision: current?.revision ?? 0 };
    });
  }

  /**
   * Takes `node` over from the entry seen at `revision` (its holder is dead): false when the
   * entry was written since, so that of two nodes taking over one name, one wins.
   * @throws (rejects with) MultitaskError `NODE_DOWN` (the bucket cannot be used now), or what the server said
   */
  takeNodeOver(node: string, revision: number): Promise<boolean> {
    const key = nodeKeyOf(node);
    return this.#serial(key, async () => {
      const updated = await this.#ready().update(key, this.#entry(null, null), revision);
      if (updated === 'conflict') return false;
      this.#mine.set(key, { id: null, key: null, revision: updated });
      return true;
    });
  }

  /** Gives `node`, this node's name, up (the node leaves); resolves once the entry is deleted, or could not be. */
  releaseNode(node: string): Promise<void> {
    return this.#giveUp(nodeKeyOf(node), undefined);
  }

  find(name: string): NameEntry | undefined {
    const mirrored = this.#mirror.get(keyOf(name));
    return mirrored === undefined ? undefined : this.#othersEntry(mirrored.entry);
  }

  async fetch(name: string): Promise<NameEntry | undefined> {
    if (this.#bucket === undefined || this.#unavailable !== undefined || !this.#owner.connected()) return undefined;
    const current = await this.#bucket.get(keyOf(name)).catch(() => undefined);
    const stored = current?.value === undefined ? undefined : decodeEntry(current.value);
    return stored === undefined ? undefined : this.#othersEntry(stored);
  }

  /** A bound name of another system's live incarnation (this system's own are its registry's to find). */
  #othersEntry(stored: StoredName): NameEntry | undefined {
    if (stored.id === null || stored.system === this.#owner.system || !this.#owner.isMember(stored.system, stored.inc)) return undefined;
    return { id: stored.id, key: stored.key ?? undefined };
  }

  /** Incarnation `inc` of `system` (or an older one) is down: its names are deleted, and not found from now on. */
  released(system: SystemId, inc: number): void {
    for (const [key, { entry, revision }] of [...this.#mirror]) {
      if (entry.system !== system || entry.inc > inc) continue;
      this.#mirror.delete(key);
      this.#delete(key, revision);
    }
  }

  #delete(key: string, revision: number): void {
    if (this.#bucket === undefined || !this.#owner.connected()) return;
    void this.#bucket.delete(key, revision).catch(() => undefined);
  }

  /** This system came back as a new incarnation: the names it holds are written again as that one's. */
  rejoined(): void {
    this.#restate();
  }

  /**
   * The connection is back: the bucket is watched again from scratch, what this system
   * holds is written again, and what it gave up while cut off is deleted.
   */
  async reconnected(): Promise<void> {
    if (this.#closed) return;
    await this.#open();
    if (this.#unavailable === undefined) this.#restate();
  }

  /** Writes again what this system holds, and deletes what the bucket still says it holds but it gave up. */
  #restate(): void {
    for (const [key, held] of this.#mine) void this.#serial(key, () => this.#write(key, held).catch(() => undefined));
    for (const [key, { entry, revision }] of this.#mirror) {
      if (entry.system === this.#owner.system && !this.#mine.has(key) && !this.#queues.has(key)) this.#delete(key, revision);
    }
  }

  /** Resolves once what was asked of the bucket so far is done (before the node leaves). */
  async settle(): Promise<void> {
    await Promise.all([...this.#queues.values()]);
  }

  /** Deletes names whose holder has been no member of the cluster for the grace period (checked at most once a grace period / 2). */
  sweep(): void {
    const now = this.#clock.now();
    if (now - this.#sweptAt < this.#grace / 2) return;
    this.#sweptAt = now;
    for (const [key, { entry, revision }] of this.#mirror) {
      if (entry.system === this.#owner.system) {
        // An earlier incarnation of this system's (a process that had its id): nobody holds it.
        if (entry.inc !== this.#owner.incarnation() && !this.#mine.has(key) && !this.#queues.has(key)) this.#delete(key, revision);
        continue;
      }
      if (this.#owner.isMember(entry.system, entry.inc)) {
        this.#orphans.delete(key);
        continue;
      }
      const since = this.#orphans.get(key);
      if (since === undefined) this.#orphans.set(key, now);
      else if (now - since > this.#grace) {
        this.#orphans.delete(key);
        this.#delete(key, revision);
      }
    }
    for (const key of this.#orphans.keys()) if (!this.#mirror.has(key)) this.#orphans.delete(key);
  }

  /** Stops watching (the node leaves). */
  close(): void {
    this.#closed = true;
    this.#stopWatch?.();
    this.#stopWatch = undefined;
  }
}
