/**
 * Inference geometry of the studio's own networks, as data and pure arithmetic (no tfjs: the request
 * schema is validated on the caller's thread too). How an image of W × H pixels goes through a network
 * whose logits live at output stride 8:
 *
 * 'aspect' (the default): the image is resized (bilinear, half-pixel centres) so its LONG side is
 *   `longSide` — the aspect ratio is kept — then padded with black pixels at the bottom and right up to a
 *   multiple of the stride (at least MIN_INPUT_SIDE), forwarded, and the logits of the image's own part of
 *   the padded canvas are resized bilinearly (align-corners, as training brings logits to its crop) to
 *   W × H. The padded area is cropped away before that resize, so no label is ever read from it.
 *   Default long side (longSide null): 1.5 × the run's training size, the upper end of the scales it was
 *   trained at. Training crops (size × size) are cut from images resized to long side size × U[0.75, 1.5]
 *   with the aspect kept, placed top-left and padded with black at the bottom/right (train/augment.ts,
 *   runs/file-dataset.ts FILE_AUGMENT), so every scale in that range is one the network knows, and the
 *   largest gives the finest stride-8 grid. Native resolution instead would show a network trained at 64
 *   objects 3–8× larger than any it saw (a 320–500 px photo). Measured (2026-12-07, tiny preset, demo No-DA
 *   run at size 64, 72 album images of long side 96, FIoU over users): long side 48 → 0.24, 64 → 5.35,
 *   80 → 6.97, 96 → 7.43, 112 → 7.18, 128 → 6.23; squash 64² (the old default) 6.10, squash 96² 6.71.
 *   An explicit `longSide` asks for another scale.
 * 'squash' (the old behaviour, only where a caller asks): the image is resized to size × size, aspect
 *   ratio lost, and the whole logit grid is resized to W × H.
 */
import { z } from 'zod'

/** Output stride of every segmentation network the studio trains (models/segnet.ts). */
export const INFER_STRIDE = 8
/** Smallest side the networks accept (models/segnet.ts MIN_INPUT_SIDE; repeated here to stay tfjs-free). */
export const MIN_CANVAS_SIDE = 16
/** The largest training scale (runs/file-dataset.ts FILE_AUGMENT.maxScale; a test keeps them equal). */
export const TRAIN_MAX_SCALE = 1.5

/** The default long side for a run trained at `trainSize`: the upper end of its training scales. */
export function defaultLongSide(trainSize: number): number {
  return Math.round(trainSize * TRAIN_MAX_SCALE)
}

export const InferGeometrySchema = z.discriminatedUnion('mode', [
  z
    .object({
      mode: z.literal('aspect'),
      /** Long side of the resized image in pixels; null = 1.5 × the run's training size (see above). */
      longSide: z.number().int().min(8).max(2048).nullable().default(null),
    })
    .strict(),
  z
    .object({
      mode: z.literal('squash'),
      /** Square side every image is resized to (a multiple of 8); null = the run's training size. */
      size: z
        .number()
        .int()
        .min(MIN_CANVAS_SIDE)
        .max(2048)
        .refine((s) => s % INFER_STRIDE === 0, { message: 'a squash size must be a multiple of 8' })
        .nullable()
        .default(null),
    })
    .strict(),
])
export type InferGeometry = z.infer<typeof InferGeometrySchema>

/** The default: aspect kept, long side = 1.5 × the run's training size. */
export const ASPECT_GEOMETRY: InferGeometry = { mode: 'aspect', longSide: null }

/** A geometry with its size filled in (what a run records as used). */
export type ResolvedGeometry = { mode: 'aspect'; longSide: number } | { mode: 'squash'; size: number }

export function resolveGeometry(g: InferGeometry, trainSize: number): ResolvedGeometry {
  return g.mode === 'aspect'
    ? { mode: 'aspect', longSide: g.longSide ?? defaultLongSide(trainSize) }
    : { mode: 'squash', size: g.size ?? trainSize }
}

/** The same geometry at a TTA scale: long side (or square side) ≈ side × scale. */
export function scaleGeometry(g: ResolvedGeometry, scale: number): ResolvedGeometry {
  return g.mode === 'aspect'
    ? { mode: 'aspect', longSide: Math.max(1, Math.round(g.longSide * scale)) }
    : {
        mode: 'squash',
        size: Math.max(MIN_CANVAS_SIDE, Math.round((g.size * scale) / INFER_STRIDE) * INFER_STRIDE),
      }
}

/** Size of the resized image (before padding): long side `longSide`, aspect kept, each side ≥ 1. */
export function resizedSize(
  width: number,
  height: number,
  g: ResolvedGeometry,
): { width: number; height: number } {
  if (!(width >= 1 && height >= 1))
    throw new RangeError(`image size must be positive, got ${width}×${height}`)
  if (g.mode === 'squash') return { width: g.size, height: g.size }
  const s = g.longSide / Math.max(width, height)
  return { width: Math.max(1, Math.round(width * s)), height: Math.max(1, Math.round(height * s)) }
}

/** A side padded up to a multiple of the stride, at least the networks' minimum. */
export function paddedSide(side: number, stride: number = INFER_STRIDE): number {
  return Math.max(MIN_CANVAS_SIDE, Math.ceil(side / stride) * stride)
}

/**
 * The image's part of a canvas of canvasW × canvasH as a crop box of the logit grid in tf.image.cropAndResize's
 * normalised coordinates [y1, x1, y2, x2]: with align-corners sampling, grid position 0 is canvas pixel 0
 * and position 1 canvas pixel canvas−1, so the image's last pixel (resized side − 1) is at (side−1)/(canvas−1).
 */
export function imageBox(
  resized: { width: number; height: number },
  canvas: { width: number; height: number },
): [number, number, number, number] {
  if (resized.width > canvas.width || resized.height > canvas.height)
    throw new RangeError(
      `image ${resized.width}×${resized.height} does not fit its canvas ${canvas.width}×${canvas.height}`,
    )
  return [0, 0, (resized.height - 1) / (canvas.height - 1), (resized.width - 1) / (canvas.width - 1)]
}

/** A short description for logs and run records. */
export function describeGeometry(g: ResolvedGeometry): string {
  return g.mode === 'aspect'
    ? `aspect kept, long side ${g.longSide} px, padded to a multiple of ${INFER_STRIDE} (black, bottom/right, cropped before upsampling)`
    : `squashed to ${g.size}×${g.size} (aspect ratio not kept)`
}
