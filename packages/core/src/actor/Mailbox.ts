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
  /** Present for `send`: called when the message is refused or dropped (an `ask`'s replier rejects instead). */
  readonly refused: ((error: Error) => void) | undefined;
  /** For a tell from another node: that node (a supervised actor acknowledges the tell there). */
  readonly from?: NodeId | undefined;
  /** The W3C `traceparent` of the span it was sent in, when one was active (telemetry on). */
  readonly trace?: string | undefined;
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
export class Mailbox extends Fifo<unknown> {
  /** Messages waiting for room (`backpressure`), as letters; made when the first one arrives. */
  #parked: Letter[] | undefined;
  /** Capacity and overflow policy: one shared object for the default, unbounded mailbox. */
  readonly #policy: Policy;

  /**
   * A mailbox is its own queue (it extends the queue rather than holding one): one object
   * less per actor, an idle actor's memory being the whole cost of a million of them.
   * @param options - capacity and overflow policy
   */
  constructor(options: MailboxOptions) {
    super();
    this.#policy = options.capacity === undefined && options.overflow === undefined ? UNBOUNDED : { capacity: options.capacity ?? Number.POSITIVE_INFINITY, overflow: options.overflow ?? 'backpressure' };
  }

  get capacity(): number {
    return this.#policy.capacity;
  }

  /** Whether it has the default policy: no capacity (such a mailbox can go when empty, and come back). */
  get unbounded(): boolean {
    return this.#policy === UNBOUNDED;
  }

  get overflow(): OverflowPolicy {
    return this.#policy.overflow;
  }

  /** Messages waiting (two slots each). */
  get length(): number {
    return this.size >> 1;
  }

  /** Offers a letter; `owner` is told of a letter dropped to make room (`drop-oldest`). */
  offer(letter: Letter, owner: MailboxOwner): Offer {
    if (!this.#hasRoom()) return this.#full(letter, owner);
    this.push(letter);
    this.push(undefined);
    return 'accepted';
  }

  /** Offers a plain tell; a letter is made only when it cannot go in at once. */
  offerTell(type: string, payload: unknown, owner: MailboxOwner): Offer {
    if (!this.#hasRoom()) return this.#full(tellLetter(type, payload), owner);
    this.push(type);
    this.push(payload);
    return 'accepted';
  }

  #hasRoom(): boolean {
    return (this.#policy === UNBOUNDED || this.length < this.#policy.capacity) && (this.#parked === undefined || this.#parked.length === 0);
  }

  #full(letter: Letter, owner: MailboxOwner): Offer {
    switch (this.#policy.overflow) {
      case 'backpressure':
        (this.#parked ??= []).push(letter);
        return 'parked';
      case 'drop-oldest': {
        const oldest = this.#shiftLetter();
        if (oldest !== undefined) owner.dropped(oldest);
        this.push(letter);
        this.push(undefined);
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
    return this.shift() as string | Letter | undefined;
  }

  /** The payload of the tell {@link take} just returned; a parked message moves in. */
  takePayload(): unknown {
    const payload = this.shift();
    if (this.#parked !== undefined && this.#parked.length > 0 && this.length < this.#policy.capacity) {
      const next = this.#parked.shift() as Letter;
      this.push(next);
      this.push(undefined);
      next.accepted?.();
    }
    return payload;
  }

  /** Removes and returns everything, waiting and parked, in order, as letters. */
  drainLetters(): Letter[] {
    const all: Letter[] = [];
    for (let letter = this.#shiftLetter(); letter !== undefined; letter = this.#shiftLetter()) all.push(letter);
    all.push(...(this.#parked ?? []));
    this.#parked = undefined;
    return all;
  }

  #shiftLetter(): Letter | undefined {
    const head = this.shift() as string | Letter | undefined;
    const payload = this.shift();
    return typeof head === 'string' ? tellLetter(head, payload) : head;
  }
}

/** Whom a mailbox tells of a letter it dropped to make room. @internal */
export interface MailboxOwner {
  dropped(letter: Letter): void;
}

interface Policy {
  readonly capacity: number;
  readonly overflow: OverflowPolicy;
}

const UNBOUNDED: Policy = Object.freeze({ capacity: Number.POSITIVE_INFINITY, overflow: 'backpressure' });

/** A plain tell as a letter, for the paths that need one: it waits, is refused, or fails. @internal */
export function tellLetter(type: string, payload: unknown): Letter {
  return { type, payload, replier: undefined, accepted: undefined, refused: undefined };
}

const NO_OPTIONS: MailboxOptions = Object.freeze({});

/** Checks mailbox options at the call site. @internal */
export function checkMailboxOptions(options: MailboxOptions | undefined): MailboxOptions {
  if (options === undefined) return NO_OPTIONS;
  const { capacity, overflow } = options;
  if (capacity !== undefined && !(capacity === Number.POSITIVE_INFINITY || (Number.isInteger(capacity) && capacity > 0))) {
    throw new MultitaskError('INVALID_ARGUMENT', 'options.mailbox.capacity must be a positive integer or Infinity');
  }
  if (overflow !== undefined && !['backpressure', 'drop-newest', 'drop-oldest', 'fail'].includes(overflow)) {
    throw new MultitaskError('INVALID_ARGUMENT', "options.mailbox.overflow must be 'backpressure', 'drop-newest', 'drop-oldest' or 'fail'");
  }
  return options;
}
