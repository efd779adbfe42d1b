/** Bounded parallelism that can be stopped: what the walk, the checks and the copiers share. */

/**
 * Runs `work` on each item, at most `limit` at a time, in order of start, and starts none
 * once `stopped()` says so (those running finish). `work` must not reject.
 * @returns how many items were started
 */
export async function eachLimited<T>(items: readonly T[], limit: number, stopped: () => boolean, work: (item: T, index: number) => Promise<void>): Promise<number> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length && !stopped()) {
      const index = next++;
      await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return next;
}
