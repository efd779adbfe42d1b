/** Slots in a queue's first chunk; each next chunk doubles, up to {@link MAX_CHUNK}. */
const FIRST_CHUNK = 4;
const MAX_CHUNK = 4096;

/** A run of slots, `start` to `end` in use, and the chunk after it. */
class Chunk<T> {
  readonly slots: Array<T | undefined>;
  start = 0;
  end = 0;
  next: Chunk<T> | undefined = undefined;

  constructor(capacity: number) {
    this.slots = new Array<T | undefined>(capacity);
  }
}

/**
 * A first-in first-out queue over a list of chunks: `shift` is O(1) (an array's own
 * `shift` is O(n), quadratic over a long queue), and a long queue grows by adding chunks,
 * never by copying what it holds. One array that grew to a million items was copied as it
 * grew, and lived in the old generation, where every item stored into it cost the garbage
 * collector a remembered slot: a quarter of the time of a burst of tells. An empty queue
 * holds no chunk (an idle actor's mailbox is empty), and the first two items wait in the
 * queue itself, before any chunk is made: a mailbox holds a message in two slots, and
 * most mailboxes of a tree of a million actors hold one message (a chunk and its array
 * were 136 of an actor's bytes).
 * @internal
 */
export class Fifo<T> {
  /** The front of the queue while no chunk is made (`#pair` of them: 0, 1 or 2). */
  #first: T | undefined = undefined;
  #second: T | undefined = undefined;
  #pair = 0;
  #head: Chunk<T> | undefined;
  #tail: Chunk<T> | undefined;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  push(item: T): void {
    let tail = this.#tail;
    if (tail === undefined && this.#pair < 2) {
      if (this.#pair++ === 0) this.#first = item;
      else this.#second = item;
      this.#size++;
      return;
    }
    if (tail === undefined || tail.end === tail.slots.length) {
      const chunk = new Chunk<T>(tail === undefined ? FIRST_CHUNK : Math.min(tail.slots.length * 2, MAX_CHUNK));
      if (tail === undefined) this.#head = chunk;
      else tail.next = chunk;
      this.#tail = tail = chunk;
    }
    tail.slots[tail.end++] = item;
    this.#size++;
  }

  /** Puts an item back at the front. */
  unshift(item: T): void {
    if (this.#pair === 2) {
      // The pair moves into a chunk, in front of what is there; the item takes its place.
      this.#inFront(this.#second as T);
      this.#inFront(this.#first as T);
      this.#first = this.#second = undefined;
      this.#pair = 0;
    }
    if (this.#pair++ === 1) this.#second = this.#first;
    this.#first = item;
    this.#size++;
  }

  /** Puts an item in front of the chunks (behind the pair, which is empty then). */
  #inFront(item: T): void {
    let head = this.#head;
    if (head === undefined || head.start === 0) {
      const chunk = new Chunk<T>(FIRST_CHUNK);
      chunk.start = chunk.end = FIRST_CHUNK;
      chunk.next = head;
      this.#tail ??= chunk;
      this.#head = head = chunk;
    }
    head.slots[--head.start] = item;
  }

  /** The first item, left in place. */
  peek(): T | undefined {
    if (this.#pair > 0) return this.#first;
    const head = this.#head;
    return head !== undefined && head.start < head.end ? head.slots[head.start] : undefined;
  }

  shift(): T | undefined {
    if (this.#pair > 0) {
      const item = this.#first as T;
      this.#first = this.#second;
      this.#second = undefined;
      this.#pair--;
      this.#size--;
      return item;
    }
    const head = this.#head;
    if (head === undefined || head.start === head.end) return undefined;
    const item = head.slots[head.start] as T;
    head.slots[head.start++] = undefined;
    this.#size--;
    if (head.start === head.end) {
      this.#head = head.next;
      if (head.next === undefined) this.#tail = undefined;
    }
    return item;
  }

  /** Removes and returns everything, in order. */
  drain(): T[] {
    const all: T[] = [];
    if (this.#pair > 0) all.push(this.#first as T);
    if (this.#pair > 1) all.push(this.#second as T);
    this.#first = this.#second = undefined;
    this.#pair = 0;
    for (let chunk = this.#head; chunk !== undefined; chunk = chunk.next) for (let i = chunk.start; i < chunk.end; i++) all.push(chunk.slots[i] as T);
    this.#head = this.#tail = undefined;
    this.#size = 0;
    return all;
  }
}
