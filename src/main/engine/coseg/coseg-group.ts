/**
 * Co-segmentation of one group (album cluster), given each image's logits and features at the network's
 * output grid: restricted activation → group prototypes → refined scores (coseg-math.ts) → bilinear
 * upsampling of the scores to the image's size (align-corners, as predictions upsample logits) → softmax
 * → dense CRF on the image over the allowed classes only → labels with 255 where unsure. Pure (no tfjs,
 * no randomness): the same inputs give the same labels.
 */
import { denseCrf, type DenseCrfOptions } from '../postprocess/crf/dense-crf'
import type { RgbRaster } from '../infer/predict-labels'
import type { CosegConfig } from './coseg-config'
import {
  allowedClasses,
  groupPrototypes,
  l2NormalizeRows,
  proposalLabels,
  refineScores,
  restrictedSoftmax,
  softmaxRows,
  type CosegMember,
} from './coseg-math'
import type { PrototypeInfo } from './coseg-request'

export interface GroupImageMaps {
  /** Valid tags (1–20) of the image. */
  tags: readonly number[]
  image: RgbRaster
  gridH: number
  gridW: number
  /** gridH·gridW × numClasses logits. */
  logits: Float32Array
  /** gridH·gridW × dim features. */
  features: Float32Array
}

export interface GroupLabels {
  labels: Uint8Array[]
  allowed: number[][]
  prototypes: PrototypeInfo[]
}

/** Bilinear resize with aligned corners of an h×w×k map to H×W×k (k values per pixel, row-major). */
export function resizeBilinearAlignCorners(
  src: Float32Array,
  h: number,
  w: number,
  k: number,
  outH: number,
  outW: number,
): Float32Array {
  if (src.length !== h * w * k) throw new RangeError(`map: expected ${h}×${w}×${k} values, got ${src.length}`)
  const out = new Float32Array(outH * outW * k)
  const sy = outH > 1 ? (h - 1) / (outH - 1) : 0
  const sx = outW > 1 ? (w - 1) / (outW - 1) : 0
  for (let y = 0; y < outH; y++) {
    const fy = y * sy
    const y0 = Math.min(Math.floor(fy), h - 1)
    const y1 = Math.min(y0 + 1, h - 1)
    const dy = fy - y0
    for (let x = 0; x < outW; x++) {
      const fx = x * sx
      const x0 = Math.min(Math.floor(fx), w - 1)
      const x1 = Math.min(x0 + 1, w - 1)
      const dx = fx - x0
      const o = (y * outW + x) * k
      const a = (y0 * w + x0) * k
      const b = (y0 * w + x1) * k
      const c = (y1 * w + x0) * k
      const d = (y1 * w + x1) * k
      for (let j = 0; j < k; j++) {
        const top = src[a + j]! + (src[b + j]! - src[a + j]!) * dx
        const bottom = src[c + j]! + (src[d + j]! - src[c + j]!) * dx
        out[o + j] = top + (bottom - top) * dy
      }
    }
  }
  return out
}

export function cosegmentGroup(
  images: readonly GroupImageMaps[],
  numClasses: number,
  dim: number,
  config: CosegConfig,
  crfOptions: DenseCrfOptions = {},
): GroupLabels {
  const members: CosegMember[] = images.map((im) => {
    const m = im.gridH * im.gridW
    if (im.features.length !== m * dim)
      throw new RangeError(`features: expected ${m}×${dim} values, got ${im.features.length}`)
    const allowed = allowedClasses(im.tags, numClasses)
    return {
      m,
      allowed,
      act: restrictedSoftmax(im.logits, m, numClasses, allowed),
      unit: l2NormalizeRows(im.features, m, dim),
    }
  })
  const prototypes = groupPrototypes(members, dim, config.seedConfidence)
  const labels = images.map((im, idx) => {
    const mem = members[idx]!
    const k = mem.allowed.length
    const scores = refineScores(mem, prototypes, dim, config)
    const { width, height } = im.image
    const n = width * height
    const up = resizeBilinearAlignCorners(scores, im.gridH, im.gridW, k, height, width)
    let q = softmaxRows(up, n, k)
    if (config.crf !== null && k > 1) q = denseCrf(q, im.image, k, config.crf, crfOptions)
    return proposalLabels(q, n, mem.allowed, config.minConfidence)
  })
  return {
    labels,
    allowed: members.map((m) => [...m.allowed]),
    prototypes: [...prototypes.values()].map((p) => ({
      cls: p.cls,
      seeded: p.seeded,
      pixels: p.pixels,
      images: p.images,
    })),
  }
}
