/**
 * Starts an inference run in the engine worker thread (the same worker entry as training, see
 * ../worker/spawn-engine-worker.ts), so decoding, the forward passes and PNG writing never block the
 * caller's thread. Imports no tfjs. `cancel()` stops before the next batch (status 'cancelled').
 */
import type { FileProblem } from '../runs/file-dataset'
import { runEngineJob, unexpectedMessage } from '../worker/engine-job'
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
  return runEngineJob<FromInferWorker, InferOutcome>({
    data,
    entry: opts.entry,
    what: 'inference',
    handle(m) {
      switch (m.type) {
        case 'infer-started':
          opts.onStarted?.(m)
          return undefined
        case 'infer-progress':
          opts.onProgress?.(m)
          return undefined
        case 'problem':
          opts.onProblem?.({ file: m.file, reason: m.reason })
          return undefined
        case 'infer-done':
          return { status: m.status, predicted: m.predicted, skipped: m.skipped, options: m.options, cost: m.cost }
        default:
          return unexpectedMessage(m)
      }
    },
  })
}
