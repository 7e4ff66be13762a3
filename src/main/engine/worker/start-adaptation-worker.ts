/**
 * Starts an adaptation run in the engine worker thread (same entry as training and inference), so the
 * steps never block the caller's thread. `cancel()` stops before the next step (status 'cancelled');
 * `terminate()` kills the thread (status 'killed') — the run keeps its last complete checkpoint and
 * `resume: true` continues from there. Imports no tfjs.
 */
import { parseAdaptConfig } from '../methods/adapt-config'
import type { AdaptCheckpoint, AdaptProgress, AdaptStarted, AdaptStopped } from '../methods/adapt-loop'
import type { AdaptLossPoint } from '../methods/adapt-checkpoint'
import type { PseudoSummary } from '../methods/pseudo-labels'
import type { FileProblem } from '../runs/file-dataset'
import type { AdaptPredictAlbum, AdaptWorkerData, FromAdaptWorker } from './adapt-messages'
import { runEngineJob, unexpectedMessage } from './engine-job'

export interface AdaptationResult {
  status: 'done' | 'cancelled' | 'killed'
  iteration: number
  losses: AdaptLossPoint[]
  /** The collapse detector ended the stage early (status 'done'). */
  stopped?: AdaptStopped
}

export interface AdaptationWorkerOptions {
  resume?: boolean
  /** Albums to predict with the final model (after a run that finished). */
  predict?: { batch: number; albums: AdaptPredictAlbum[] }
  onStarted?: (s: AdaptStarted) => void
  onProgress?: (p: AdaptProgress) => void
  onCheckpoint?: (c: AdaptCheckpoint) => void
  onPseudo?: (s: PseudoSummary) => void
  onPredicted?: (p: { outDir: string; images: number }) => void
  onProblem?: (p: FileProblem) => void
  entry?: string
}

export interface AdaptationWorkerHandle {
  readonly result: Promise<AdaptationResult>
  cancel(): void
  terminate(): Promise<void>
}

export function startAdaptationWorker(
  rawConfig: unknown,
  opts: AdaptationWorkerOptions = {},
): AdaptationWorkerHandle {
  const config = parseAdaptConfig(rawConfig)
  const data: AdaptWorkerData = {
    adapt: true,
    config,
    resume: opts.resume === true,
    predict: opts.predict ?? null,
  }
  let lastIteration = 0
  const seen: AdaptLossPoint[] = []
  return runEngineJob<FromAdaptWorker, AdaptationResult>({
    data,
    entry: opts.entry,
    what: 'adaptation',
    killedResult: () => ({ status: 'killed', iteration: lastIteration, losses: seen }),
    handle(m) {
      switch (m.type) {
        case 'adapt-started':
          lastIteration = m.fromIteration
          opts.onStarted?.(m)
          return undefined
        case 'adapt-progress':
          lastIteration = m.iteration
          seen.push({ iteration: m.iteration, loss: m.loss, terms: m.terms })
          opts.onProgress?.(m)
          return undefined
        case 'adapt-checkpoint':
          opts.onCheckpoint?.({ iteration: m.iteration, path: m.path })
          return undefined
        case 'adapt-pseudo':
          opts.onPseudo?.(m.summary)
          return undefined
        case 'adapt-predicted':
          opts.onPredicted?.({ outDir: m.outDir, images: m.images })
          return undefined
        case 'problem':
          opts.onProblem?.({ file: m.file, reason: m.reason })
          return undefined
        case 'adapt-done':
          return { status: m.status, iteration: m.iteration, losses: m.losses, ...(m.stopped ? { stopped: m.stopped } : {}) }
        default:
          return unexpectedMessage(m)
      }
    },
  })
}
