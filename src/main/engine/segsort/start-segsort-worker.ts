/**
 * Starts a SegSort run in the engine worker thread (the same entry as training and inference). `cancel()`
 * stops before the next step or image. Imports no tfjs.
 */
import type { FileProblem } from '../runs/file-dataset'
import { runEngineJob, unexpectedMessage } from '../worker/engine-job'
import { parseSegsortConfig, type SegsortConfigInput } from './segsort-config'
import type { FromSegsortWorker, SegsortWorkerData } from './segsort-messages'
import type { SegsortOutcome, SegsortProgress, SegsortStarted } from './segsort-run'

export interface SegsortWorkerOptions {
  onStarted?: (s: SegsortStarted) => void
  onProgress?: (p: SegsortProgress) => void
  onProblem?: (p: FileProblem) => void
  entry?: string
}

export interface SegsortWorkerHandle {
  readonly result: Promise<SegsortOutcome>
  cancel(): void
}

export function startSegsortWorker(raw: SegsortConfigInput, opts: SegsortWorkerOptions = {}): SegsortWorkerHandle {
  const data: SegsortWorkerData = { segsort: true, config: parseSegsortConfig(raw) }
  return runEngineJob<FromSegsortWorker, SegsortOutcome>({
    data,
    entry: opts.entry,
    what: 'SegSort',
    handle(m) {
      switch (m.type) {
        case 'segsort-started':
          opts.onStarted?.(m)
          return undefined
        case 'segsort-progress':
          opts.onProgress?.(m)
          return undefined
        case 'problem':
          opts.onProblem?.({ file: m.file, reason: m.reason })
          return undefined
        case 'segsort-done':
          return { status: m.status, losses: m.losses, bankEntries: m.bankEntries, predicted: m.predicted }
        default:
          return unexpectedMessage(m)
      }
    },
  })
}
