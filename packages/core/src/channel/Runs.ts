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

  /** Every item left, in order; the queue is empty after. */
  takeAll(): unknown[] {
    const rest = [this.#run.slice(this.#at), ...this.#runs].flat();
    this.#runs = [];
    this.#run = [];
    this.#at = 0;
    this.size = 0;
    return rest;
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
