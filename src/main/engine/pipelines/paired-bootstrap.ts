/**
 * The paired comparison of a method with No-DA (docs/method.md §10 "Statistics"): per stratum (one seed × one
 * user) the per-image differences of a score (method − No-DA) on the same validation images; the estimate
 * is the mean over strata of each stratum's mean difference, and its 95 % CI is a percentile bootstrap
 * over images — each resample draws every stratum's images with replacement within that stratum, so a
 * user with more validation images does not weigh more, and seeds / users are never mixed.
 * Pure: the resampling indices come from a seeded PRNG (mulberry32), so a bench prints the same CI again.
 */
import { mulberry32 } from '../../../shared/stratified-sample'

export interface PairedCi {
  /** Mean over strata of the per-stratum mean difference (same units as the scores). */
  mean: number
  /** 2.5th and 97.5th percentiles of the bootstrap distribution of `mean`. */
  ci95: [number, number]
  /** Strata and images (over all strata) the estimate used. */
  strata: number
  images: number
  resamples: number
}

export const DEFAULT_RESAMPLES = 2000

/**
 * Per-image differences `method − base` on the images both scored, in `base`'s name order. Throws when
 * the two sets differ: a paired difference on different images would not be paired.
 */
export function pairedDiffs(
  method: ReadonlyMap<string, number>,
  base: ReadonlyMap<string, number>,
  label: string,
): number[] {
  const missing = [...base.keys()].filter((n) => !method.has(n))
  const extra = [...method.keys()].filter((n) => !base.has(n))
  if (missing.length || extra.length)
    throw new Error(
      `${label}: the paired images differ from No-DA's (missing ${missing.slice(0, 3).join(', ') || 'none'}; ` +
        `extra ${extra.slice(0, 3).join(', ') || 'none'})`,
    )
  return [...base.entries()].map(([n, b]) => method.get(n)! - b)
}

/** Resampling indices: per stratum a `resamples × n` row-major matrix of image indices in [0, n). */
export function bootstrapIndices(sizes: readonly number[], resamples: number, seed: number): Int32Array[] {
  if (!Number.isInteger(resamples) || resamples < 1)
    throw new RangeError(`bootstrap resamples must be an integer ≥ 1, got ${resamples}`)
  const rand = mulberry32(seed)
  return sizes.map((n) => {
    const m = new Int32Array(resamples * n)
    for (let i = 0; i < m.length; i++) m[i] = Math.floor(rand() * n)
    return m
  })
}

/** Percentile with linear interpolation between order statistics (numpy's default method). */
export function percentile(sorted: Float64Array | readonly number[], q: number): number {
  const n = sorted.length
  if (n === 0) return Number.NaN
  const pos = (q / 100) * (n - 1)
  const lo = Math.floor(pos)
  const hi = Math.min(n - 1, lo + 1)
  const f = pos - lo
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * f
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length

/** The paired estimate and its bootstrap CI for given resampling indices (see bootstrapIndices). */
export function pairedBootstrapWith(
  strata: readonly (readonly number[])[],
  indices: readonly Int32Array[],
): PairedCi {
  const used = strata.filter((s) => s.length > 0)
  if (used.length === 0) throw new Error('paired bootstrap: no stratum has an image')
  if (indices.length !== used.length)
    throw new Error('paired bootstrap: one index matrix per non-empty stratum')
  const resamples = indices[0]!.length / used[0]!.length
  const stats = new Float64Array(resamples)
  used.forEach((s, k) => {
    const idx = indices[k]!
    const n = s.length
    if (idx.length !== resamples * n)
      throw new Error(`paired bootstrap: stratum ${k} has a wrong index matrix`)
    for (let b = 0; b < resamples; b++) {
      let sum = 0
      for (let i = 0; i < n; i++) sum += s[idx[b * n + i]!]!
      stats[b]! += sum / n / used.length
    }
  })
  stats.sort()
  return {
    mean: mean(used.map(mean)),
    ci95: [percentile(stats, 2.5), percentile(stats, 97.5)],
    strata: used.length,
    images: used.reduce((a, s) => a + s.length, 0),
    resamples,
  }
}

/** The paired estimate over strata with a seeded bootstrap CI (default 2000 resamples). */
export function pairedBootstrap(
  strata: readonly (readonly number[])[],
  opts: { resamples?: number; seed?: number } = {},
): PairedCi {
  const used = strata.filter((s) => s.length > 0)
  const idx = bootstrapIndices(
    used.map((s) => s.length),
    opts.resamples ?? DEFAULT_RESAMPLES,
    opts.seed ?? 1,
  )
  return pairedBootstrapWith(used, idx)
}
