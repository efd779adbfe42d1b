import { MultitaskError } from '../errors.js';

const ignore = (): void => undefined;
/** What a wait on the consumer's side ends with when the reader changed something (a chunk, the input's end). */
const CHANGED = -1;

/**
 * Runs `run` on consecutive chunks of `items` (sync or async), at most `window` chunks at
 * once, and yields the results: in input order, or as chunks finish.
 *
 * The input is read while results are yielded, only as far ahead as the window allows, so
 * a slow input never holds back a result that is ready. When the input throws (or `run`
 * refuses a chunk), nothing more is read: every item read before is run and its result
 * yielded, then the loop throws that error (Python's `imap` does the same). A task's error
 * ends the loop when its chunk's turn comes (`ordered`) or as soon as it is known. Leaving
 * early closes the input.
 * @throws {@link MultitaskError} `INVALID_ARGUMENT` (on the first `next()`) when `items` is not iterable
 * @internal
 */
export async function* windowed(
  items: Iterable<unknown> | AsyncIterable<unknown>,
  chunkSize: number,
  window: number,
  ordered: boolean,
  run: (chunk: unknown[]) => Promise<ArrayLike<unknown>>,
): AsyncIterableIterator<unknown> {
  const source = iteratorOf(items);
  /** Chunks submitted and not yet yielded, in input order. */
  const pending: Array<Promise<ArrayLike<unknown>>> = [];
  /** The input ended or threw: nothing is left to close. */
  let finished = false;
  /** Why reading stopped early: thrown once the chunks read before are yielded. */
  let failure: { readonly error: unknown } | undefined;
  let stopped = false;
  let reading = false;
  let wake: ((value: number) => void) | undefined;
  const changed = (): Promise<number> => new Promise((resolve) => (wake = resolve));

  /** Reads one chunk and submits it, or records why reading ends. */
  const readChunk = async (): Promise<void> => {
    const chunk: unknown[] = [];
    try {
      while (chunk.length < chunkSize) {
        const next = await source.next();
        if (stopped) return;
        if (next.done === true) {
          finished = true;
          break;
        }
        chunk.push(next.value);
      }
    } catch (error) {
      finished = true;
      failure = { error };
    }
    if (stopped || chunk.length === 0) return;
    try {
      const submitted = run(chunk);
      submitted.catch(ignore); // its error is thrown when its turn comes, not reported as unhandled
      pending.push(submitted);
    } catch (error) {
      failure ??= { error };
    }
  };
  /** Keeps one read going while the window has room. */
  const read = (): void => {
    if (reading || stopped || finished || failure !== undefined || pending.length >= window) return;
    reading = true;
    void readChunk().then(() => {
      reading = false;
      read();
      const waiting = wake;
      wake = undefined;
      waiting?.(CHANGED);
    });
  };

  try {
    for (;;) {
      read();
      if (pending.length === 0) {
        if (reading) {
          await changed();
          continue;
        }
        if (failure !== undefined) throw failure.error;
        return;
      }
      let at = 0;
      if (!ordered) {
        // Race on indexes: a promise resolving to another promise would take on its value.
        const racing = pending.map((chunk, i) => chunk.then(() => i, () => i));
        at = await Promise.race(reading ? [...racing, changed()] : racing);
        if (at === CHANGED) continue;
      }
      const [next] = pending.splice(at, 1) as [Promise<ArrayLike<unknown>>];
      read();
      const results = await next;
      for (let i = 0; i < results.length; i++) yield results[i];
    }
  } finally {
    stopped = true;
    if (!finished) await source.return?.();
  }
}

function iteratorOf(items: Iterable<unknown> | AsyncIterable<unknown>): AsyncIterator<unknown> | Iterator<unknown> {
  const iterable = items as Partial<Iterable<unknown> & AsyncIterable<unknown>> | null | undefined;
  const asyncIterator = iterable?.[Symbol.asyncIterator];
  if (typeof asyncIterator === 'function') return asyncIterator.call(iterable);
  const iterator = iterable?.[Symbol.iterator];
  if (typeof iterator === 'function') return iterator.call(iterable);
  throw new MultitaskError('INVALID_ARGUMENT', 'items must be an iterable or an async iterable');
}
