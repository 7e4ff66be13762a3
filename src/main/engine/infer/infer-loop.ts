/**
 * An inference run (on the worker's thread): select the backend, load the run's model, then for each
 * album and each of its batches decode the images (an unreadable one is reported by name and skipped),
 * predict them together, write each prediction, and report progress. Between batches it yields to the
 * event loop so a cancel can arrive, and stops before the next batch once `shouldStop()` says so.
 */
import * as fs from 'node:fs'
import * as tf from '@tensorflow/tfjs'
import { selectBackend, type BackendReport } from '../backend/select-backend'
import { decodeRgb } from '../../media/decode'
import type { FileProblem } from '../runs/file-dataset'
import type { InferRequest } from './infer-request'
import { loadRunModel } from './load-run-model'
import { predictLabels, type RgbRaster } from './predict-labels'
import { writePrediction } from './write-prediction'

export interface InferStarted {
  backend: BackendReport
  checkpointIteration: number
  inputSize: number
  total: number
}

export interface InferProgress {
  /** Images handled so far (predicted or skipped). */
  done: number
  total: number
  outDir: string
  imagesPerSecond: number
  etaSeconds: number
  /** tf.memory().numTensors before and after the batch: equal = no leak. */
  tensorsBefore: number
  tensorsAfter: number
}

export interface InferOutcome {
  status: 'done' | 'cancelled'
  predicted: number
  skipped: number
}

export interface InferHooks {
  shouldStop(): boolean
  onStarted?(s: InferStarted): void
  onProgress?(p: InferProgress): void
  onProblem?(p: FileProblem): void
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

export async function runInference(req: InferRequest, hooks: InferHooks): Promise<InferOutcome> {
  const backend = await selectBackend({ force: req.backend, env: process.env })
  const run = await loadRunModel(req.runDir)
  const total = req.albums.reduce((s, a) => s + a.batches.reduce((t, b) => t + b.length, 0), 0)
  let done = 0
  let predicted = 0
  let skipped = 0
  const t0 = performance.now()
  try {
    hooks.onStarted?.({ backend, checkpointIteration: run.iteration, inputSize: run.size, total })
    for (const album of req.albums) {
      fs.mkdirSync(album.outDir, { recursive: true })
      for (const batch of album.batches) {
        await yieldToEventLoop()
        if (hooks.shouldStop()) return { status: 'cancelled', predicted, skipped }
        const tensorsBefore = tf.memory().numTensors
        const ok: { name: string; image: RgbRaster }[] = []
        for (const item of batch) {
          try {
            ok.push({ name: item.name, image: await decodeRgb(item.image) })
          } catch (e) {
            skipped++
            hooks.onProblem?.({ file: item.image, reason: `cannot decode the image: ${message(e)}` })
          }
        }
        const labels = await predictLabels(
          run.model,
          ok.map((o) => o.image),
          run.size,
        )
        for (let i = 0; i < ok.length; i++) {
          await writePrediction(album.outDir, ok[i]!.name, labels[i]!)
          predicted++
        }
        done += batch.length
        const elapsed = (performance.now() - t0) / 1000
        const rate = done / Math.max(elapsed, 1e-6)
        hooks.onProgress?.({
          done,
          total,
          outDir: album.outDir,
          imagesPerSecond: rate,
          etaSeconds: (total - done) / Math.max(rate, 1e-6),
          tensorsBefore,
          tensorsAfter: tf.memory().numTensors,
        })
      }
    }
    return { status: 'done', predicted, skipped }
  } finally {
    run.model.dispose()
  }
}
