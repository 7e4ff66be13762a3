/**
 * Class probabilities at each image's ORIGINAL size, optionally with test-time augmentation (TTA):
 * for every scale s and (with `flip`) both orientations, the whole batch is transformed the same way
 * (a batch is a group whose predictions may depend on each other, so a group-context batch is never split),
 * goes through the network at the inference geometry scaled by s (geometry.ts: long side ≈ side·s with the
 * aspect kept and stride padding, or a square of side round(size·s / 8)·8 in 'squash' mode; see
 * forward-canvas.ts), and each image's logits are upsampled bilinearly to its original size, softmaxed,
 * flipped back, and averaged over all passes.
 *
 * The flip is applied to the decoded pixels before resizing and undone on the probabilities after
 * upsampling: both reversals are exact (tf.image.flipLeftRight is a permutation; on wasm it is 7×
 * faster than tf.reverse for a 500×375×21 map, measured), and the per-scale pair (plain + un-flipped)
 * is summed before the scales are, so the averaged map of a mirrored batch is exactly the mirror of the averaged
 * map (flip invariance by construction, tested). With scales [1] and no flip this is plain inference:
 * the same resize, forward and upsample as predictLabels, followed by a softmax.
 */
import * as tf from '@tensorflow/tfjs'
import { MIN_INPUT_SIDE, type SegmentationModel } from '../models/segnet'
import { forEachImageLogits } from './forward-canvas'
import {
  ASPECT_GEOMETRY,
  resolveGeometry,
  scaleGeometry,
  type InferGeometry,
  type ResolvedGeometry,
} from './geometry'
import type { RgbRaster } from './predict-labels'
import { PLAIN_PASS, type TtaOptions } from './tta-options'

/** Square input side for a scale: a multiple of 8, at least the model's minimum. */
export function scaledSide(size: number, scale: number): number {
  return Math.max(MIN_INPUT_SIDE, Math.round((size * scale) / 8) * 8)
}

export interface ClassProbabilities {
  width: number
  height: number
  numClasses: number
  /** Row-major H×W×C probabilities (each pixel's C values sum to 1 up to rounding). */
  data: Float32Array
}

export interface TtaPassTiming {
  scale: number
  /** The pass's long side ('aspect') or square side ('squash'), in pixels. */
  side: number
  flip: boolean
  /** Wall time of this pass for the whole batch (resize, forward, upsample, softmax, accumulate). */
  ms: number
}

export interface ProbabilitiesResult {
  probabilities: ClassProbabilities[]
  passes: TtaPassTiming[]
}

/**
 * One pass: the batch (optionally mirrored) at geometry `g` → each image's probabilities at original size,
 * handed to `take(i, data)` one image at a time, so the backend holds one full-size map at a time
 * (a 500×375×21 map is 16 MB; the sums live in JS memory, not in the wasm heap).
 */
async function pass(
  model: SegmentationModel,
  raws: readonly tf.Tensor4D[],
  images: readonly RgbRaster[],
  g: ResolvedGeometry,
  flip: boolean,
  take: (i: number, data: Float32Array) => void,
): Promise<void> {
  await forEachImageLogits(
    model,
    images,
    g,
    async (i, up) => {
      const p = tf.tidy(() => {
        const soft = tf.softmax(up, -1)
        return flip ? tf.image.flipLeftRight(soft) : soft
      })
      try {
        take(i, (await p.data()) as Float32Array)
      } finally {
        p.dispose()
      }
    },
    flip,
    raws,
  )
}

/** acc += add, elementwise in float32 (each sum is rounded once, as a float32 tensor add would). */
function addInto(acc: Float32Array, add: Float32Array): void {
  for (let k = 0; k < acc.length; k++) acc[k]! += add[k]!
}

/**
 * Per-image class probabilities at original size, averaged over the TTA passes (`PLAIN_PASS` = none).
 * Reads the tensors' data outside any tidy (see docs/engine.md) and leaves no tensor behind.
 */
export async function predictProbabilities(
  model: SegmentationModel,
  images: readonly RgbRaster[],
  size: number,
  tta: TtaOptions = PLAIN_PASS,
  geometry: InferGeometry = ASPECT_GEOMETRY,
): Promise<ProbabilitiesResult> {
  if (images.length === 0) return { probabilities: [], passes: [] }
  const raws = images.map((img) => tf.tensor4d(img.data, [1, img.height, img.width, 3], 'int32'))
  const total: (Float32Array | null)[] = images.map(() => null)
  const passes: TtaPassTiming[] = []
  const base = resolveGeometry(geometry, size)
  try {
    for (const scale of tta.scales) {
      const g = scale === 1 ? base : scaleGeometry(base, scale)
      const side = g.mode === 'aspect' ? g.longSide : g.size
      // Sum the pair of one scale first, then add it to the total (see the header: exact flip invariance).
      const pair: (Float32Array | null)[] = images.map(() => null)
      for (const flip of tta.flip ? [false, true] : [false]) {
        const t0 = performance.now()
        await pass(model, raws, images, g, flip, (i, data) => {
          const acc = pair[i]
          if (acc) addInto(acc, data)
          else pair[i] = data
        })
        passes.push({ scale, side, flip, ms: performance.now() - t0 })
      }
      for (let i = 0; i < images.length; i++) {
        const acc = total[i]
        if (acc) addInto(acc, pair[i]!)
        else total[i] = pair[i]!
      }
    }
    const count = passes.length
    const numClasses = model.config.numClasses
    const probabilities = images.map((img, i): ClassProbabilities => {
      const data = total[i]!
      if (count > 1) for (let k = 0; k < data.length; k++) data[k]! /= count
      return { width: img.width, height: img.height, numClasses, data }
    })
    return { probabilities, passes }
  } finally {
    tf.dispose(raws)
  }
}
