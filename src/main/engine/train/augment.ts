/**
 * Seeded training augmentation as pure functions on host arrays (so it runs in the data-loader thread, not
 * on the training thread): random resize (long side = baseSize × U[minScale, maxScale]), random crop (padding
 * when the resized image is smaller: image with `fill`, labels with the ignore label), horizontal flip.
 *
 * Resize and crop are fused: each output pixel samples the source directly at its position in the resized
 * image. Images: bilinear with half-pixel centres (PyTorch align_corners=False: src = (dst+0.5)·in/out − 0.5,
 * clamped to the edges). Labels: nearest at the pixel centre (PIL NEAREST: src = floor((dst+0.5)·in/out)).
 */
import type { Rng } from './rng'
import { IGNORE_LABEL } from '../losses/cross-entropy'

export interface AugmentOptions {
  /** Square crop side. */
  crop: number
  /** Long side before scaling (the paper: 320). */
  baseSize: number
  minScale: number
  maxScale: number
  flip: boolean
}

export interface AugmentPlan {
  scaledW: number
  scaledH: number
  cropX: number
  cropY: number
  flip: boolean
}

/** Draws, in this order: scale, flip, crop x, crop y. */
export function planAugment(rng: Rng, srcW: number, srcH: number, o: AugmentOptions): AugmentPlan {
  if (srcW < 1 || srcH < 1) throw new Error(`planAugment: empty image ${srcW}×${srcH}`)
  if (!(o.minScale > 0 && o.maxScale >= o.minScale)) {
    throw new Error(`planAugment: scale range [${o.minScale}, ${o.maxScale}] is invalid`)
  }
  const longSide = Math.max(1, Math.round(o.baseSize * rng.uniform(o.minScale, o.maxScale)))
  const s = longSide / Math.max(srcW, srcH)
  const scaledW = Math.max(1, Math.round(srcW * s))
  const scaledH = Math.max(1, Math.round(srcH * s))
  const flip = o.flip ? rng.next() < 0.5 : false
  const cropX = rng.int(Math.max(0, scaledW - o.crop) + 1)
  const cropY = rng.int(Math.max(0, scaledH - o.crop) + 1)
  return { scaledW, scaledH, cropX, cropY, flip }
}

export interface ImageRaster {
  data: Float32Array | Uint8Array
  width: number
  height: number
  channels: number
}

export interface LabelRaster {
  data: Uint8Array
  width: number
  height: number
}

/** Output pixel (x, y) of the crop → column/row in the resized image. */
function scaledCoord(plan: AugmentPlan, crop: number, x: number): number {
  return plan.cropX + (plan.flip ? crop - 1 - x : x)
}

export function augmentImage(img: ImageRaster, plan: AugmentPlan, crop: number, fill = 0): Float32Array {
  const { width: w, height: h, channels: c, data } = img
  if (data.length !== w * h * c)
    throw new Error(`augmentImage: data has ${data.length} values, expected ${w * h * c}`)
  const out = new Float32Array(crop * crop * c)
  const sx = w / plan.scaledW
  const sy = h / plan.scaledH
  for (let y = 0; y < crop; y++) {
    const ry = plan.cropY + y
    const inY = ry < plan.scaledH
    const fy = Math.max(0, (ry + 0.5) * sy - 0.5)
    const y0 = Math.min(Math.floor(fy), h - 1)
    const y1 = Math.min(y0 + 1, h - 1)
    const ly = fy - y0
    for (let x = 0; x < crop; x++) {
      const o = (y * crop + x) * c
      const rx = scaledCoord(plan, crop, x)
      if (!inY || rx >= plan.scaledW) {
        out.fill(fill, o, o + c)
        continue
      }
      const fx = Math.max(0, (rx + 0.5) * sx - 0.5)
      const x0 = Math.min(Math.floor(fx), w - 1)
      const x1 = Math.min(x0 + 1, w - 1)
      const lx = fx - x0
      for (let k = 0; k < c; k++) {
        const a = data[(y0 * w + x0) * c + k] as number
        const b = data[(y0 * w + x1) * c + k] as number
        const d = data[(y1 * w + x0) * c + k] as number
        const e = data[(y1 * w + x1) * c + k] as number
        out[o + k] = (1 - ly) * ((1 - lx) * a + lx * b) + ly * ((1 - lx) * d + lx * e)
      }
    }
  }
  return out
}

export function augmentLabel(
  lab: LabelRaster,
  plan: AugmentPlan,
  crop: number,
  ignore = IGNORE_LABEL,
): Uint8Array {
  const { width: w, height: h, data } = lab
  if (data.length !== w * h)
    throw new Error(`augmentLabel: data has ${data.length} values, expected ${w * h}`)
  const out = new Uint8Array(crop * crop)
  const sx = w / plan.scaledW
  const sy = h / plan.scaledH
  for (let y = 0; y < crop; y++) {
    const ry = plan.cropY + y
    const srcY = Math.min(Math.floor((ry + 0.5) * sy), h - 1)
    for (let x = 0; x < crop; x++) {
      const rx = scaledCoord(plan, crop, x)
      if (ry >= plan.scaledH || rx >= plan.scaledW) {
        out[y * crop + x] = ignore
        continue
      }
      const srcX = Math.min(Math.floor((rx + 0.5) * sx), w - 1)
      out[y * crop + x] = data[srcY * w + srcX] as number
    }
  }
  return out
}
