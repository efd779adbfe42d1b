/**
 * Where `multitask-copy` shows what it is doing, on stderr: on a terminal one live line,
 * redrawn at most every 100 ms; elsewhere (CI logs, pipes) a line at most once a second;
 * or nothing (`--quiet`, `--json`).
 */
import { systemClock } from '@multitask/core';

/** How progress is shown. */
export type ProgressStyle = 'bar' | 'lines' | 'none';

/** Milliseconds between two drawings of the same state. */
const EVERY = { bar: 100, lines: 1_000, none: Infinity } as const;

/** A live status line (or a line a second), and lines that stay. */
export class Screen {
  readonly #style: ProgressStyle;
  readonly #write: (text: string) => void;
  readonly #now: () => number;
  #drawn = Number.NEGATIVE_INFINITY;
  /** The state shown last: not shown twice in a row. */
  #shown: string | undefined;
  /** A live line is on the terminal, without its newline. */
  #live = false;

  /**
   * @param style - how progress is shown
   * @param write - where the text goes (stderr)
   * @param now - the clock, in milliseconds
   */
  constructor(style: ProgressStyle, write = (text: string): void => void process.stderr.write(text), now: () => number = systemClock.now) {
    this.#style = style;
    this.#write = write;
    this.#now = now;
  }

  /** Shows `line` as the state now: the first state of a stage, or its last. */
  show(line: string): void {
    if (this.#style === 'none' || line === this.#shown) return;
    this.#drawn = this.#now();
    this.#shown = line;
    if (this.#style === 'lines') return this.#write(`${line}\n`);
    this.#write(`\r\x1b[2K${line}`);
    this.#live = true;
  }

  /** Shows `line` unless a state was shown less than a redraw ago. */
  update(line: string): void {
    if (this.#now() - this.#drawn >= EVERY[this.#style]) this.show(line);
  }

  /** Prints `line` for good, in place of the live line. */
  say(line: string): void {
    if (this.#style === 'none') return;
    this.#write(this.#style === 'bar' ? `\r\x1b[2K${line}\n` : `${line}\n`);
    this.#live = false;
    this.#shown = undefined;
  }

  /** Leaves the live line as it is, and moves below it. */
  end(): void {
    if (this.#live) this.#write('\n');
    this.#live = false;
  }
}
