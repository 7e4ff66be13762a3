/**
 * Starts a SegSort run in the engine worker thread (the same entry as training and inference). `cancel()`
 * stops before the next step or image. Imports no tfjs.
 */
import type { FileProblem } from '../runs/file-dataset'
import type { ToWorker } from '../worker/messages'
import { spawnEngineWorker } from '../worker/spawn-engine-worker'
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
  const worker = spawnEngineWorker(data, opts.entry)
  let settled = false
  const result = new Promise<SegsortOutcome>((resolve, reject) => {
    const finish = (f: () => void): void => {
      if (settled) return
      settled = true
      f()
      void worker.terminate()
    }
    worker.on('message', (m: FromSegsortWorker) => {
      switch (m.type) {
        case 'segsort-started':
          opts.onStarted?.(m)
          break
        case 'segsort-progress':
          opts.onProgress?.(m)
          break
        case 'problem':
          opts.onProblem?.({ file: m.file, reason: m.reason })
          break
        case 'segsort-done':
          finish(() => resolve({ status: m.status, losses: m.losses, bankEntries: m.bankEntries, predicted: m.predicted }))
          break
        case 'error':
          finish(() => reject(new Error(`SegSort failed: ${m.message}`)))
          break
        default: {
          const never: never = m
          finish(() => reject(new Error(`unexpected worker message ${JSON.stringify(never)}`)))
        }
      }
    })
    worker.on('error', (e) => finish(() => reject(e)))
    worker.on('exit', (code) => finish(() => reject(new Error(`SegSort worker exited with code ${code} before finishing`))))
  })
  return {
    result,
    cancel() {
      if (!settled) worker.postMessage({ type: 'cancel' } satisfies ToWorker)
    },
  }
}
