/**
 * Starts an album clustering in the engine worker thread (same worker entry as training and inference),
 * so decoding, the encoder's forward passes and k-means never block the caller. Imports no tfjs.
 * `cancel()` stops at the next image batch (status 'cancelled').
 */
import { runEngineJob, unexpectedMessage } from '../worker/engine-job'
import type { ClusterProgress } from './cluster-album'
import type { ClusterWorkerData, FromClusterWorker } from './cluster-messages'
import { parseClusterRequest, type ClusterOutcome, type ClusterRequestInput } from './cluster-request'

export interface ClusterWorkerOptions {
  onProgress?: (p: ClusterProgress) => void
  onProblem?: (p: { file: string; reason: string }) => void
  /** Overrides the worker entry file (see `resolveWorkerEntry`). */
  entry?: string
}

export interface ClusterWorkerHandle {
  readonly result: Promise<ClusterOutcome>
  cancel(): void
}

export function startClusterWorker(
  raw: ClusterRequestInput,
  opts: ClusterWorkerOptions = {},
): ClusterWorkerHandle {
  // Validate here too: a bad request fails at the call with a clear message, not inside the thread.
  const request = parseClusterRequest(raw)
  const data: ClusterWorkerData = { cluster: true, request }
  return runEngineJob<FromClusterWorker, ClusterOutcome>({
    data,
    entry: opts.entry,
    what: 'clustering',
    handle(m) {
      switch (m.type) {
        case 'cluster-progress':
          opts.onProgress?.(m)
          return undefined
        case 'problem':
          opts.onProblem?.({ file: m.file, reason: m.reason })
          return undefined
        case 'cluster-done':
          return { status: m.status, assignments: m.assignments, meta: m.meta }
        default:
          return unexpectedMessage(m)
      }
    },
  })
}
