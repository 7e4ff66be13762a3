/**
 * Label maps for a batch of images at their original sizes:
 *   1. each image goes through the network at the inference geometry (geometry.ts; default: aspect kept,
 *      long side = 1.5 × the run's training side, padded with black to a multiple of 8; 'squash' = the old
 *      size × size resize), normalised as in training, in eval mode (forward-canvas.ts);
 *   2. each image's stride-8 logits — its own part of the canvas, padding cropped away — are resized
 *      BILINEARLY to the image's original size (align-corners, the same convention the training loss used
 *      to bring logits to its input) and only then argmaxed.
 * Upsampling logits rather than the label map gives smooth class boundaries at the original resolution
 * instead of 8×size blocks of nearest-neighbour labels.
 */
import * as tf from '@tensorflow/tfjs'
import { normalizeImages } from '../models/preprocess'
import type { SegmentationModel } from '../models/segnet'
import { forEachImageLogits } from './forward-canvas'
import { ASPECT_GEOMETRY, resolveGeometry, type InferGeometry } from './geometry'

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

/** A squashed input batch [N, size, size, 3], normalised (feature extraction: clustering, co-segmentation). */
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
  geometry: InferGeometry = ASPECT_GEOMETRY,
): Promise<PredictedLabels[]> {
  const out: PredictedLabels[] = new Array<PredictedLabels>(images.length)
  await forEachImageLogits(model, images, resolveGeometry(geometry, size), async (i, up) => {
    const labels = tf.tidy(() => up.argMax(-1).squeeze([0]).toInt())
    try {
      const img = images[i]!
      out[i] = { width: img.width, height: img.height, labels: Uint8Array.from(await labels.data()) }
    } finally {
      labels.dispose()
    }
  })
  return out
}
