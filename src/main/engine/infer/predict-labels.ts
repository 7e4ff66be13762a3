/**
 * Label maps for a batch of images at their original sizes:
 *   1. each image is resized to the run's square training side (bilinear, half-pixel centres, as the
 *      training augmentation samples), normalised as in training, and the batch is run in eval mode;
 *   2. each image's stride-8 logits are resized BILINEARLY to the image's original size (align-corners,
 *      the same convention the training loss used to bring logits to its input) and only then argmaxed.
 * Upsampling logits rather than the label map gives smooth class boundaries at the original resolution
 * instead of 8×size blocks of nearest-neighbour labels.
 */
import * as tf from '@tensorflow/tfjs'
import { normalizeImages } from '../models/preprocess'
import type { SegmentationModel } from '../models/segnet'

export interface RgbRaster {
  width: number
  height: number
  /** Row-major RGB, 3 bytes per pixel. */
  data: Uint8Array
}

export interface PredictedLabels {
  width: number
  height: number
  labels: Uint8Array
}

/** The model's input batch [N, size, size, 3], normalised. */
export function inputBatch(images: readonly RgbRaster[], size: number): tf.Tensor4D {
  return tf.tidy(() => {
    const resized = images.map((img) => {
      const t = tf.tensor4d(img.data, [1, img.height, img.width, 3], 'int32').toFloat()
      return tf.image.resizeBilinear(t, [size, size], false, true)
    })
    return normalizeImages(tf.concat(resized, 0))
  })
}

export async function predictLabels(
  model: SegmentationModel,
  images: readonly RgbRaster[],
  size: number,
): Promise<PredictedLabels[]> {
  if (images.length === 0) return []
  const logits = tf.tidy(() => model.forward(inputBatch(images, size), false).main)
  try {
    const out: PredictedLabels[] = []
    for (let i = 0; i < images.length; i++) {
      const img = images[i]!
      const labels = tf.tidy(() => {
        const one = logits.slice([i, 0, 0, 0], [1, -1, -1, -1])
        const up = tf.image.resizeBilinear(one, [img.height, img.width], true)
        return up.argMax(-1).squeeze([0]).toInt()
      })
      try {
        const data = await labels.data()
        out.push({ width: img.width, height: img.height, labels: Uint8Array.from(data) })
      } finally {
        labels.dispose()
      }
    }
    return out
  } finally {
    logits.dispose()
  }
}
