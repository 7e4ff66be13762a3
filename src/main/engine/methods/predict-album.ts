/**
 * Predicting an album with an adapted model, in batches that never mix groups when the model has a group
 * context (its context comes from the test batch, docs/method.md §3): labels for evaluation (the same
 * geometry → eval forward → bilinear logits at original size → argmax as the inference worker) and, for
 * pseudo labels, the normalised entropy of each pixel as well.
 */
import * as tf from '@tensorflow/tfjs'
import { decodeRgb } from '../../media/decode'
import { contextOf } from '../models/config'
import type { SegmentationModel } from '../models/segnet'
import { predictLabels, type RgbRaster } from '../infer/predict-labels'
import { forEachImageLogits } from '../infer/forward-canvas'
import { ASPECT_GEOMETRY, resolveGeometry, type InferGeometry } from '../infer/geometry'
import { writePrediction } from '../infer/write-prediction'
import { chunkBatches } from '../infer/infer-request'
import { groupBatches } from '../runs/group-order'
import type { FileProblem } from '../runs/file-dataset'
import type { ImagePrediction } from './pseudo-labels'
import { makeDirSync } from '../../files/make-dir'

export interface AlbumImage {
  image: string
  name: string
  group?: number | undefined
}

/** Batches of ≤ `batch` images: one group per batch when the model has a context and every image a group. */
export function albumBatches<T extends AlbumImage>(
  model: SegmentationModel,
  images: readonly T[],
  batch: number,
): T[][] {
  const grouped = contextOf(model.config).variant !== 'none' && images.every((i) => i.group !== undefined)
  return grouped ? groupBatches(images, (i) => i.group ?? null, batch) : chunkBatches(images, batch)
}

async function decodeBatch(
  items: readonly AlbumImage[],
  onProblem?: (p: FileProblem) => void,
): Promise<{ item: AlbumImage; image: RgbRaster }[]> {
  const out: { item: AlbumImage; image: RgbRaster }[] = []
  for (const item of items) {
    try {
      out.push({ item, image: await decodeRgb(item.image) })
    } catch (e) {
      onProblem?.({
        file: item.image,
        reason: `cannot decode the image: ${e instanceof Error ? e.message : String(e)}`,
      })
    }
  }
  return out
}

/** Argmax and normalised entropy at each image's original size (at the inference geometry, infer/geometry.ts). */
export async function predictWithEntropy(
  model: SegmentationModel,
  images: readonly RgbRaster[],
  size: number,
  geometry: InferGeometry = ASPECT_GEOMETRY,
): Promise<{ labels: Uint8Array; entropy: Float32Array }[]> {
  const out = new Array<{ labels: Uint8Array; entropy: Float32Array }>(images.length)
  const lnC = Math.log(model.config.numClasses)
  await forEachImageLogits(model, images, resolveGeometry(geometry, size), async (i, up) => {
    const [lab, ent] = tf.tidy(() => {
      const logp = tf.logSoftmax(up)
      const h = logp.exp().mul(logp).sum(-1).div(-lnC)
      return [up.argMax(-1).squeeze([0]).toInt(), h.squeeze([0])]
    })
    try {
      out[i] = { labels: Uint8Array.from(await lab.data()), entropy: Float32Array.from(await ent.data()) }
    } finally {
      tf.dispose([lab, ent])
    }
  })
  return out
}

/** Predictions with entropy of every album image (for pseudo labels). */
export async function predictAlbumEntropy(
  model: SegmentationModel,
  images: readonly AlbumImage[],
  size: number,
  batch: number,
  onProblem?: (p: FileProblem) => void,
): Promise<ImagePrediction[]> {
  const out: ImagePrediction[] = []
  for (const b of albumBatches(model, images, batch)) {
    const ok = await decodeBatch(b, onProblem)
    const preds = await predictWithEntropy(
      model,
      ok.map((o) => o.image),
      size,
    )
    preds.forEach((p, k) => {
      const o = ok[k]!
      out.push({
        name: o.item.name,
        width: o.image.width,
        height: o.image.height,
        labels: p.labels,
        entropy: p.entropy,
      })
    })
  }
  return out
}

/** Writes `<outDir>/<name>.png` (+ `_color.png`) for every album image; returns the number written. */
export async function writeAlbumPredictions(
  model: SegmentationModel,
  images: readonly AlbumImage[],
  size: number,
  batch: number,
  outDir: string,
  onProblem?: (p: FileProblem) => void,
): Promise<number> {
  makeDirSync(outDir)
  let written = 0
  for (const b of albumBatches(model, images, batch)) {
    const ok = await decodeBatch(b, onProblem)
    const labels = await predictLabels(
      model,
      ok.map((o) => o.image),
      size,
    )
    for (let k = 0; k < ok.length; k++) {
      await writePrediction(outDir, ok[k]!.item.name, labels[k]!)
      written++
    }
  }
  return written
}
