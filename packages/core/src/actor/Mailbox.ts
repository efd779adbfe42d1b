import type { NodeId } from '../ids.js';
import type { MailboxOptions, OverflowPolicy } from '../protocol.js';
import { MultitaskError } from '../errors.js';
import { Fifo } from '../Fifo.js';

/** Settles the sender's promise of an `ask`. @internal */
export interface Replier {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** One message waiting in a mailbox. @internal */
export interface Letter {
  readonly type: string;
  readonly payload: unknown;
  /** Present for `ask`: where the handler's result goes. */
  readonly replier: Replier | undefined;
  /** Present for `send`: called once the message is in the mailbox. */
  readonly accepted: (() => void) | undefined;
  /** Present for `send` and `ask`: called when the message is refused or dropped. */
  readonly refused: ((error: Error) => void) | undefined;
  /** For a tell from another node: that node (a supervised actor acknowledges the tell there). */
  readonly from?: NodeId | undefined;
}

/** What happened to an offered letter. @internal */
export type Offer = 'accepted' | 'parked' | 'refused';

/**
 * A bounded FIFO of letters with an overflow policy. Under `backpressure`, letters that
 * arrive when it is full wait in a parking line (in order) and move in as room frees up.
 * @internal
 */
export class Mailbox {
  readonly #items = new Fifo<Letter>();
  /** Letters waiting for room (`backpressure`); made when the first one arrives. */
  #parked: Letter[] | undefined;
  readonly capacity: number;
  readonly overflow: OverflowPolicy;
  readonly #owner: { dropped(letter: Letter): void };

  /**
   * @param options - capacity and overflow policy
   * @param owner - receives each letter evicted by `drop-oldest` (an object, not a closure:
   * one closure more per actor is ~10% of an idle actor's memory)
   */
  constructor(options: MailboxOptions, owner: { dropped(letter: Letter): void }) {
    this.capacity = options.capacity ?? Number.POSITIVE_INFINITY;
    this.overflow = options.overflow ?? 'backpressure';
    this.#owner = owner;
  }

  get size(): number {
    return this.#items.size;
  }

  offer(letter: Letter): Offer {
    if (this.size < this.capacity && (this.#parked === undefined || this.#parked.length === 0)) {
      this.#items.push(letter);
      return 'accepted';
    }
    switch (this.overflow) {
      case 'backpressure':
        (this.#parked ??= []).push(letter);
        return 'parked';
      case 'drop-oldest': {
        const oldest = this.#items.shift();
        if (oldest !== undefined) this.#owner.dropped(oldest);
        this.#items.push(letter);
        return 'accepted';
      }
      case 'drop-newest':
      case 'fail':
        return 'refused';
    }
  }

  take(): Letter | undefined {
    const letter = this.#items.shift();
    if (letter !== undefined && this.#parked !== undefined && this.#parked.length > 0 && this.size < this.capacity) {
      const next = this.#parked.shift() as Letter;
      this.#items.push(next);
      next.accepted?.();
    }
    return letter;
  }

  /** Removes and returns everything, waiting and parked, in order. */
  drain(): Letter[] {
    const all = [...this.#items.drain(), ...(this.#parked ?? [])];
    this.#parked = undefined;
    return all;
  }
}

/** Checks mailbox options at the call site. @internal */
export function checkMailboxOptions(options: MailboxOptions | undefined): MailboxOptions {
  if (options === undefined) return {};
  const { capacity, overflow } = options;
  if (capacity !== undefined && !(capacity === Number.POSITIVE_INFINITY || (Number.isInteger(capacity) && capacity > 0))) {
    throw new MultitaskError('INVALID_ARGUMENT', 'options.mailbox.capacity must be a positive integer or Infinity');
  }
  if (overflow !== undefined && !['backpressure', 'drop-newest', 'drop-oldest', 'fail'].includes(overflow)) {
    throw new MultitaskError('INVALID_ARGUMENT', "options.mailbox.overflow must be 'backpressure', 'drop-newest', 'drop-oldest' or 'fail'");
  }
  return options;
}
