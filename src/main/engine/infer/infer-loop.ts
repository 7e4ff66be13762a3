/**
 * An inference run (on the worker's thread): select the backend, load the run's model, then for each
 * album and each of its batches decode the images (an unreadable one is reported by name and skipped),
 * predict them together, write each prediction, and report progress. Between batches it yields to the
 * event loop so a cancel can arrive, and stops before the next batch once `shouldStop()` says so.
 *
 * Without TTA and CRF the labels are the argmax of the upsampled logits (predictLabels). With either,
 * the batch's class probabilities at original size come from predictProbabilities (TTA passes, or one
 * plain pass), the dense CRF refines them on the original RGB (on this worker thread), and the argmax
 * of the result is written. The cost of each stage is timed and reported per image.
 */
import * as tf from '@tensorflow/tfjs'
import { selectBackend, type BackendReport } from '../backend/select-backend'
import { decodeRgb } from '../../media/decode'
import type { FileProblem } from '../runs/file-dataset'
import type { InferRequest } from './infer-request'
import type { SegmentationModel } from '../models/segnet'
import { loadRunModel } from './load-run-model'
import { predictLabels, type PredictedLabels, type RgbRaster } from './predict-labels'
import { argmaxRows, denseCrf } from '../postprocess/crf/dense-crf'
import type { CrfParams } from '../postprocess/crf/crf-params'
import { predictProbabilities, type TtaPassTiming } from './tta'
import { PLAIN_PASS, type TtaOptions } from './tta-options'
import { writePrediction } from './write-prediction'
import { resolveGeometry, type InferGeometry, type ResolvedGeometry } from './geometry'
import { makeDirSync } from '../../files/make-dir'
import { predictTop2 } from './predict-top2'
import { writeFileAtomic } from '../../files/atomic-file'
import path from 'node:path'
import { encodeTop2, top2FileName } from './top2-file'

export interface InferStarted {
  backend: BackendReport
  checkpointIteration: number
  inputSize: number
  /** The geometry every image goes through (geometry.ts), its size filled in. */
  geometry: ResolvedGeometry
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
  /** Wall milliseconds per predicted image so far (decode to written PNGs). */
  msPerImage: number
}

/** What the inference cost, in wall milliseconds per predicted image (0 images: all 0). */
export interface InferCost {
  images: number
  /** Everything: decode, network, CRF, argmax, PNG writes. */
  msPerImage: number
  /** The network part: one plain pass, or all TTA passes (resize, forward, upsample, softmax, average). */
  predictMsPerImage: number
  /**
   * One plain pass (scale 1, no flip): the network cost without TTA, for comparison. With TTA it is
   * the timed scale-1 unflipped pass inside the TTA run (null when the scales leave 1 out).
   */
  plainMsPerImage: number | null
  /** Forward passes per batch (1 without TTA). */
  passes: number
  /** Dense CRF, or null when it is off. */
  crfMsPerImage: number | null
}

export interface InferOutcome {
  status: 'done' | 'cancelled'
  predicted: number
  skipped: number
  /** The post-processing options the run used (null = off), with their defaults filled in. */
  options: { tta: TtaOptions | null; crf: CrfParams | null }
  /** The geometry the images went through (recorded with the predictions). */
  geometry: ResolvedGeometry
  cost: InferCost
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

/** Running sums of the timed stages (ms) over the predicted images. */
class CostMeter {
  images = 0
  totalMs = 0
  predictMs = 0
  plainMs = 0
  plainMeasured = false
  passes = 1
  crfMs = 0

  addPasses(passes: readonly TtaPassTiming[]): void {
    this.passes = passes.length
    for (const p of passes) {
      this.predictMs += p.ms
      if (p.scale === 1 && !p.flip) {
        this.plainMs += p.ms
        this.plainMeasured = true
      }
    }
  }

