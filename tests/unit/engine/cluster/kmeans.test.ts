/** k-means++, silhouette (golden against scikit-learn), automatic K, ARI/purity. */
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { adjustedRandIndex, purity } from './agreement'
import { ClusterError, kmeans } from '../../../../src/main/engine/cluster/kmeans'
import { defaultK, kmeansAutoK, silhouette } from '../../../../src/main/engine/cluster/silhouette'
import { Rng } from '../../../../src/main/engine/train/rng'

const golden = JSON.parse(fs.readFileSync(path.join(__dirname, 'silhouette-golden.json'), 'utf8')) as {
  silhouette: { points: number[][]; labels: number[]; silhouette: number }[]
  ari: { a: number[]; b: number[]; ari: number }[]
}

/** `k` Gaussian blobs of `per` points in `dim` dimensions, centres far apart; returns points + truth. */
function blobs(seed: number, k: number, per: number, dim: number, spread = 0.3) {
  const rng = new Rng(seed)
  const centres = Array.from({ length: k }, () => Array.from({ length: dim }, () => rng.uniform(-10, 10)))
  const points: Float64Array[] = []
  const truth: number[] = []
  // Interleave the blobs so the input order carries no hint.
  for (let i = 0; i < per; i++)
    for (let c = 0; c < k; c++) {
      points.push(Float64Array.from(centres[c]!, (v) => v + rng.normal() * spread))
      truth.push(c)
    }
  return { points, truth }
}

describe('k-means++', () => {
  it('recovers well-separated blobs exactly (ARI 1) and reports a consistent inertia', () => {
    const { points, truth } = blobs(1, 5, 12, 6)
    const r = kmeans(points, 5, { seed: 0 })
    expect(r.k).toBe(5)
    expect(adjustedRandIndex(r.assignments, truth)).toBe(1)
    let inertia = 0
    points.forEach((p, i) => {
      const c = r.centroids[r.assignments[i]!]!
      inertia += p.reduce((s, v, j) => s + (v - c[j]!) ** 2, 0)
    })
    expect(r.inertia).toBeCloseTo(inertia, 8)
  })

  it('is deterministic per seed and keeps the best of several restarts', () => {
    const { points } = blobs(2, 8, 6, 3, 3) // overlapping blobs: starts differ
    const a = kmeans(points, 8, { seed: 5, restarts: 10 })
    const b = kmeans(points, 8, { seed: 5, restarts: 10 })
    expect(b.assignments).toEqual(a.assignments)
    // The first start of seed 5 is the single-start run of seed 5: the kept one is at least as good.
    expect(a.inertia).toBeLessThanOrEqual(kmeans(points, 8, { seed: 5, restarts: 1 }).inertia)
    // Starts do differ on these blobs, so keeping the best is not a no-op.
    const one = [0, 1, 2, 3, 4, 5].map((s) => kmeans(points, 8, { seed: s, restarts: 1 }).inertia)
    expect(Math.max(...one)).toBeGreaterThan(a.inertia)
  })

  it('handles K = 1, K = n and refuses bad K or features by name', () => {
    const { points } = blobs(3, 2, 3, 2)
    expect(kmeans(points, 1, { seed: 0 }).assignments).toEqual(Array(6).fill(0))
    expect(new Set(kmeans(points, 6, { seed: 0 }).assignments).size).toBe(6)
    expect(() => kmeans(points, 7, { seed: 0 })).toThrow('K = 7 is more than the 6 images')
    expect(() => kmeans(points, 0, { seed: 0 })).toThrow(ClusterError)
    expect(() => kmeans([[1, 2], [1]], 1, { seed: 0 })).toThrow('feature vector 1 has 1 values, expected 2')
    expect(() => kmeans([[1, NaN]], 1, { seed: 0 })).toThrow('feature vector 0 holds a non-finite value')
    expect(() => kmeans([], 1, { seed: 0 })).toThrow('no feature vectors')
  })
})

describe('silhouette', () => {
  it('equals scikit-learn silhouette_score on the golden cases', () => {
    for (const c of golden.silhouette) {
      expect(silhouette(c.points, c.labels)).toBeCloseTo(c.silhouette, 10)
    }
  })

  it('picks the true K on blobs (automatic K)', () => {
    for (const [seed, k] of [
      [4, 3],
      [5, 6],
      [6, 9],
    ] as const) {
      const { points, truth } = blobs(seed, k, 8, 5)
      const r = kmeansAutoK(points, { seed: 0, restarts: 4 })
      expect(r.best.k).toBe(k)
      expect(adjustedRandIndex(r.best.assignments, truth)).toBe(1)
      expect(r.scores.map((s) => s.k)[0]).toBe(2)
    }
  })

  it('default K is round(N/8), at least 1', () => {
    expect(defaultK(672)).toBe(84)
    expect(defaultK(24)).toBe(3)
    expect(defaultK(3)).toBe(1)
    expect(defaultK(1)).toBe(1)
  })
})

describe('agreement', () => {
  it('ARI equals scikit-learn adjusted_rand_score; purity counts majority members', () => {
    for (const c of golden.ari) expect(adjustedRandIndex(c.a, c.b)).toBeCloseTo(c.ari, 12)
    expect(purity([0, 0, 0, 1, 1], [5, 5, 6, 7, 7])).toBeCloseTo(4 / 5, 12)
  })
})
