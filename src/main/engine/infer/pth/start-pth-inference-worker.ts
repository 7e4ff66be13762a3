/**
 * Starts a `.pth` prediction in the engine worker thread (same entry as training and run inference), so
 * tfjs, decoding and PNG writing never run on the caller's thread. Imports no tfjs.
 */
import type { FileProblem } from '../../runs/file-dataset'
import { runEngineJob, unexpectedMessage, type EngineJob } from '../../worker/engine-job'
import { parsePthInferRequest, type PthInferRequestInput } from './pth-infer-request'
import type { PthInferOutcome, PthInferProgress, PthInferStarted } from './pth-infer-loop'
import type { FromPthInferWorker, PthInferWorkerData } from './pth-infer-messages'

export interface PthInferenceWorkerOptions {
  onStarted?: (s: PthInferStarted) => void
  onProgress?: (p: PthInferProgress) => void
  onProblem?: (p: FileProblem) => void
  entry?: string
}

export function startPthInferenceWorker(
  rawRequest: PthInferRequestInput,
  opts: PthInferenceWorkerOptions = {},
): EngineJob<PthInferOutcome> {
  const request = parsePthInferRequest(rawRequest)
  const data: PthInferWorkerData = { pthInfer: true, request }
  return runEngineJob<FromPthInferWorker, PthInferOutcome>({
    data,
    entry: opts.entry,
    what: '.pth prediction',
    handle(m) {
      switch (m.type) {
        case 'pth-started':
          opts.onStarted?.(m)
          return undefined
        case 'pth-progress':
          opts.onProgress?.(m)
          return undefined
        case 'problem':
          opts.onProblem?.({ file: m.file, reason: m.reason })
          return undefined
        case 'pth-done':
          return {
            status: m.status,
            predicted: m.predicted,
            skipped: m.skipped,
            msPerImage: m.msPerImage,
            networkMsPerImage: m.networkMsPerImage,
          }
        default:
          return unexpectedMessage(m)
      }
    },
  })
}
