/**
 * k-means with k-means++ seeding (Arthur & Vassilvitskii 2007) and several seeded restarts, keeping the
 * run of lowest inertia (sum of squared distances to the assigned centroid) — what the released PSS code
 * does with sklearn (k-means++, 10 restarts, seed 0). Pure math on plain arrays: no tfjs, no I/O.
 */
import { Rng } from '../train/rng'

export interface KMeansOptions {
  seed: number
  /** Independent k-means++ starts; the best (lowest inertia) is kept. Default 10. */
  restarts?: number
  /** Lloyd iterations per start. Default 300. */
  maxIterations?: number
  /** Stop when no centroid moves more than this (squared distance). Default 1e-10. */
  tolerance?: number
}

export interface KMeansResult {
  k: number
  /** Cluster of each point, 0..k−1; every cluster is non-empty. */
  assignments: number[]
  centroids: Float64Array[]
  inertia: number
  /** Lloyd iterations of the kept start. */
  iterations: number
}

export class ClusterError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ClusterError'
  }
}

export function squaredDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] as number) - (b[i] as number)
    s += d * d
  }
  return s
}

function checkPoints(points: readonly ArrayLike<number>[]): number {
  if (points.length === 0) throw new ClusterError('there are no feature vectors to cluster')
  const dim = points[0]!.length
  if (dim === 0) throw new ClusterError('feature vectors are empty')
  points.forEach((p, i) => {
    if (p.length !== dim)
      throw new ClusterError(`feature vector ${i} has ${p.length} values, expected ${dim}`)
    for (let j = 0; j < dim; j++) {
      if (!Number.isFinite(p[j] as number))
        throw new ClusterError(`feature vector ${i} holds a non-finite value`)
    }
  })
  return dim
}

/** k-means++ seeding: the first centre uniformly, each next one with probability ∝ D(x)². */
function seedCentroids(points: readonly ArrayLike<number>[], k: number, rng: Rng): Float64Array[] {
  const n = points.length
  const centres: Float64Array[] = [Float64Array.from(points[rng.int(n)]!)]
  const d2 = points.map((p) => squaredDistance(p, centres[0]!))
  while (centres.length < k) {
    const total = d2.reduce((a, b) => a + b, 0)
    let pick: number
    if (total <= 0) {
      // All remaining points coincide with a centre: take any point not yet chosen.
      pick = rng.int(n)
    } else {
      let r = rng.next() * total
      pick = n - 1
      for (let i = 0; i < n; i++) {
        r -= d2[i] as number
        if (r < 0) {
          pick = i
          break
        }
      }
    }
    const c = Float64Array.from(points[pick]!)
    centres.push(c)
    for (let i = 0; i < n; i++) d2[i] = Math.min(d2[i] as number, squaredDistance(points[i]!, c))
  }
  return centres
}

function lloyd(
  points: readonly ArrayLike<number>[],
  centres: Float64Array[],
  maxIterations: number,
  tolerance: number,
): { assignments: number[]; inertia: number; iterations: number } {
  const n = points.length
  const k = centres.length
  const dim = centres[0]!.length
  const assignments = new Array<number>(n).fill(0)
  let iterations = 0
  for (; iterations < maxIterations; iterations++) {
    for (let i = 0; i < n; i++) {
      let best = 0
      let bestD = Infinity
      for (let c = 0; c < k; c++) {
        const d = squaredDistance(points[i]!, centres[c]!)
        if (d < bestD) {
          bestD = d
          best = c
        }
      }
      assignments[i] = best
    }
    const sums = Array.from({ length: k }, () => new Float64Array(dim))
    const counts = new Array<number>(k).fill(0)
    for (let i = 0; i < n; i++) {
      const c = assignments[i] as number
      counts[c]!++
      const p = points[i]!
      const s = sums[c]!
      for (let j = 0; j < dim; j++) s[j]! += p[j] as number
    }
    // An empty cluster takes the point farthest from its current centroid (sklearn's relocation).
    for (let c = 0; c < k; c++) {
      if (counts[c] !== 0) continue
      let far = 0
      let farD = -1
      for (let i = 0; i < n; i++) {
        const a = assignments[i] as number
        if (counts[a]! <= 1) continue
        const d = squaredDistance(points[i]!, centres[a]!)
        if (d > farD) {
          farD = d
          far = i
        }
      }
      const from = assignments[far] as number
      const p = points[far]!
      for (let j = 0; j < dim; j++) {
        sums[from]![j]! -= p[j] as number
        sums[c]![j] = p[j] as number
      }
      counts[from]!--
      counts[c] = 1
      assignments[far] = c
    }
    let shift = 0
    for (let c = 0; c < k; c++) {
      const next = sums[c]!.map((v) => v / (counts[c] as number))
      shift = Math.max(shift, squaredDistance(next, centres[c]!))
      centres[c] = next
    }
    if (shift <= tolerance) {
      iterations++
      break
    }
  }
  // Final assignment against the final centroids, and its inertia.
  let inertia = 0
  for (let i = 0; i < n; i++) {
    let best = assignments[i] as number
    let bestD = squaredDistance(points[i]!, centres[best]!)
    for (let c = 0; c < k; c++) {
      const d = squaredDistance(points[i]!, centres[c]!)
      if (d < bestD) {
        bestD = d
        best = c
      }
    }
    assignments[i] = best
    inertia += bestD
  }
  return { assignments, inertia, iterations }
}

/** Renumbers clusters 0..k'−1 in order of first appearance and drops empty ones. */
function compact(
  assignments: number[],
  centroids: Float64Array[],
): { assignments: number[]; centroids: Float64Array[] } {
  const map = new Map<number, number>()
  const out = assignments.map((a) => {
    let m = map.get(a)
    if (m === undefined) {
      m = map.size
      map.set(a, m)
    }
    return m
  })
  const cs: Float64Array[] = []
  for (const [old] of map) cs.push(centroids[old]!)
  return { assignments: out, centroids: cs }
}

export function kmeans(points: readonly ArrayLike<number>[], k: number, o: KMeansOptions): KMeansResult {
  checkPoints(points)
  const n = points.length
  if (!Number.isInteger(k) || k < 1) throw new ClusterError(`K must be an integer ≥ 1, got ${k}`)
  if (k > n) throw new ClusterError(`K = ${k} is more than the ${n} images to cluster`)
  const restarts = o.restarts ?? 10
  if (!Number.isInteger(restarts) || restarts < 1)
    throw new ClusterError(`restarts must be ≥ 1, got ${restarts}`)
  const rng = new Rng(o.seed)
  let best: KMeansResult | null = null
  for (let r = 0; r < restarts; r++) {
    const centres = seedCentroids(points, k, rng)
    const run = lloyd(points, centres, o.maxIterations ?? 300, o.tolerance ?? 1e-10)
    if (!best || run.inertia < best.inertia) {
      const c = compact(run.assignments, centres)
      best = {
        k: c.centroids.length,
        assignments: c.assignments,
        centroids: c.centroids,
        inertia: run.inertia,
        iterations: run.iterations,
      }
    }
  }
  return best as KMeansResult
}
