/**
 * labelHistogram counts whole 4-byte words of one value at once; it must count exactly what a plain
 * per-byte loop counts, whatever the runs, the alignment of the view and the length.
 */
import { describe, expect, it } from 'vitest'
import { labelHistogram } from '../../../src/main/media/label-png'

function plainCounts(labels: Uint8Array): Map<number, number> {
  const out = new Map<number, number>()
  for (const v of labels) out.set(v, (out.get(v) ?? 0) + 1)
  return out
}

const sorted = (m: Map<number, number>): [number, number][] => [...m].sort((a, b) => a[0] - b[0])

describe('labelHistogram', () => {
  it('matches a per-byte count on runs, noise, 255 runs, odd lengths and unaligned views', () => {
    let seed = 7
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32
    for (let t = 0; t < 60; t++) {
      const backing = new Uint8Array(3 + Math.floor(rnd() * 5000))
      let v = 0
      for (let i = 0; i < backing.length; i++) {
        if (rnd() < (t % 3 === 0 ? 0.5 : 0.01)) v = rnd() < 0.3 ? 255 : Math.floor(rnd() * 21)
        backing[i] = v
      }
      const offset = t % 4
      const labels = backing.subarray(offset, backing.length - (t % 3))
      expect(sorted(labelHistogram(labels))).toEqual(sorted(plainCounts(labels)))
    }
    expect(labelHistogram(new Uint8Array(0)).size).toBe(0)
    expect(sorted(labelHistogram(new Uint8Array(4096).fill(255)))).toEqual([[255, 4096]])
  })
})
