/**
 * Starts a co-segmentation in the engine worker thread (the same worker entry as training and
 * inference), so decoding, the forward passes and the CRF never block the caller's thread. Imports no
 * tfjs. `cancel()` stops before the next group or image (status 'cancelled'); groups already handed to
 * `onGroup` stay handed.
 */
import type { FileProblem } from '../runs/file-dataset'
import { runEngineJob, unexpectedMessage, type EngineJob } from '../worker/engine-job'
import type { CosegWorkerData, FromCosegWorker } from './coseg-messages'
import {
  parseCosegRequest,
  type CosegGroupResult,
  type CosegOutcome,
  type CosegProgress,
  type CosegRequestInput,
} from './coseg-request'

export interface CosegWorkerOptions {
  /** One group's proposals (PNG bytes at each image's size); called in group order. */
  onGroup: (g: CosegGroupResult) => void
  onProgress?: (p: CosegProgress) => void
  /** An image that was skipped, and why. */
  onProblem?: (p: FileProblem) => void
  /** Overrides the worker entry file (see `resolveWorkerEntry`). */
  entry?: string
}

export function startCosegWorker(raw: CosegRequestInput, opts: CosegWorkerOptions): EngineJob<CosegOutcome> {
  // Validate here too: a bad request fails at the call with a clear message, not inside the thread.
  const request = parseCosegRequest(raw)
  const data: CosegWorkerData = { coseg: true, request }
  return runEngineJob<FromCosegWorker, CosegOutcome>({
    data,
    entry: opts.entry,
    what: 'co-segmentation',
    handle(m) {
      switch (m.type) {
        case 'coseg-group':
          opts.onGroup({ group: m.group, proposals: m.proposals, prototypes: m.prototypes })
          return undefined
        case 'coseg-progress':
          opts.onProgress?.({ done: m.done, total: m.total, groupsDone: m.groupsDone, groups: m.groups })
          return undefined
        case 'problem':
          opts.onProblem?.({ file: m.file, reason: m.reason })
          return undefined
        case 'coseg-done':
          return { status: m.status, proposed: m.proposed, skipped: m.skipped, iteration: m.iteration, seconds: m.seconds }
        default:
          return unexpectedMessage(m)
      }
    },
  })
}
