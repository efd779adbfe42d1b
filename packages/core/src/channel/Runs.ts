/** A queue of items kept as the arrays they arrived in (no copying item by item). @internal */
export class Runs {
  #runs: unknown[][] = [];
  #run: unknown[] = [];
  #at = 0;
  size = 0;

  push(run: unknown[]): void {
    if (run.length === 0) return;
    if (this.#at >= this.#run.length && this.#runs.length === 0) {
      this.#run = run;
      this.#at = 0;
    } else this.#runs.push(run);
    this.size += run.length;
  }

  /** Drops every item left; returns how many there were. */
  clear(): number {
    const count = this.size;
    this.#runs = [];
    this.#run = [];
    this.#at = 0;
    this.size = 0;
    return count;
  }

  shift(): unknown {
    if (this.#at >= this.#run.length) {
      const next = this.#runs.shift();
      if (next === undefined) return undefined;
      this.#run = next;
      this.#at = 0;
    }
    this.size -= 1;
    const item = this.#run[this.#at];
    this.#run[this.#at++] = undefined;
    return item;
  }
}
