import { describe, expect, it } from 'vitest'
import { forEachOrdered } from '../../../src/main/datasets/ordered-pool'

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

describe('forEachOrdered', () => {
  it('hands results over in input order while running at most `concurrency` tasks', async () => {
    let running = 0
    let peak = 0
    const delays = [30, 5, 20, 1, 15, 2, 8]
    const seen: number[] = []
    const run = await forEachOrdered(
      delays,
      2,
      async (d, i) => {
        running++
        peak = Math.max(peak, running)
        await sleep(d)
        running--
        if (i === 3) throw new Error('bad item')
        return i * 10
      },
      (r, _item, i) => {
        seen.push(r.ok ? r.value : -i)
      },
    )
    expect(seen).toEqual([0, 10, 20, -3, 40, 50, 60])
    expect(peak).toBe(2)
    expect(run).toEqual({ consumed: 7, stopped: false })
  })

  it('stops consuming when asked and waits for started tasks', async () => {
    let finished = 0
    const consumed: number[] = []
    const run = await forEachOrdered(
      [1, 2, 3, 4, 5, 6],
      2,
      async (x) => {
        await sleep(2)
        finished++
        return x
      },
      (r) => {
        if (r.ok) consumed.push(r.value)
      },
      () => consumed.length >= 2,
    )
    expect(consumed).toEqual([1, 2])
    expect(run).toEqual({ consumed: 2, stopped: true })
    // Started tasks ran to the end before forEachOrdered returned; nothing was left running.
    const settled = finished
    await sleep(10)
    expect(finished).toBe(settled)
    expect(finished).toBeLessThanOrEqual(4)
  })
})
