/**
 * Starts an adaptation run in the engine worker thread (same entry as training and inference), so the
 * steps never block the caller's thread. `cancel()` stops before the next step (status 'cancelled');
 * `terminate()` kills the thread (status 'killed') — the run keeps its last complete checkpoint and
 * `resume: true` continues from there. Imports no tfjs.
 */
import { parseAdaptConfig } from '../methods/adapt-config'
import type { AdaptCheckpoint, AdaptProgress, AdaptStarted } from '../methods/adapt-loop'
import type { AdaptLossPoint } from '../methods/adapt-checkpoint'
import type { PseudoSummary } from '../methods/pseudo-labels'
import type { FileProblem } from '../runs/file-dataset'
import type { AdaptPredictAlbum, AdaptWorkerData, FromAdaptWorker } from './adapt-messages'
import type { ToWorker } from './messages'
import { spawnEngineWorker } from './spawn-engine-worker'

export interface AdaptationResult {
  status: 'done' | 'cancelled' | 'killed'
  iteration: number
  losses: AdaptLossPoint[]
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
  const worker = spawnEngineWorker(data, opts.entry)
  let killed = false
  let settled = false
  let lastIteration = 0
  const seen: AdaptLossPoint[] = []
  const result = new Promise<AdaptationResult>((resolve, reject) => {
    const finish = (f: () => void): void => {
      if (settled) return
      settled = true
      f()
      void worker.terminate()
    }
    worker.on('message', (m: FromAdaptWorker) => {
      switch (m.type) {
        case 'adapt-started':
          lastIteration = m.fromIteration
          opts.onStarted?.(m)
          break
        case 'adapt-progress':
          lastIteration = m.iteration
          seen.push({ iteration: m.iteration, loss: m.loss, terms: m.terms })
          opts.onProgress?.(m)
          break
        case 'adapt-checkpoint':
          opts.onCheckpoint?.({ iteration: m.iteration, path: m.path })
          break
        case 'adapt-pseudo':
          opts.onPseudo?.(m.summary)
          break
        case 'adapt-predicted':
          opts.onPredicted?.({ outDir: m.outDir, images: m.images })
          break
        case 'problem':
          opts.onProblem?.({ file: m.file, reason: m.reason })
          break
        case 'adapt-done':
          finish(() => resolve({ status: m.status, iteration: m.iteration, losses: m.losses }))
          break
        case 'error':
          finish(() => reject(new Error(`adaptation failed: ${m.message}`)))
          break
        default: {
          const never: never = m
          finish(() => reject(new Error(`unexpected worker message ${JSON.stringify(never)}`)))
        }
      }
    })
    worker.on('error', (e) => finish(() => reject(e)))
    worker.on('exit', (code) => {
      if (killed) finish(() => resolve({ status: 'killed', iteration: lastIteration, losses: seen }))
      else finish(() => reject(new Error(`adaptation worker exited with code ${code} before finishing`)))
    })
  })
  return {
    result,
    cancel() {
      if (!settled) worker.postMessage({ type: 'cancel' } satisfies ToWorker)
    },
    async terminate() {
      killed = true
      await worker.terminate()
    },
  }
}
