/** Messages between the main thread and the engine worker for an album clustering (structured-clone data). */
import type { ClusterProgress } from './cluster-album'
import type { ClusterOutcome } from './cluster-request'

/** `workerData` of a clustering (the request is validated again in the worker). */
export interface ClusterWorkerData {
  cluster: true
  request: unknown
  /**
   * Set for a 2-D embedding of the features instead of a clustering (see embed-worker.ts). `encoder`:
   * lay out a trained run's encoder features (its folder, the backend to run it on) instead of colour.
   */
  embed?: { method: 'umap' | 'pca'; seed: number; encoder?: { runDir: string; backend: string } }
}

export function isClusterWorkerData(d: unknown): d is ClusterWorkerData {
  return typeof d === 'object' && d !== null && (d as { cluster?: unknown }).cluster === true
}

export type FromClusterWorker =
  | ({ type: 'cluster-progress' } & ClusterProgress)
  | { type: 'problem'; file: string; reason: string }
  | ({ type: 'cluster-done' } & ClusterOutcome)
  | { type: 'error'; message: string; stack?: string }
