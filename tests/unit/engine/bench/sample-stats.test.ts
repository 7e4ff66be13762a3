import { describe, expect, it } from 'vitest'
import { albumEstimateMinutes, ratio, sampleStats } from '../../../../src/main/engine/bench/sample-stats'

describe('bench sample stats', () => {
  it('median of odd and even counts, and the minimum, regardless of order', () => {
    expect(sampleStats([30, 10, 20])).toEqual({ msMedian: 20, msMin: 10 })
    expect(sampleStats([40, 10, 30, 20])).toEqual({ msMedian: 25, msMin: 10 })
    expect(sampleStats([7])).toEqual({ msMedian: 7, msMin: 7 })
  })

  it('refuses empty or non-finite samples', () => {
    expect(() => sampleStats([])).toThrow(/no timing samples/)
    expect(() => sampleStats([1, NaN])).toThrow(/finite/)
  })

  it('ratio is tfjs over PyTorch, null when a side is missing', () => {
    expect(ratio(300, 100)).toBe(3)
    expect(ratio(300, null)).toBeNull()
    expect(ratio(null, 100)).toBeNull()
    expect(ratio(300, 0)).toBeNull()
  })

  it('album estimate = steps × step + images × predict, in minutes', () => {
    expect(albumEstimateMinutes({ steps: 300, msPerStep: 2000, images: 100, msPerImage: 600 })).toBe(11)
    expect(() => albumEstimateMinutes({ steps: 300, msPerStep: -1, images: 100, msPerImage: 1 })).toThrow(
      /msPerStep/,
    )
  })
})
