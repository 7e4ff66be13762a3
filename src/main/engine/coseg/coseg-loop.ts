/**
 * A co-segmentation run on the engine worker's thread: select the backend, load the run's model, then
 * for each group decode its images (an unreadable one is reported by name and skipped), run the network
 * once per chunk for logits and features at the output grid, co-segment the group (coseg-group.ts),
 * encode each proposal as a VOC palette PNG and hand the group's proposals to `onGroup` (the caller
 * stores them, so a cancel or a crash keeps every finished group). Between images it yields to the event
 * loop so a cancel can arrive, and stops before the next group or image once `shouldStop()` says so.
 */
import * as tf from '@tensorflow/tfjs'
import { decodeRgb } from '../../media/decode'
import { encodeLabelPng } from '../../media/label-png'
import { selectBackend } from '../backend/select-backend'
import { loadRunModel } from '../infer/load-run-model'
import { inputBatch, type RgbRaster } from '../infer/predict-labels'
import type { FileProblem } from '../runs/file-dataset'
import { presentClasses } from './coseg-math'
import { cosegmentGroup, type GroupImageMaps } from './coseg-group'
import { cosegModelIssue, featuresAndLogits } from './coseg-model'
import type {
  CosegGroupResult,
  CosegItem,
  CosegOutcome,
  CosegProgress,
  CosegProposal,
  CosegRequest,
} from './coseg-request'

export interface CosegHooks {
  shouldStop(): boolean
  onGroup(r: CosegGroupResult): void
  onProgress?(p: CosegProgress): void
  onProblem?(p: FileProblem): void
}

/** Images per forward pass (eval-mode BN: the batch does not change an image's output). */
const CHUNK = 8
/** VOC: background + 20 classes; a run with another class count cannot read VOC tags. */
const VOC_CLASSES = 21

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

/** Logits and features of decoded images at the grid, read into JS memory. */
async function gridMaps(
  model: Parameters<typeof featuresAndLogits>[0],
  images: readonly RgbRaster[],
  size: number,
): Promise<{ gridH: number; gridW: number; dim: number; logits: Float32Array[]; features: Float32Array[] }> {
  const [logits, features] = tf.tidy(() => {
    const r = featuresAndLogits(model, inputBatch(images, size))
    return [r.logits, r.features]
  }) as [tf.Tensor4D, tf.Tensor4D]
  try {
    const [, gridH, gridW, c] = logits.shape
    const dim = features.shape[3]
    // Read outside tidy (docs/engine.md: dataSync inside tidy is slow on large tensors).
    const l = await logits.data<'float32'>()
    const f = await features.data<'float32'>()
    const m = gridH * gridW
    return {
      gridH,
      gridW,
      dim,
      logits: images.map((_, i) => l.slice(i * m * c, (i + 1) * m * c)),
      features: images.map((_, i) => f.slice(i * m * dim, (i + 1) * m * dim)),
    }
  } finally {
    logits.dispose()
    features.dispose()
  }
}

export async function runCoseg(req: CosegRequest, hooks: CosegHooks): Promise<CosegOutcome> {
  const t0 = performance.now()
  await selectBackend({ force: req.backend, env: process.env })
  const run = await loadRunModel(req.runDir)
  const total = req.groups.reduce((s, g) => s + g.items.length, 0)
  let done = 0
  let proposed = 0
  let skipped = 0
  let groupsDone = 0
  const outcome = (status: CosegOutcome['status']): CosegOutcome => ({
    status,
    proposed,
    skipped,
    iteration: run.iteration,
    seconds: (performance.now() - t0) / 1000,
  })
  try {
    const issue = cosegModelIssue(run.model)
    if (issue) throw new Error(`${req.runDir}: ${issue}`)
    if (run.numClasses !== VOC_CLASSES)
      throw new Error(`${req.runDir}: the model has ${run.numClasses} classes; tags are VOC classes (21)`)
    for (const group of req.groups) {
      await yieldToEventLoop()
      if (hooks.shouldStop()) return outcome('cancelled')
      const ok: { item: CosegItem; image: RgbRaster }[] = []
      for (const item of group.items) {
        try {
          ok.push({ item, image: await decodeRgb(item.path) })
        } catch (e) {
          skipped++
          hooks.onProblem?.({ file: item.path, reason: `cannot decode the image: ${message(e)}` })
        }
      }
      const maps: GroupImageMaps[] = []
      let dim = 0
      for (let s = 0; s < ok.length; s += CHUNK) {
        await yieldToEventLoop()
        if (hooks.shouldStop()) return outcome('cancelled')
        const chunk = ok.slice(s, s + CHUNK)
        const g = await gridMaps(
          run.model,
          chunk.map((o) => o.image),
          run.size,
        )
        dim = g.dim
        chunk.forEach((o, i) =>
          maps.push({
            tags: o.item.tags,
            image: o.image,
            gridH: g.gridH,
            gridW: g.gridW,
            logits: g.logits[i]!,
            features: g.features[i]!,
          }),
        )
      }
      if (maps.length > 0) {
        await yieldToEventLoop()
        if (hooks.shouldStop()) return outcome('cancelled')
        const res = cosegmentGroup(maps, run.numClasses, dim, req.config)
        const proposals: CosegProposal[] = ok.map((o, i) => {
          const labels = res.labels[i]!
          const { width, height } = o.image
          let labelled = 0
          for (let p = 0; p < labels.length; p++) if (labels[p] !== 255) labelled++
          return {
            imageId: o.item.imageId,
            name: o.item.name,
            group: group.group,
            width,
            height,
            png: new Uint8Array(encodeLabelPng({ width, height, labels })),
            classes: presentClasses(labels),
            tags: res.allowed[i]!.filter((c) => c !== 0),
            coverage: labelled / labels.length,
          }
        })
        hooks.onGroup({ group: group.group, proposals, prototypes: res.prototypes })
        proposed += proposals.length
      }
      done += group.items.length
      groupsDone++
      hooks.onProgress?.({ done, total, groupsDone, groups: req.groups.length })
    }
    return outcome('done')
  } finally {
    run.model.dispose()
  }
}
