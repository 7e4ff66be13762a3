/**
 * The paired bootstrap against an independent numpy implementation (Debian's /usr/bin/python3 with
 * python3-numpy): the same index matrices give the same mean and CI to rounding; numpy's own resampling
 * (its PRNG, 20000 resamples) gives a CI within Monte-Carlo tolerance of ours.
 */
import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import {
  bootstrapIndices,
  pairedBootstrap,
  pairedBootstrapWith,
  pairedDiffs,
  percentile,
} from '../../../src/main/engine/pipelines/paired-bootstrap'
import { mulberry32 } from '../../../src/shared/stratified-sample'

const NUMPY = `
import json, sys
import numpy as np
d = json.load(sys.stdin)
strata = [np.array(s, dtype=np.float64) for s in d['strata']]
point = float(np.mean([s.mean() for s in strata]))
if d.get('indices') is not None:
    B = d['B']
    idx = [np.array(m, dtype=np.int64).reshape(B, len(s)) for m, s in zip(d['indices'], strata)]
else:
    B = 20000
    rng = np.random.default_rng(7)
    idx = [rng.integers(0, len(s), size=(B, len(s))) for s in strata]
stats = np.mean([s[i].mean(axis=1) for s, i in zip(strata, idx)], axis=0)
print(json.dumps({'mean': point, 'lo': float(np.percentile(stats, 2.5)), 'hi': float(np.percentile(stats, 97.5))}))
`

function numpy(
  strata: number[][],
  indices?: Int32Array[],
  B?: number,
): { mean: number; lo: number; hi: number } {
  const input = JSON.stringify({ strata, indices: indices?.map((m) => Array.from(m)) ?? null, B: B ?? 0 })
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', NUMPY], { input, encoding: 'utf8' })) as {
    mean: number
    lo: number
    hi: number
  }
}

/** Fixed strata of unequal sizes: per-image FIoU differences (percent), one stratum per (seed, user). */
function fixedStrata(): number[][] {
  const r = mulberry32(42)
  return [31, 35, 40, 30].map((n, k) =>
    Array.from({ length: n }, () => Math.round((r() * 40 - 20 + k * 2) * 1000) / 1000),
  )
}

describe('paired bootstrap', () => {
  it('matches numpy exactly on the same resampling indices', () => {
    const strata = fixedStrata()
    const B = 500
    const idx = bootstrapIndices(
      strata.map((s) => s.length),
      B,
      3,
    )
    const ours = pairedBootstrapWith(strata, idx)
    const ref = numpy(strata, idx, B)
    expect(ours.mean).toBeCloseTo(ref.mean, 10)
    expect(ours.ci95[0]).toBeCloseTo(ref.lo, 9)
    expect(ours.ci95[1]).toBeCloseTo(ref.hi, 9)
    expect(ours.strata).toBe(4)
    expect(ours.images).toBe(136)
  })

  it('agrees with numpy’s own resampling within Monte-Carlo tolerance', () => {
    const strata = fixedStrata()
    const ours = pairedBootstrap(strata, { resamples: 2000, seed: 11 })
    const ref = numpy(strata)
    expect(ours.mean).toBeCloseTo(ref.mean, 10)
    // The CI half-width here is ≈ 1.5; 2000 vs 20000 resamples move a 2.5 % quantile by ≈ 0.1.
    expect(Math.abs(ours.ci95[0] - ref.lo)).toBeLessThan(0.3)
    expect(Math.abs(ours.ci95[1] - ref.hi)).toBeLessThan(0.3)
    expect(ours.ci95[0]).toBeLessThan(ours.mean)
    expect(ours.ci95[1]).toBeGreaterThan(ours.mean)
  })

  it('is reproducible from its seed and weighs strata equally', () => {
    const a = pairedBootstrap([[1, 1, 1], [10]], { seed: 5 })
    // Equal weights per stratum: (1 + 10) / 2, not the pooled image mean 13 / 4.
    expect(a.mean).toBeCloseTo(5.5, 12)
    expect(
      pairedBootstrap(
        [
          [1, 2, 9],
          [4, 0],
        ],
        { seed: 5 },
      ),
    ).toEqual(
      pairedBootstrap(
        [
          [1, 2, 9],
          [4, 0],
        ],
        { seed: 5 },
      ),
    )
  })

  it('pairs by image name and refuses different image sets', () => {
    const base = new Map([
      ['a', 10],
      ['b', 20],
    ])
    expect(
      pairedDiffs(
        new Map([
          ['b', 25],
          ['a', 9],
        ]),
        base,
        'seed 1 id1 advent',
      ),
    ).toEqual([-1, 5])
    expect(() => pairedDiffs(new Map([['a', 9]]), base, 'seed 1 id1 advent')).toThrow(
      /seed 1 id1 advent.*missing b/,
    )
  })

  it('interpolates percentiles as numpy does', () => {
    expect(percentile([0, 10], 25)).toBe(2.5)
    expect(percentile([1, 2, 3, 4], 97.5)).toBeCloseTo(3.925, 12)
  })
})
