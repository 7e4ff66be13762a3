/**
 * Runs async work on a few items at a time but hands results over in input order, so an import writes
 * images in a stable order (names sorted) while decoding overlaps. Concurrency is small on purpose:
 * each task already keeps a libuv thread busy in sharp, and the machine is shared with the UI.
 */
export type Settled<R> = { ok: true; value: R } | { ok: false; error: unknown }

export interface OrderedRun {
  /** Items whose result was handed to `consume`. */
  consumed: number
  /** True when `shouldStop` ended the run early. */
  stopped: boolean
}

export async function forEachOrdered<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
  consume: (result: Settled<R>, item: T, index: number) => void | Promise<void>,
  shouldStop: () => boolean = () => false,
): Promise<OrderedRun> {
  const width = Math.max(1, Math.floor(concurrency))
  const queue: Promise<Settled<R>>[] = []
  let next = 0
  const startNext = (): void => {
    const i = next++
    queue.push(
      work(items[i]!, i).then(
        (value): Settled<R> => ({ ok: true, value }),
        (error: unknown): Settled<R> => ({ ok: false, error }),
      ),
    )
  }
  while (next < items.length && queue.length < width && !shouldStop()) startNext()
  let consumed = 0
  while (queue.length > 0) {
    const result = await queue.shift()!
    if (shouldStop()) {
      // Let started tasks finish (they hold file handles) but write nothing more.
      await Promise.all(queue)
      return { consumed, stopped: true }
    }
    if (next < items.length) startNext()
    await consume(result, items[consumed]!, consumed)
    consumed++
  }
  return { consumed, stopped: consumed < items.length }
}
