/** Slots per page: a page is an array of this many, made when its first number comes. */
const PAGE = 128;
/** A page older than the newest with this few left gives them to the scattered map and goes. */
const FEW = PAGE / 16;

/** One page of the table: the values of `PAGE` consecutive numbers. */
class Page<V> {
  readonly slots: Array<V | undefined> = new Array<V | undefined>(PAGE).fill(undefined);
  live = 0;
}

/**
 * Values by sequence number, for numbers handed out in rising order and mostly given up
 * soon (the actors of a node, by the sequence of their ids). Pages of consecutive numbers,
 * so that putting and taking one is an array store: a map of a million entries took a
 * tenth of a tree of a million short-lived actors' time, growing and shrinking. An old
 * page that keeps only a few values gives them to a map and goes, so that a long-lived
 * value among many short-lived ones does not hold a page of its own.
 * @internal
 */
export class SeqTable<V> {
  /** The pages, by page number; made in rising order, so iterated in it. */
  readonly #pages = new Map<number, Page<V>>();
  /** Values whose page went, or that came for a page older than the newest. */
  readonly #scattered = new Map<number, V>();
  /** The number of the newest page made (later numbers make new pages). */
  #newest = -1;
  #size = 0;

  /** How many values it holds. */
  get size(): number {
    return this.#size;
  }

  get(seq: number): V | undefined {
    const page = this.#pages.get(Math.floor(seq / PAGE));
    return page === undefined ? this.#scattered.get(seq) : page.slots[seq % PAGE];
  }

  /** Puts `value` under `seq`, in the place of what was there. */
  set(seq: number, value: V): void {
    const number = Math.floor(seq / PAGE);
    let page = this.#pages.get(number);
    if (page === undefined) {
      if (number <= this.#newest) {
        if (!this.#scattered.has(seq)) this.#size++;
        this.#scattered.set(seq, value);
        return;
      }
      this.#pages.set(number, (page = new Page<V>()));
      this.#newest = number;
    }
    const at = seq % PAGE;
    if (page.slots[at] === undefined) {
      page.live++;
      this.#size++;
    }
    page.slots[at] = value;
  }

  /** Removes what is under `seq`; false when nothing was. */
  delete(seq: number): boolean {
    const number = Math.floor(seq / PAGE);
    const page = this.#pages.get(number);
    if (page === undefined) {
      if (!this.#scattered.delete(seq)) return false;
      this.#size--;
      return true;
    }
    const at = seq % PAGE;
    if (page.slots[at] === undefined) return false;
    page.slots[at] = undefined;
    page.live--;
    this.#size--;
    if (page.live <= FEW && number < this.#newest) this.#scatter(number, page);
    return true;
  }

  /** An old page with few values left: they move to the scattered map, and the page goes. */
  #scatter(number: number, page: Page<V>): void {
    this.#pages.delete(number);
    if (page.live === 0) return;
    for (let at = 0; at < PAGE; at++) {
      const value = page.slots[at];
      if (value !== undefined) this.#scattered.set(number * PAGE + at, value);
    }
  }

  /** The values in the order of their numbers. */
  *values(): IterableIterator<V> {
    if (this.#scattered.size === 0) {
      for (const page of this.#pages.values()) for (const value of page.slots) if (value !== undefined) yield value;
      return;
    }
    // Both in rising order, merged: the pages' numbers, and the scattered ones sorted.
    const scattered = [...this.#scattered.keys()].sort((a, b) => a - b);
    let next = 0;
    for (const [number, page] of this.#pages) {
      for (let at = 0; at < PAGE; at++) {
        const value = page.slots[at];
        if (value === undefined) continue;
        const seq = number * PAGE + at;
        while (next < scattered.length && (scattered[next] as number) < seq) yield this.#scattered.get(scattered[next++] as number) as V;
        yield value;
      }
    }
    while (next < scattered.length) yield this.#scattered.get(scattered[next++] as number) as V;
  }
}
