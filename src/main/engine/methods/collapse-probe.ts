/**
 * The probe batch the collapse detector (collapse-detector.ts) watches: a fixed, seeded batch of album
 * images (augmented crops at the training size, drawn from a stream of its own so it never follows the
 * training batches), predicted in inference mode — BatchNorm's running statistics, as the album's
 * predictions will be — and summarised per pixel of the model's output grid.
 */
import * as tf from '@tensorflow/tfjs'
import { normalizeImages } from '../models/preprocess'
import type { SegmentationModel } from '../models/segnet'
import type { DecodedItem } from '../runs/file-dataset'
import { BatchStream } from './adapt-data'
import { predictionStats, type PredictionStats } from './collapse-detector'

/** Album images in the probe batch (fewer when the album is smaller). */
export const PROBE_IMAGES = 8
const PROBE_STREAM = 0x51c0_11a9

/** Checks per stage: about 20, so a collapse is caught within 5 % of the stage's steps. */
const CHECKS_PER_STAGE = 20

export function collapseCheckEvery(steps: number): number {
  return Math.max(1, Math.ceil(steps / CHECKS_PER_STAGE))
}

export class CollapseProbe {
  private readonly images: tf.Tensor4D

  constructor(
    items: readonly DecodedItem[],
    seed: number,
    size: number,
    private readonly numClasses: number,
  ) {
    const n = Math.min(PROBE_IMAGES, items.length)
    // Iteration 1 of a stream of its own: n distinct images (the first of a seeded permutation).
    const raw = new BatchStream(items, (seed ^ PROBE_STREAM) >>> 0, n, size, null).batchAt(1)
    this.images = tf.tidy(() => normalizeImages(tf.tensor4d(raw.images, [raw.n, raw.size, raw.size, 3])))
  }

  stats(model: SegmentationModel): PredictionStats {
    const probs = tf.tidy(() => tf.softmax(model.forward(this.images, false).main))
    try {
      return predictionStats(probs.dataSync() as Float32Array, this.numClasses)
    } finally {
      probs.dispose()
    }
  }

  dispose(): void {
    this.images.dispose()
  }
}
