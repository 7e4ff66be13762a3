/**
 * 2-D layouts of image feature vectors for the embedding map: seeded UMAP (umap-js) or PCA (the top two
 * principal axes by power iteration, deterministic). Coordinates are normalised to [0, 1] on each axis,
 * so the renderer needs no bounds. Pure apart from umap-js; runs on whatever thread calls it (the engine
 * worker in the app).
 */
import { UMAP } from 'umap-js'
import { mulberry32 } from '../../../shared/stratified-sample'

export type EmbedMethod = 'umap' | 'pca'

export interface Layout2d {
  x: Float64Array
  y: Float64Array
  /** What was actually used: UMAP needs more points than neighbours, else PCA. */
  method: EmbedMethod
}

/** mulberry32: a small seeded PRNG in [0, 1) (UMAP's init and sampling must not depend on Math.random). */
export const seededRandom: (seed: number) => () => number = mulberry32

/** Rescales to [0, 1] (a constant axis maps to 0.5). */
export function normalise01(v: Float64Array): Float64Array {
  let lo = Infinity
  let hi = -Infinity
  for (const x of v) {
    if (x < lo) lo = x
    if (x > hi) hi = x
  }
  const span = hi - lo
  return v.map((x) => (span > 0 ? (x - lo) / span : 0.5))
}

/**
 * Projections of the centred points on their top two principal axes (power iteration with deflation on
 * the covariance; the sign of each axis is fixed so the largest |loading| is positive — deterministic).
 */
export function pca2(points: readonly Float64Array[]): { x: Float64Array; y: Float64Array } {
  const n = points.length
  const d = points[0]?.length ?? 0
  const mean = new Float64Array(d)
  for (const p of points) for (let j = 0; j < d; j++) mean[j]! += p[j]! / n
  const centred = points.map((p) => p.map((v, j) => v - mean[j]!))
  const cov = new Float64Array(d * d)
  for (const p of centred)
    for (let i = 0; i < d; i++) {
      const pi = p[i]!
      if (pi === 0) continue
      for (let j = 0; j < d; j++) cov[i * d + j]! += pi * p[j]!
    }
  const axes: Float64Array[] = []
  for (let axis = 0; axis < 2; axis++) {
    let v = new Float64Array(d).map((_, j) => 1 / Math.sqrt(d) + (j % 7) * 1e-3)
    for (let it = 0; it < 200; it++) {
      const w = new Float64Array(d)
      for (let i = 0; i < d; i++) {
        let s = 0
        for (let j = 0; j < d; j++) s += cov[i * d + j]! * v[j]!
        w[i] = s
      }
      for (const u of axes) {
        const dot = w.reduce((s, x, j) => s + x * u[j]!, 0)
        for (let j = 0; j < d; j++) w[j]! -= dot * u[j]!
      }
      const norm = Math.hypot(...w)
      if (norm === 0) break
      const next = w.map((x) => x / norm)
      const delta = next.reduce((s, x, j) => s + Math.abs(x - v[j]!), 0)
      v = next
      if (delta < 1e-10) break
    }
    let big = 0
    for (let j = 1; j < d; j++) if (Math.abs(v[j]!) > Math.abs(v[big]!)) big = j
    if ((v[big] ?? 0) < 0) v = v.map((x) => -x)
    axes.push(v)
  }
  const project = (u: Float64Array | undefined): Float64Array =>
    new Float64Array(centred.map((p) => (u ? p.reduce((s, x, j) => s + x * u[j]!, 0) : 0)))
  return { x: project(axes[0]), y: project(axes[1]) }
}

export interface EmbedOptions {
  method: EmbedMethod
  seed: number
  /** Called between UMAP epochs; returning true stops early (cancel). */
  shouldStop?: () => boolean
}

/** Lays the points out in 2-D; null when stopped. */
export async function embed2d(points: readonly Float64Array[], opts: EmbedOptions): Promise<Layout2d | null> {
  const n = points.length
  if (n === 0) return { x: new Float64Array(0), y: new Float64Array(0), method: opts.method }
  const nNeighbors = Math.min(15, n - 1)
  if (opts.method === 'pca' || nNeighbors < 2 || n < 5) {
    const { x, y } = pca2(points)
    return { x: normalise01(x), y: normalise01(y), method: 'pca' }
  }
  const umap = new UMAP({ nComponents: 2, nNeighbors, minDist: 0.1, random: seededRandom(opts.seed) })
  let stopped = false
  const out = await umap.fitAsync(
    points.map((p) => Array.from(p)),
    () => {
      stopped = opts.shouldStop?.() ?? false
      return !stopped
    },
  )
  if (stopped) return null
  return {
    x: normalise01(new Float64Array(out.map((p) => p[0] ?? 0))),
    y: normalise01(new Float64Array(out.map((p) => p[1] ?? 0))),
    method: 'umap',
  }
}
