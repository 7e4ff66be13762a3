/**
 * Silhouette score (Rousseeuw 1987; sklearn's `silhouette_score`, Euclidean): for each point, a = mean
 * distance to the other members of its cluster, b = the smallest mean distance to another cluster,
 * s = (b − a)/max(a, b), and s = 0 for a point alone in its cluster. The score is the mean over points;
 * defined for 2 ≤ K ≤ n − 1. Plus the automatic choice of K by the best silhouette over a range.
 */
import { ClusterError, kmeans, type KMeansOptions, type KMeansResult } from './kmeans'

/** Pairwise Euclidean distances, row-major n×n (computed once and shared by every candidate K). */
export function distanceMatrix(points: readonly ArrayLike<number>[]): Float64Array {
  const n = points.length
  const m = new Float64Array(n * n)
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const a = points[i]!
      const b = points[j]!
      let s = 0
      for (let t = 0; t < a.length; t++) {
        const d = (a[t] as number) - (b[t] as number)
        s += d * d
      }
      const d = Math.sqrt(s)
      m[i * n + j] = d
      m[j * n + i] = d
    }
  }
  return m
}

export function silhouetteFromDistances(dist: Float64Array, n: number, labels: readonly number[]): number {
  if (labels.length !== n) throw new ClusterError(`silhouette: ${labels.length} labels for ${n} points`)
  const k = Math.max(...labels) + 1
  const sizes = new Array<number>(k).fill(0)
  for (const l of labels) sizes[l]!++
  const used = sizes.filter((s) => s > 0).length
  if (used < 2 || used > n - 1) {
    throw new ClusterError(`silhouette needs 2 to n − 1 clusters (n = ${n}), got ${used}`)
  }
  let total = 0
  const sums = new Float64Array(k)
  for (let i = 0; i < n; i++) {
    const own = labels[i] as number
    if (sizes[own] === 1) continue // s = 0
    sums.fill(0)
    for (let j = 0; j < n; j++) sums[labels[j] as number]! += dist[i * n + j] as number
    const a = (sums[own] as number) / ((sizes[own] as number) - 1)
    let b = Infinity
    for (let c = 0; c < k; c++) {
      if (c === own || sizes[c] === 0) continue
      b = Math.min(b, (sums[c] as number) / (sizes[c] as number))
    }
    const m = Math.max(a, b)
    total += m > 0 ? (b - a) / m : 0
  }
  return total / n
}

export function silhouette(points: readonly ArrayLike<number>[], labels: readonly number[]): number {
  return silhouetteFromDistances(distanceMatrix(points), points.length, labels)
}

/** The paper's group size: K = round(N/8) (≈ one batch of 8 per group), at least 1, at most N. */
export function defaultK(n: number): number {
  return Math.min(n, Math.max(1, Math.round(n / 8)))
}

/** Candidate range of the automatic K: 2 … min(n − 1, max(2, ⌈n/4⌉), 60) (groups of ≥ ~4 images). */
export function autoKRange(n: number): [number, number] {
  return [2, Math.min(n - 1, Math.max(2, Math.ceil(n / 4)), 60)]
}

export interface AutoKResult {
  best: KMeansResult
  silhouette: number
  /** Silhouette of every K tried. */
  scores: { k: number; silhouette: number; inertia: number }[]
}

/** Clusters with every K in [kMin, kMax] and keeps the one of the highest silhouette (ties: smaller K). */
export function kmeansAutoK(
  points: readonly ArrayLike<number>[],
  o: KMeansOptions & { kMin?: number; kMax?: number },
): AutoKResult {
  const n = points.length
  if (n < 3) throw new ClusterError(`choosing K automatically needs at least 3 images, got ${n}`)
  const [lo, hi] = autoKRange(n)
  const kMin = Math.max(2, o.kMin ?? lo)
  const kMax = Math.min(n - 1, o.kMax ?? hi)
  if (kMin > kMax) throw new ClusterError(`no K to try between ${kMin} and ${kMax} for ${n} images`)
  const dist = distanceMatrix(points)
  let best: { r: KMeansResult; s: number } | null = null
  const scores: AutoKResult['scores'] = []
  for (let k = kMin; k <= kMax; k++) {
    const r = kmeans(points, k, o)
    if (r.k < 2) continue // duplicate points collapsed the clustering
    const s = silhouetteFromDistances(dist, n, r.assignments)
    scores.push({ k, silhouette: s, inertia: r.inertia })
    if (!best || s > best.s) best = { r, s }
  }
  if (!best) throw new ClusterError('every image has the same features: there is nothing to cluster')
  return { best: best.r, silhouette: best.s, scores }
}
