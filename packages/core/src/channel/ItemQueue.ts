import { Fifo } from '../Fifo.js';
import { Packed, type Batch, type Segment } from './packing.js';

/**
 * The items of one channel, in order: plain items, and packed runs that producers on other
 * nodes sent together. A packed run is opened (deserialized) only when an item of it is
 * taken here; a batch for another node takes packed runs whole, still packed.
 * @internal
 */
export class ItemQueue {
  readonly #entries = new Fifo<unknown>();
  /** The opened run at the head, and where in it the next item is. */
  #front: unknown[] = [];
  #frontAt = 0;
  #size = 0;
  /** Opens a packed run into its items (set by the owner's table, which knows how to revive refs). */
  unpack: ((packed: Packed) => unknown[]) | undefined;

  /** How many items, packed or not. */
  get size(): number {
    return this.#size;
  }

  push(item: unknown): void {
    this.#entries.push(item);
    this.#size += 1;
  }

  pushPacked(packed: Packed): void {
    this.#entries.push(packed);
    this.#size += packed.count;
  }

  /** Puts an item back at the head. */
  unshift(item: unknown): void {
    if (this.#frontAt > 0) this.#front[--this.#frontAt] = item;
    else if (this.#front.length > 0) this.#front.unshift(item);
    else this.#entries.unshift(item);
    this.#size += 1;
  }

  /** The next item (opening a packed run when it reaches one); `undefined` when empty. */
  shift(): unknown {
    if (this.#frontAt < this.#front.length) {
      const item = this.#front[this.#frontAt];
      this.#front[this.#frontAt++] = undefined;
      this.#size -= 1;
      return item;
    }
    this.#front = [];
    this.#frontAt = 0;
    const entry = this.#entries.shift();
    if (!(entry instanceof Packed)) {
      if (this.#size > 0) this.#size -= 1;
      return entry;
    }
    if (this.unpack === undefined) throw new Error('a packed run reached a channel that cannot open it');
    this.#front = this.unpack(entry);
    return this.shift();
  }

  /**
   * Up to about `max` items for another node. A packed run no longer than `max` goes whole,
   * still packed (it may take the batch past `max`, never to twice it); a longer one is
   * opened here when it comes first, so that a consumer taking a few items at a time gets
   * a few, not a producer's whole burst.
   */
  takeBatch(max: number): Batch {
    const segments: Segment[] = [];
    let plain: unknown[] | undefined;
    let count = 0;
    while (count < max && this.#size > 0) {
      const head = this.#frontAt < this.#front.length ? undefined : this.#entries.peek();
      if (head instanceof Packed && head.count <= max) {
        this.#entries.shift();
        this.#size -= head.count;
        count += head.count;
        segments.push({ bytes: head.bytes, count: head.count, enc: head.enc });
        plain = undefined;
      } else if (head instanceof Packed && count > 0) {
        break;
      } else {
        if (plain === undefined) segments.push({ items: (plain = []) });
        plain.push(this.shift());
        count += 1;
      }
    }
    return { segments, count };
  }
}
