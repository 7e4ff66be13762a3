/**
 * Top-2 class probability maps for a batch (the editor's click masks): the same forward pass at the
 * inference geometry and the same bilinear logit upsampling (align-corners, the image's own part of the
 * canvas) as predictLabels (forward-canvas.ts), but to a bounded size — long side ≤ maxSide, aspect
 * kept — instead of the original, then a softmax and the two most probable classes per pixel with their
 * probabilities as bytes (top2-file.ts). Runs on the engine worker's thread.
 */
import * as tf from '@tensorflow/tfjs'
import type { SegmentationModel } from '../models/segnet'
import { forwardCanvases, upsampleImageLogits } from './forward-canvas'
import type { ResolvedGeometry } from './geometry'
import type { RgbRaster } from './predict-labels'
import { quantiseProbability, top2Size, type Top2Map } from './top2-file'

export async function predictTop2(
  model: SegmentationModel,
  images: readonly RgbRaster[],
  geometry: ResolvedGeometry,
  maxSide: number,
): Promise<Top2Map[]> {
  if (images.length === 0) return []
  const raws = images.map((img) => tf.tensor4d(img.data, [1, img.height, img.width, 3], 'int32'))
  const out: Top2Map[] = new Array<Top2Map>(images.length)
  let passes: ReturnType<typeof forwardCanvases> = []
  try {
    passes = forwardCanvases(model, raws, geometry)
    for (const p of passes) {
      for (const [k, i] of p.indices.entries()) {
        const img = images[i]!
        const { width, height } = top2Size(img.width, img.height, maxSide)
        const top = tf.tidy(() =>
          tf.topk(tf.softmax(upsampleImageLogits(p.logits, k, p.boxes[k]!, height, width), -1), 2),
        )
        try {
          const [values, indices] = await Promise.all([top.values.data(), top.indices.data()])
          const n = width * height
          const planes = new Uint8Array(4 * n)
          for (let q = 0; q < n; q++) {
            planes[q] = indices[2 * q]!
            planes[n + q] = quantiseProbability(values[2 * q]!)
            planes[2 * n + q] = indices[2 * q + 1]!
            planes[3 * n + q] = quantiseProbability(values[2 * q + 1]!)
          }
          out[i] = { width, height, numClasses: p.logits.shape[3], planes }
        } finally {
          top.values.dispose()
          top.indices.dispose()
        }
      }
    }
  } finally {
    for (const p of passes) p.logits.dispose()
    tf.dispose(raws)
  }
  return out
}
