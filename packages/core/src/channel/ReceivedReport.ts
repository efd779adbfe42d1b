/**
 * What a consumer node tells a channel's owner of the lent items its receives took: a count
 * that goes on growing until it leaves. The report (a `repay` envelope carrying this object)
 * is queued for the owner at the first item a receive takes, so it is in the frame ahead of
 * every message this node sends the owner's way after that item (its handler's tells, its
 * next fetch); it rides with them, or goes at the end of the turn (`late`). Its count is
 * read when the frame is copied to go out (its one property is a getter, which structured
 * clone and every codec read), so every item taken before that counts in it. So the owner
 * never holds an item as unreported while a later message of the consumer has arrived:
 * when the consumer's node dies, what the owner gives back was not taken there, or was
 * taken in a turn from which nothing got out.
 *
 * No message per item and no object per item: one report per burst of receives.
 * @internal
 */
export class ReceivedReport {
  /** The count as it arrives: read once it is final. */
  declare readonly n: number;
  #count = 1;
  #sealed = false;
  readonly #onSeal: () => void;

  /** @param onSeal - called once, when the count is final: later items need a new report */
  constructor(onSeal: () => void) {
    this.#onSeal = onSeal;
    // Its own enumerable property, so that a copy of the envelope (a clone, a codec's walk) reads it.
    Object.defineProperty(this, 'n', {
      enumerable: true,
      get: () => {
        this.seal();
        return this.#count;
      },
    });
  }

  /** One more item taken (the report starts with the one that opened it). */
  add(): void {
    this.#count += 1;
  }

  /** Makes the count final now (before another request for the channel goes the owner's way). */
  seal(): void {
    if (this.#sealed) return;
    this.#sealed = true;
    this.#onSeal();
  }
}
