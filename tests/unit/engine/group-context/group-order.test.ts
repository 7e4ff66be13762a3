/** Group batches: one group per batch, wrap-around padding, seeded epochs, resume-exact order. */
import { describe, expect, it } from 'vitest'
import {
  evenChunks,
  groupBatches,
  GroupOrder,
  GroupOrderError,
} from '../../../../src/main/engine/runs/group-order'

// Groups of sizes 3 (smaller than B), 8 (exactly B), 20 (split into 3 batches), 1.
const groups = [
  [0, 1, 2],
  [10, 11, 12, 13, 14, 15, 16, 17],
  Array.from({ length: 20 }, (_, i) => 100 + i),
  [999],
]
const B = 8

describe('GroupOrder', () => {
  it('fills every batch from one group; an epoch covers every image of every group', () => {
    const order = new GroupOrder({ groups, batchSize: B, seed: 3 })
    expect(order.batchesPerEpoch).toBe(1 + 1 + 3 + 1)
    const seen = new Map<number, Set<number>>()
    for (let it = 1; it <= order.batchesPerEpoch; it++) {
      const { group, items } = order.batchAt(it)
      expect(items).toHaveLength(B)
      for (const v of items) expect(groups[group]).toContain(v)
      const s = seen.get(group) ?? new Set<number>()
      for (const v of items) s.add(v)
      seen.set(group, s)
    }
    for (let g = 0; g < groups.length; g++) expect([...seen.get(g)!].sort((a, b) => a - b)).toEqual(groups[g])
  })

  it('pads a small group by wrap-around repetition of its shuffled order', () => {
    const order = new GroupOrder({ groups, batchSize: B, seed: 3 })
    for (let it = 1; it <= order.batchesPerEpoch; it++) {
      const { group, items } = order.batchAt(it)
      if (group === 0) {
        // a b c a b c a b: each image 3, 3 or 2 times, and the period-3 pattern.
        const counts = [0, 1, 2].map((v) => items.filter((x) => x === v).length).sort()
        expect(counts).toEqual([2, 3, 3])
        for (let t = 3; t < B; t++) expect(items[t]).toBe(items[t - 3])
      }
      if (group === 3) expect(items).toEqual(Array(B).fill(999))
    }
  })

  it('is a pure function of (seed, iteration): a resumed order equals the uninterrupted one', () => {
    const a = new GroupOrder({ groups, batchSize: B, seed: 42 })
    const seq = Array.from({ length: 30 }, (_, i) => a.batchAt(i + 1))
    const b = new GroupOrder({ groups, batchSize: B, seed: 42 })
    // Resume at iteration 17 in a fresh instance, reading out of order first.
    expect(b.batchAt(25)).toEqual(seq[24])
    for (let it = 17; it <= 30; it++) expect(b.batchAt(it)).toEqual(seq[it - 1])
  })

  it('reshuffles every epoch and depends on the seed', () => {
    const o = new GroupOrder({ groups, batchSize: B, seed: 1 })
    const n = o.batchesPerEpoch
    const epoch = (e: number, ord: GroupOrder) =>
      Array.from({ length: n }, (_, i) => ord.batchAt(e * n + i + 1))
    const e0 = epoch(0, o)
    const e1 = epoch(1, o)
    expect(e1).not.toEqual(e0)
    expect(epoch(0, new GroupOrder({ groups, batchSize: B, seed: 2 }))).not.toEqual(e0)
    // Shuffled inside the group too: the big group's first batch is not simply its first 8 items.
    const firstBig = [...e0, ...e1].filter((x) => x.group === 2).map((x) => x.items)
    expect(firstBig.some((items) => items.join() !== groups[2]!.slice(0, 8).join())).toBe(true)
  })

  it('refuses bad input with clear messages', () => {
    expect(() => new GroupOrder({ groups: [], batchSize: 8, seed: 0 })).toThrow('there are no groups')
    expect(() => new GroupOrder({ groups: [[1], []], batchSize: 8, seed: 0 })).toThrow('group 1 is empty')
    expect(() => new GroupOrder({ groups: [[1]], batchSize: 0, seed: 0 })).toThrow(GroupOrderError)
    expect(() => new GroupOrder({ groups: [[1.5]], batchSize: 2, seed: 0 })).toThrow('group 0 holds 1.5')
    expect(() => new GroupOrder({ groups: [[1]], batchSize: 2, seed: 0 }).batchAt(0)).toThrow(
      'iteration must be',
    )
  })
})

describe('inference group batches', () => {
  it('never mixes groups, keeps every item once, and splits groups evenly', () => {
    const items = Array.from({ length: 30 }, (_, i) => ({
      id: i,
      g: i < 9 ? 0 : i < 12 ? 1 : i < 28 ? 2 : null,
    }))
    const batches = groupBatches(items, (x) => x.g, 8)
    expect(
      batches
        .flat()
        .map((x) => x.id)
        .sort((a, b) => a - b),
    ).toEqual(items.map((x) => x.id))
    for (const b of batches) {
      expect(b.length).toBeLessThanOrEqual(8)
      expect(new Set(b.map((x) => x.g)).size).toBe(1)
    }
    expect(batches.map((b) => b.length)).toEqual([5, 4, 3, 8, 8, 2])
  })

  it('evenChunks sizes differ by at most one', () => {
    expect(evenChunks([1, 2, 3, 4, 5, 6, 7, 8, 9], 8).map((c) => c.length)).toEqual([5, 4])
    expect(evenChunks([1, 2, 3, 4, 5, 6, 7, 8], 8)).toEqual([[1, 2, 3, 4, 5, 6, 7, 8]])
    expect(evenChunks([], 8)).toEqual([])
    expect(
      evenChunks(
        Array.from({ length: 17 }, (_, i) => i),
        8,
      ).map((c) => c.length),
    ).toEqual([6, 6, 5])
  })
})
