/**
 * Runs `run` on consecutive chunks of `items` (sync or async), at most `window` chunks at
 * once, and yields the results: in input order, or as chunks finish. The input is read
 * only as far ahead as the window allows; leaving early closes it.
 * @internal
 */
export async function* windowed(
  items: Iterable<unknown> | AsyncIterable<unknown>,
  chunkSize: number,
  window: number,
  ordered: boolean,
  run: (chunk: unknown[]) => Promise<ArrayLike<unknown>>,
): AsyncIterableIterator<unknown> {
  const source = Symbol.asyncIterator in items ? items[Symbol.asyncIterator]() : (items as Iterable<unknown>)[Symbol.iterator]();
  const pending: Array<Promise<ArrayLike<unknown>>> = [];
  let exhausted = false;
  const fill = async (): Promise<void> => {
    while (!exhausted && pending.length < window) {
      const chunk: unknown[] = [];
      while (chunk.length < chunkSize) {
        const next = await source.next();
        if (next.done === true) {
          exhausted = true;
          break;
        }
        chunk.push(next.value);
      }
      if (chunk.length > 0) pending.push(run(chunk));
    }
  };
  try {
    await fill();
    while (pending.length > 0) {
      // Race on indexes: a promise resolving to another promise would take on its value.
      const at = ordered ? 0 : await Promise.race(pending.map((p, i) => p.then(() => i, () => i)));
      const [next] = pending.splice(at, 1) as [Promise<ArrayLike<unknown>>];
      const results = await next;
      await fill();
      for (let i = 0; i < results.length; i++) yield results[i];
    }
  } finally {
    for (const chunk of pending) chunk.catch(() => undefined);
    if (!exhausted) await (source as AsyncIterator<unknown>).return?.();
  }
}
