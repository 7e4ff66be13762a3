/**
 * Starts an album clustering in the engine worker thread (same worker entry as training and inference),
 * so decoding, the encoder's forward passes and k-means never block the caller. Imports no tfjs.
 * `cancel()` stops at the next image batch (status 'cancelled').
 */
import { spawnEngineWorker } from '../worker/spawn-engine-worker'
import type { ToWorker } from '../worker/messages'
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
  const worker = spawnEngineWorker(data, opts.entry)
  let settled = false
  const result = new Promise<ClusterOutcome>((resolve, reject) => {
    const finish = (f: () => void): void => {
      if (settled) return
      settled = true
      f()
      void worker.terminate()
    }
    worker.on('message', (m: FromClusterWorker) => {
      switch (m.type) {
        case 'cluster-progress':
          opts.onProgress?.(m)
          break
        case 'problem':
          opts.onProblem?.({ file: m.file, reason: m.reason })
          break
        case 'cluster-done':
          finish(() => resolve({ status: m.status, assignments: m.assignments, meta: m.meta }))
          break
        case 'error':
          finish(() => reject(new Error(`clustering failed: ${m.message}`)))
          break
        default: {
          const never: never = m
          finish(() => reject(new Error(`unexpected worker message ${JSON.stringify(never)}`)))
        }
      }
    })
    worker.on('error', (e) => finish(() => reject(e)))
    worker.on('exit', (code) =>
      finish(() => reject(new Error(`clustering worker exited with code ${code} before finishing`))),
    )
  })
  return {
    result,
    cancel() {
      if (!settled) worker.postMessage({ type: 'cancel' } satisfies ToWorker)
    },
  }
}
