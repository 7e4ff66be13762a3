/**
 * Starts an inference run in the engine worker thread (the same worker entry as training, see
 * ../worker/spawn-engine-worker.ts), so decoding, the forward passes and PNG writing never block the
 * caller's thread. Imports no tfjs. `cancel()` stops before the next batch (status 'cancelled').
 */
import type { FileProblem } from '../runs/file-dataset'
import { spawnEngineWorker } from '../worker/spawn-engine-worker'
import type { ToWorker } from '../worker/messages'
import { parseInferRequest, type InferRequestInput } from './infer-request'
import type { InferOutcome, InferProgress, InferStarted } from './infer-loop'
import type { FromInferWorker, InferWorkerData } from './infer-messages'

export interface InferenceWorkerOptions {
  onStarted?: (s: InferStarted) => void
  onProgress?: (p: InferProgress) => void
  /** An image that was skipped, and why. */
  onProblem?: (p: FileProblem) => void
  /** Overrides the worker entry file (see `resolveWorkerEntry`). */
  entry?: string
}

export interface InferenceWorkerHandle {
  readonly result: Promise<InferOutcome>
  cancel(): void
}

export function startInferenceWorker(
  rawRequest: InferRequestInput,
  opts: InferenceWorkerOptions = {},
): InferenceWorkerHandle {
  // Validate here too: a bad request fails at the call with a clear message, not inside the thread.
  const request = parseInferRequest(rawRequest)
  const data: InferWorkerData = { infer: true, request }
  const worker = spawnEngineWorker(data, opts.entry)
  let settled = false
  const result = new Promise<InferOutcome>((resolve, reject) => {
    const finish = (f: () => void): void => {
      if (settled) return
      settled = true
      f()
      void worker.terminate()
    }
    worker.on('message', (m: FromInferWorker) => {
      switch (m.type) {
        case 'infer-started':
          opts.onStarted?.(m)
          break
        case 'infer-progress':
          opts.onProgress?.(m)
          break
        case 'problem':
          opts.onProblem?.({ file: m.file, reason: m.reason })
          break
        case 'infer-done':
          finish(() =>
            resolve({
              status: m.status,
              predicted: m.predicted,
              skipped: m.skipped,
              options: m.options,
              cost: m.cost,
            }),
          )
          break
        case 'error':
          finish(() => reject(new Error(`inference failed: ${m.message}`)))
          break
        default: {
          const never: never = m
          finish(() => reject(new Error(`unexpected worker message ${JSON.stringify(never)}`)))
        }
      }
    })
    worker.on('error', (e) => finish(() => reject(e)))
    worker.on('exit', (code) =>
      finish(() => reject(new Error(`inference worker exited with code ${code} before finishing`))),
    )
  })
  return {
    result,
    cancel() {
      if (!settled) worker.postMessage({ type: 'cancel' } satisfies ToWorker)
    },
  }
}
