/**
 * Starts a training run in a `worker_threads` Worker, so the main thread stays responsive while each
 * step blocks the worker's thread for 0.1–3 s. `cancel()` asks the worker to stop before its next step
 * (the result then has status 'cancelled'); `terminate()` kills it at once (status 'killed') — the run
 * folder keeps its last complete checkpoint, and `resume: true` continues from there.
 */
import type { LossPoint } from '../runs/checkpoint'
import type { FileProblem } from '../runs/file-dataset'
import { parseTrainConfig } from '../runs/train-config'
import type { TrainCheckpoint, TrainProgress, TrainStarted } from '../runs/train-loop'
import type { FromWorker, TrainingWorkerData } from './messages'
import { runEngineJob, unexpectedMessage } from './engine-job'

export { resolveWorkerEntry, WORKER_BASENAME } from './spawn-engine-worker'

export interface TrainingResult {
  status: 'done' | 'cancelled' | 'killed'
  /** The last completed iteration. */
  iteration: number
  /** Losses of the iterations this run knows (a resumed run includes those before its checkpoint). */
  losses: LossPoint[]
}

export interface TrainingWorkerOptions {
  /** Continue from the run folder's latest checkpoint instead of starting fresh. */
  resume?: boolean
  onStarted?: (s: TrainStarted) => void
  onProgress?: (p: TrainProgress) => void
  onCheckpoint?: (c: TrainCheckpoint) => void
  /** A training file that was skipped, and why. */
  onProblem?: (p: FileProblem) => void
  /** Overrides the worker entry file (see `resolveWorkerEntry`). */
  entry?: string
}

export interface TrainingWorkerHandle {
  readonly result: Promise<TrainingResult>
  /** Stop before the next step; `result` resolves with status 'cancelled'. */
  cancel(): void
  /** Kill the thread now (as a crash would); `result` resolves with status 'killed'. */
  terminate(): Promise<void>
}

export function startTrainingWorker(
  rawConfig: unknown,
  opts: TrainingWorkerOptions = {},
): TrainingWorkerHandle {
  // Validate here too, so a bad config fails at the call with a clear message, not inside the thread.
  const config = parseTrainConfig(rawConfig)
  const data: TrainingWorkerData = { config, resume: opts.resume === true }
  let lastIteration = 0
  const seen: LossPoint[] = []
  return runEngineJob<FromWorker, TrainingResult>({
    data,
    entry: opts.entry,
    what: 'training',
    killedResult: () => ({ status: 'killed', iteration: lastIteration, losses: seen }),
    handle(m) {
      switch (m.type) {
        case 'started':
          lastIteration = m.fromIteration
          opts.onStarted?.(m)
          return undefined
        case 'progress':
          lastIteration = m.iteration
          seen.push({ iteration: m.iteration, loss: m.loss })
          opts.onProgress?.(m)
          return undefined
        case 'checkpoint':
          opts.onCheckpoint?.({ iteration: m.iteration, path: m.path })
          return undefined
        case 'problem':
          opts.onProblem?.({ file: m.file, reason: m.reason })
          return undefined
        case 'done':
          return { status: m.status, iteration: m.iteration, losses: m.losses }
        default:
          return unexpectedMessage(m)
      }
    },
  })
}
