/**
 * Starts snapshot evaluation or prediction in the engine worker thread, so the forward passes, PNG writes
 * and scoring never run on the caller's thread. Imports no tfjs. `cancel()` stops before the next batch.
 */
import type { FileProblem } from '../runs/file-dataset'
import { runEngineJob, unexpectedMessage, type EngineJob } from '../worker/engine-job'
import type { SnapshotOutcome } from './evaluate-snapshots'
import type { FromSnapshotWorker, SnapshotEvaluated, SnapshotWorkerData } from './snapshot-messages'
import { parseSnapshotRequest, type SnapshotRequestInput } from './snapshot-request'

export interface SnapshotWorkerOptions {
  onStarted?: (s: { backend: string; kind: 'train' | 'adapt'; inputSize: number }) => void
  onProgress?: (p: { done: number; total: number; message: string }) => void
  onEvaluated?: (e: SnapshotEvaluated) => void
  onProblem?: (p: FileProblem) => void
  entry?: string
}

export function startSnapshotWorker(raw: SnapshotRequestInput, opts: SnapshotWorkerOptions = {}): EngineJob<SnapshotOutcome> {
  // Validate here too: a bad request fails at the call with a clear message, not inside the thread.
  const data: SnapshotWorkerData = { snapshots: true, request: parseSnapshotRequest(raw) }
  return runEngineJob<FromSnapshotWorker, SnapshotOutcome>({
    data,
    entry: opts.entry,
    what: 'snapshot evaluation',
    handle(m) {
      switch (m.type) {
        case 'snap-started':
          opts.onStarted?.({ backend: m.backend, kind: m.kind, inputSize: m.inputSize })
          return undefined
        case 'snap-progress':
          opts.onProgress?.({ done: m.done, total: m.total, message: m.message })
          return undefined
        case 'snap-evaluated':
          opts.onEvaluated?.({ iteration: m.iteration, parts: m.parts, perImage: m.perImage })
          return undefined
        case 'problem':
          opts.onProblem?.({ file: m.file, reason: m.reason })
          return undefined
        case 'snap-done':
          return { status: m.status, predicted: m.predicted }
        default:
          return unexpectedMessage(m)
      }
    },
  })
}