  report(crf: boolean): InferCost {
    const per = (ms: number): number => (this.images === 0 ? 0 : ms / this.images)
    return {
      images: this.images,
      msPerImage: per(this.totalMs),
      predictMsPerImage: per(this.predictMs),
      plainMsPerImage: this.plainMeasured ? per(this.plainMs) : null,
      passes: this.passes,
      crfMsPerImage: crf ? per(this.crfMs) : null,
    }
  }
}

/**
 * Labels for one decoded batch. Plain (no TTA, no CRF): argmax of the upsampled logits. Otherwise
 * probabilities (TTA or one pass) → optional CRF → argmax.
 */
async function labelBatch(
  model: SegmentationModel,
  images: readonly RgbRaster[],
  size: number,
  geometry: InferGeometry,
  tta: TtaOptions | null,
  crf: CrfParams | null,
  meter: CostMeter,
): Promise<PredictedLabels[]> {
  if (images.length === 0) return []
  if (tta === null && crf === null) {
    const t0 = performance.now()
    const labels = await predictLabels(model, images, size, geometry)
    const ms = performance.now() - t0
    const g = resolveGeometry(geometry, size)
    meter.addPasses([{ scale: 1, side: g.mode === 'aspect' ? g.longSide : g.size, flip: false, ms }])
    return labels
  }
  const { probabilities, passes } = await predictProbabilities(
    model,
    images,
    size,
    tta ?? PLAIN_PASS,
    geometry,
  )
  meter.addPasses(passes)
  return probabilities.map((p, i) => {
    const n = p.width * p.height
    let q = p.data
    if (crf !== null) {
      const t0 = performance.now()
      q = denseCrf(p.data, images[i]!, p.numClasses, crf)
      meter.crfMs += performance.now() - t0
    }
    return { width: p.width, height: p.height, labels: argmaxRows(q, n, p.numClasses) }
  })
}

/** The click-mask branch: top-2 probability maps (predict-top2.ts) written as <outDir>/<name>.top2; how many. */
async function writeTop2Batch(
  model: SegmentationModel,
  ok: readonly { name: string; image: RgbRaster }[],
  geometry: ResolvedGeometry,
  maxSide: number,
  outDir: string,
  meter: CostMeter,
): Promise<number> {
  const t0 = performance.now()
  const maps = await predictTop2(
    model,
    ok.map((o) => o.image),
    geometry,
    maxSide,
  )
  meter.addPasses([
    {
      scale: 1,
      side: geometry.mode === 'aspect' ? geometry.longSide : geometry.size,
      flip: false,
      ms: performance.now() - t0,
    },
  ])
  for (let i = 0; i < ok.length; i++)
    writeFileAtomic(path.join(outDir, top2FileName(ok[i]!.name)), encodeTop2(maps[i]!))
  return ok.length
}

export async function runInference(req: InferRequest, hooks: InferHooks): Promise<InferOutcome> {
  const backend = await selectBackend({ force: req.backend, env: process.env })
  const run = await loadRunModel(req.runDir, req.checkpoint)
  const total = req.albums.reduce((s, a) => s + a.batches.reduce((t, b) => t + b.length, 0), 0)
  let done = 0
  let predicted = 0
  let skipped = 0
  const t0 = performance.now()
  const meter = new CostMeter()
  const options = { tta: req.tta, crf: req.crf }
  const geometry = resolveGeometry(req.geometry, run.size)
  const outcome = (status: InferOutcome['status']): InferOutcome => ({
    status,
    predicted,
    skipped,
    options,
    geometry,
    cost: meter.report(req.crf !== null),
  })
  try {
    hooks.onStarted?.({ backend, checkpointIteration: run.iteration, inputSize: run.size, geometry, total })
    for (const album of req.albums) {
      makeDirSync(album.outDir)
      for (const batch of album.batches) {
        await yieldToEventLoop()
        if (hooks.shouldStop()) return outcome('cancelled')
        const tensorsBefore = tf.memory().numTensors
        const tBatch = performance.now()
        const ok: { name: string; image: RgbRaster }[] = []
        for (const item of batch) {
          try {
            ok.push({ name: item.name, image: await decodeRgb(item.image) })
          } catch (e) {
            skipped++
            hooks.onProblem?.({ file: item.image, reason: `cannot decode the image: ${message(e)}` })
          }
        }
        if (req.top2 !== null)
          predicted += await writeTop2Batch(run.model, ok, geometry, req.top2.maxSide, album.outDir, meter)
        else {
          const labels = await labelBatch(
            run.model,
            ok.map((o) => o.image),
            run.size,
            req.geometry,
            req.tta,
            req.crf,
            meter,
          )
          for (let i = 0; i < ok.length; i++) {
            await writePrediction(album.outDir, ok[i]!.name, labels[i]!)
            predicted++
          }
        }
        meter.images += ok.length
        meter.totalMs += performance.now() - tBatch
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
          msPerImage: meter.report(req.crf !== null).msPerImage,
        })
      }
    }
    return outcome('done')
  } finally {
    run.model.dispose()
  }
}
