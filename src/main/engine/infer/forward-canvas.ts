/**
 * One eval-mode forward pass of a batch at an inference geometry (geometry.ts), and the resize of each
 * image's logits back to its original size.
 *
 * Canvases. A network takes one [N, H, W, 3] tensor, so images forwarded together share H × W. Each image
 * is resized (aspect kept) and padded with black at the bottom/right to its own stride multiple; then:
 *   - a model WITH a group context module gets the whole batch in ONE forward pass, every image padded
 *     to the batch's largest canvas: the module attends across all B images of the batch (soft regions,
 *     group attention; docs/method.md §3), so splitting the batch by shape would change what it computes. The
 *     extra black margin is what training crops hold where the resized image is smaller than the crop
 *     (train/augment.ts pads bottom/right with black), and it is cropped away before upsampling;
 *   - a model WITHOUT one has images that do not depend on each other, except through padding (PSP pools
 *     the whole canvas), so each image keeps its OWN canvas: images of equal canvas are forwarded
 *     together, and a prediction never depends on which other images shared its batch.
 * In 'squash' mode every canvas is size × size: one pass, as before.
 *
 * The flip (TTA) mirrors the decoded pixels before the resize, so the padding stays at the right of the
 * mirrored image and the pass is exactly the mirrored pass of the mirrored input.
 */
import * as tf from '@tensorflow/tfjs'
import { contextOf } from '../models/config'
import { normalizeImages } from '../models/preprocess'
import type { SegmentationModel } from '../models/segnet'
import { imageBox, paddedSide, resizedSize, type ResolvedGeometry } from './geometry'

type Box = [number, number, number, number]

/** Images forwarded together: their batch indices, the logits [n, h/8, w/8, C], each image's box. */
export interface CanvasPass {
  indices: number[]
  logits: tf.Tensor4D
  boxes: Box[]
}

interface Placement {
  resized: { width: number; height: number }
  canvas: { width: number; height: number }
}

function placements(
  sizes: readonly { width: number; height: number }[],
  g: ResolvedGeometry,
  shared: boolean,
): Placement[] {
  const own = sizes.map((s) => {
    const resized = resizedSize(s.width, s.height, g)
    return { resized, canvas: { width: paddedSide(resized.width), height: paddedSide(resized.height) } }
  })
  if (!shared) return own
  const canvas = {
    width: Math.max(...own.map((p) => p.canvas.width)),
    height: Math.max(...own.map((p) => p.canvas.height)),
  }
  return own.map((p) => ({ resized: p.resized, canvas }))
}

/** Whether a model's images must share one forward pass (it has a group context module). */
export function sharesBatch(model: SegmentationModel): boolean {
  return contextOf(model.config).variant !== 'none'
}

/**
 * Forwards `raws` ([1, h, w, 3] pixel tensors 0..255, any numeric dtype) at geometry `g`, in as few passes
 * as the canvases allow (see the header). The caller disposes each pass's logits.
 */
export function forwardCanvases(
  model: SegmentationModel,
  raws: readonly tf.Tensor4D[],
  g: ResolvedGeometry,
  flip = false,
): CanvasPass[] {
  const sizes = raws.map((r) => ({ width: r.shape[2], height: r.shape[1] }))
  const places = placements(sizes, g, sharesBatch(model))
  const byCanvas = new Map<string, number[]>()
  places.forEach((p, i) => {
    const key = `${p.canvas.width}x${p.canvas.height}`
    const list = byCanvas.get(key)
    if (list) list.push(i)
    else byCanvas.set(key, [i])
  })
  const passes: CanvasPass[] = []
  try {
    for (const indices of byCanvas.values()) {
      const logits = tf.tidy(() => {
        const inputs = indices.map((i) => {
          const { resized, canvas } = places[i]!
          const float = raws[i]!.toFloat() as tf.Tensor4D
          const src = flip ? tf.image.flipLeftRight(float) : float
          const r = tf.image.resizeBilinear(src, [resized.height, resized.width], false, true)
          return r.pad([
            [0, 0],
            [0, canvas.height - resized.height],
            [0, canvas.width - resized.width],
            [0, 0],
          ]) as tf.Tensor4D
        })
        return model.forward(normalizeImages(tf.concat(inputs, 0)), false).main
      })
      passes.push({
        indices,
        logits,
        boxes: indices.map((i) => imageBox(places[i]!.resized, places[i]!.canvas)),
      })
    }
  } catch (e) {
    for (const p of passes) p.logits.dispose()
    throw e
  }
  return passes
}

/**
 * Image `k` of a pass's logits, its own part of the canvas resized bilinearly (align-corners) to
 * height × width: [1, height, width, C]. A box covering the whole canvas is a plain align-corners resize
 * (bit-identical to the squash path); otherwise cropAndResize samples the box with the same convention.
 */
export function upsampleImageLogits(
  logits: tf.Tensor4D,
  k: number,
  box: Box,
  height: number,
  width: number,
): tf.Tensor4D {
  return tf.tidy(() => {
    if (box[0] === 0 && box[1] === 0 && box[2] === 1 && box[3] === 1) {
      const one = logits.slice([k, 0, 0, 0], [1, -1, -1, -1])
      return tf.image.resizeBilinear(one, [height, width], true)
    }
    return tf.image.cropAndResize(
      logits,
      tf.tensor2d([box]),
      tf.tensor1d([k], 'int32'),
      [height, width],
      'bilinear',
    )
  })
}

/**
 * Every image's logits at its original size, one image at a time (`take` runs outside any tidy, so it may
 * await tensor data; it must not keep `up`, which is disposed after it returns).
 */
export async function forEachImageLogits(
  model: SegmentationModel,
  images: readonly { width: number; height: number; data: Uint8Array }[],
  g: ResolvedGeometry,
  take: (i: number, up: tf.Tensor4D) => Promise<void>,
  flip = false,
  raws?: readonly tf.Tensor4D[],
): Promise<void> {
  const own = raws === undefined
  const inputs = raws ?? images.map((img) => tf.tensor4d(img.data, [1, img.height, img.width, 3], 'int32'))
  let passes: CanvasPass[] = []
  try {
    passes = forwardCanvases(model, inputs, g, flip)
    for (const p of passes)
      for (const [k, i] of p.indices.entries()) {
        const img = images[i]!
        const up = upsampleImageLogits(p.logits, k, p.boxes[k]!, img.height, img.width)
        try {
          await take(i, up)
        } finally {
          up.dispose()
        }
      }
  } finally {
    for (const p of passes) p.logits.dispose()
    if (own) tf.dispose(inputs as tf.Tensor4D[])
  }
}
