/**
 * Clusters an album's images: features (colour descriptor or a checkpoint's encoder), then seeded
 * k-means++ with restarts at the asked K, the default K = round(N/8), or the K of the best silhouette.
 * Runs on whatever thread calls it (the engine worker in the app); an unreadable image is reported by name
 * and left out, the rest are clustered.
 */
import {
  COLOR_FEATURE_LENGTH,
  COLOR_FEATURE_SIDE,
  COLOR_FEATURES_VERSION,
  colorFeaturesOfFile,
} from './color-features'
import type { ClusteringMeta, ClusterOutcome, ClusterRequest, FeatureRecord } from './cluster-request'
import type { FeatureHooks } from './encoder-features'
import { ClusterError, kmeans, type KMeansResult } from './kmeans'
import { defaultK, kmeansAutoK, silhouette } from './silhouette'

export interface ClusterProgress {
  phase: 'features' | 'kmeans'
  done: number
  total: number
}

export interface ClusterHooks {
  shouldStop(): boolean
  onProgress?(p: ClusterProgress): void
  onProblem?(p: { file: string; reason: string }): void
}

/** Restarts per candidate while searching K (the chosen K is then re-run with all restarts). */
const SEARCH_RESTARTS = 3

/** Colour descriptors of the images (also used by the embedding map, embed-in-worker.ts). */
export async function colorFeatures(
  images: ClusterRequest['images'],
  hooks: FeatureHooks,
): Promise<{ features: Map<number, Float64Array>; record: FeatureRecord } | null> {
  const features = new Map<number, Float64Array>()
  let done = 0
  for (const img of images) {
    if (done % 16 === 0) {
      await new Promise((r) => setImmediate(r))
      if (hooks.shouldStop()) return null
    }
    try {
      features.set(img.id, await colorFeaturesOfFile(img.path))
    } catch (e) {
      hooks.onProblem(img.path, `cannot decode the image: ${e instanceof Error ? e.message : String(e)}`)
    }
    hooks.onProgress(++done)
  }
  return {
    features,
    record: {
      kind: 'color',
      version: COLOR_FEATURES_VERSION,
      side: COLOR_FEATURE_SIDE,
      length: COLOR_FEATURE_LENGTH,
    },
  }
}

export async function runClustering(req: ClusterRequest, hooks: ClusterHooks): Promise<ClusterOutcome> {
  const t0 = performance.now()
  const total = req.images.length
  const featureHooks: FeatureHooks = {
    onProgress: (done) => hooks.onProgress?.({ phase: 'features', done, total }),
    onProblem: (file, reason) => hooks.onProblem?.({ file, reason }),
    shouldStop: () => hooks.shouldStop(),
  }
  const got =
    req.features === 'encoder'
      ? await (
          await import('./encoder-features')
        ).encoderFeatures(req.images, req.runDir as string, req.backend, featureHooks)
      : await colorFeatures(req.images, featureHooks)
  if (!got) return { status: 'cancelled', assignments: [], meta: null }
  const ids = req.images.map((i) => i.id).filter((id) => got.features.has(id))
  const points = ids.map((id) => got.features.get(id) as Float64Array)
  const n = points.length
  if (n === 0) throw new ClusterError('no image of the album could be read, so there is nothing to cluster')
  hooks.onProgress?.({ phase: 'kmeans', done: 0, total: 1 })
  const opts = { seed: req.seed, restarts: req.restarts }
  let result: KMeansResult
  let autoK: ClusteringMeta['autoK']
  if (req.k === 'auto') {
    if (n < 3) {
      result = kmeans(points, 1, opts)
    } else {
      const search = kmeansAutoK(points, { ...opts, restarts: Math.min(req.restarts, SEARCH_RESTARTS) })
      autoK = search.scores.map((s) => ({ k: s.k, silhouette: s.silhouette }))
      result = kmeans(points, search.best.k, opts)
    }
  } else {
    const k = req.k === 'default' ? defaultK(n) : req.k
    if (k > n) throw new ClusterError(`K = ${k} is more than the ${n} images that could be read`)
    result = kmeans(points, k, opts)
  }
  hooks.onProgress?.({ phase: 'kmeans', done: 1, total: 1 })
  const sil = result.k >= 2 && result.k <= n - 1 ? silhouette(points, result.assignments) : null
  const meta: ClusteringMeta = {
    method: 'kmeans++',
    features: got.record,
    kRequested: req.k,
    k: result.k,
    seed: req.seed,
    restarts: req.restarts,
    inertia: result.inertia,
    silhouette: sil,
    ...(autoK ? { autoK } : {}),
    images: n,
    skipped: total - n,
    seconds: (performance.now() - t0) / 1000,
  }
  return { status: 'done', assignments: ids.map((id, i) => [id, result.assignments[i] as number]), meta }
}
