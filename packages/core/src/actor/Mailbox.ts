import type { NodeId } from '../wire/ids.js';
import type { MailboxOptions, OverflowPolicy } from '../wire/protocol.js';
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
 * A bounded FIFO of messages with an overflow policy. Under `backpressure`, messages that
 * arrive when it is full wait in a parking line (in order) and move in as room frees up.
 *
 * Each message takes two slots of the queue: a plain tell's type and payload, or a letter
 * (ask, send, a tell to acknowledge) and `undefined`. Most messages are plain tells, and a
 * letter object for each of them was a third of the garbage of a burst of tells.
 * @internal
 */
export class Mailbox {
  readonly #items = new Fifo<unknown>();
  /** Messages waiting for room (`backpressure`), as letters; made when the first one arrives. */
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
    return this.#items.size >> 1;
  }

  /** Offers a letter. */
  offer(letter: Letter): Offer {
    if (!this.#hasRoom()) return this.#full(letter);
    this.#items.push(letter);
    this.#items.push(undefined);
    return 'accepted';
  }

  /** Offers a plain tell; a letter is made only when it cannot go in at once. */
  offerTell(type: string, payload: unknown): Offer {
    if (!this.#hasRoom()) return this.#full(tellLetter(type, payload));
    this.#items.push(type);
    this.#items.push(payload);
    return 'accepted';
  }

  #hasRoom(): boolean {
    return this.size < this.capacity && (this.#parked === undefined || this.#parked.length === 0);
  }

  #full(letter: Letter): Offer {
    switch (this.overflow) {
      case 'backpressure':
        (this.#parked ??= []).push(letter);
        return 'parked';
      case 'drop-oldest': {
        const oldest = this.#shiftLetter();
        if (oldest !== undefined) this.#owner.dropped(oldest);
        this.#items.push(letter);
        this.#items.push(undefined);
        return 'accepted';
      }
      case 'drop-newest':
      case 'fail':
        return 'refused';
    }
  }

  /**
   * Takes the next message: a plain tell's type, or a letter. For a tell, {@link takePayload}
   * must follow at once; for a letter it returns `undefined` (the payload is the letter's).
   */
  take(): string | Letter | undefined {
    return this.#items.shift() as string | Letter | undefined;
  }

  /** The payload of the tell {@link take} just returned; a parked message moves in. */
  takePayload(): unknown {
    const payload = this.#items.shift();
    if (this.#parked !== undefined && this.#parked.length > 0 && this.size < this.capacity) {
      const next = this.#parked.shift() as Letter;
      this.#items.push(next);
      this.#items.push(undefined);
      next.accepted?.();
    }
    return payload;
  }

  /** Removes and returns everything, waiting and parked, in order, as letters. */
  drain(): Letter[] {
    const all: Letter[] = [];
    for (let letter = this.#shiftLetter(); letter !== undefined; letter = this.#shiftLetter()) all.push(letter);
    all.push(...(this.#parked ?? []));
    this.#parked = undefined;
    return all;
  }

  #shiftLetter(): Letter | undefined {
    const head = this.#items.shift() as string | Letter | undefined;
    const payload = this.#items.shift();
    return typeof head === 'string' ? tellLetter(head, payload) : head;
  }
}

/** A plain tell as a letter, for the paths that need one: it waits, is refused, or fails. @internal */
export function tellLetter(type: string, payload: unknown): Letter {
  return { type, payload, replier: undefined, accepted: undefined, refused: undefined };
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
