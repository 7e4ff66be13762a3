/**
 * Spherical k-means (cosine similarity on unit vectors; Banerjee et al. 2005), the clustering SegSort uses to
 * cut an image's pixel embeddings into segments: seeded k-means++ starts (probability ∝ 1 − cos), then
 * Lloyd steps where each centre is the normalised mean of its points. Pure math on a flat Float32Array
 * (n points × d values, already unit length); no tfjs, so it runs anywhere and is easy to test.
 */
import { Rng } from '../train/rng'

export interface SphericalKMeansResult {
  k: number
  /** Cluster of each point, 0..k−1, renumbered so every cluster is non-empty. */
  assignments: Int32Array
  /** Unit centres, k × d. */
  centres: Float32Array
  iterations: number
}

function dot(a: Float32Array, i: number, b: Float32Array, j: number, d: number): number {
  let s = 0
  for (let t = 0; t < d; t++) s += (a[i * d + t] as number) * (b[j * d + t] as number)
  return s
}

function normalizeRow(a: Float32Array, i: number, d: number): void {
  let s = 0
  for (let t = 0; t < d; t++) s += (a[i * d + t] as number) ** 2
  const inv = s > 0 ? 1 / Math.sqrt(s) : 0
  for (let t = 0; t < d; t++) a[i * d + t] = (a[i * d + t] as number) * inv
}

/**
 * Clusters n unit vectors into at most k clusters (fewer when there are fewer distinct points). Deterministic
 * for a seed. `maxIterations` Lloyd steps at most; stops when no assignment changes.
 */
export function sphericalKMeans(
  points: Float32Array,
  n: number,
  d: number,
  k: number,
  seed: number,
  maxIterations = 20,
): SphericalKMeansResult {
  if (points.length !== n * d)
    throw new Error(`sphericalKMeans: expected ${n * d} values, got ${points.length}`)
  if (n === 0) throw new Error('sphericalKMeans: there are no points to cluster')
  if (!Number.isInteger(k) || k < 1)
    throw new Error(`sphericalKMeans: k must be a positive integer, got ${k}`)
  const rng = new Rng(seed)
  const kk = Math.min(k, n)
  const centres = new Float32Array(kk * d)
  // k-means++ on the cosine distance 1 − cos.
  const first = rng.int(n)
  centres.set(points.subarray(first * d, first * d + d), 0)
  const dist = new Float64Array(n)
  for (let i = 0; i < n; i++) dist[i] = Math.max(0, 1 - dot(points, i, centres, 0, d))
  let have = 1
  while (have < kk) {
    let total = 0
    for (let i = 0; i < n; i++) total += dist[i] as number
    if (total <= 1e-12) break // every point coincides with a centre: fewer clusters
    let r = rng.next() * total
    let pick = n - 1
    for (let i = 0; i < n; i++) {
      r -= dist[i] as number
      if (r <= 0) {
        pick = i
        break
      }
    }
    centres.set(points.subarray(pick * d, pick * d + d), have * d)
    for (let i = 0; i < n; i++)
      dist[i] = Math.min(dist[i] as number, Math.max(0, 1 - dot(points, i, centres, have, d)))
    have++
  }
  const assign = new Int32Array(n).fill(-1)
  let iterations = 0
  for (; iterations < maxIterations; iterations++) {
    let changed = false
    for (let i = 0; i < n; i++) {
      let best = 0
      let bestSim = -Infinity
      for (let c = 0; c < have; c++) {
        const sim = dot(points, i, centres, c, d)
        if (sim > bestSim) {
          bestSim = sim
          best = c
        }
      }
      if (assign[i] !== best) {
        assign[i] = best
        changed = true
      }
    }
    if (!changed && iterations > 0) break
    const sums = new Float32Array(have * d)
    const counts = new Int32Array(have)
    for (let i = 0; i < n; i++) {
      const c = assign[i] as number
      counts[c]!++
      for (let t = 0; t < d; t++)
        sums[c * d + t] = (sums[c * d + t] as number) + (points[i * d + t] as number)
    }
    for (let c = 0; c < have; c++) {
      // An emptied centre keeps its place; it is dropped when numbering below.
      if (counts[c] === 0) continue
      centres.set(sums.subarray(c * d, c * d + d), c * d)
      normalizeRow(centres, c, d)
    }
  }
  // Renumber the non-empty clusters 0..k'−1 in order of first appearance.
  const remap = new Map<number, number>()
  const out = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    const c = assign[i] as number
    let r = remap.get(c)
    if (r === undefined) remap.set(c, (r = remap.size))
    out[i] = r
  }
  const kept = new Float32Array(remap.size * d)
  for (const [c, r] of remap) kept.set(centres.subarray(c * d, c * d + d), r * d)
  return { k: remap.size, assignments: out, centres: kept, iterations }
}
