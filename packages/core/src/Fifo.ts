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
 * holds no chunk (an idle actor's mailbox is empty).
 * @internal
 */
export class Fifo<T> {
  #head: Chunk<T> | undefined;
  #tail: Chunk<T> | undefined;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  push(item: T): void {
    let tail = this.#tail;
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
    let head = this.#head;
    if (head === undefined || head.start === 0) {
      const chunk = new Chunk<T>(FIRST_CHUNK);
      chunk.start = chunk.end = FIRST_CHUNK;
      chunk.next = head;
      this.#tail ??= chunk;
      this.#head = head = chunk;
    }
    head.slots[--head.start] = item;
    this.#size++;
  }

  /** The first item, left in place. */
  peek(): T | undefined {
    const head = this.#head;
    return head !== undefined && head.start < head.end ? head.slots[head.start] : undefined;
  }

  shift(): T | undefined {
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
    for (let chunk = this.#head; chunk !== undefined; chunk = chunk.next) for (let i = chunk.start; i < chunk.end; i++) all.push(chunk.slots[i] as T);
    this.#head = this.#tail = undefined;
    this.#size = 0;
    return all;
  }
}
