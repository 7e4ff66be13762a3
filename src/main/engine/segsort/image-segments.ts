/**
 * Segments of one image from its pixel embeddings (unit vectors at the network's input size, hw × dim):
 * spherical k-means cuts the image into at most K segments (SegSort inference); for an annotated image the
 * clusters are further split by the ground-truth classes (memory-bank segments). Each segment gets its
 * prototype (normalised mean embedding), pixel count and bounding box. Pure math, no tfjs.
 */
import { boundingBox, buildSegments, IGNORE_LABEL } from './segments'
import { sphericalKMeans } from './spherical-kmeans'

export type Box = [number, number, number, number]

export interface ImageSegments {
  /** Segment of each pixel (−1 = none: a void pixel of an annotated image). */
  segmentOf: Int32Array
  count: number
  /** Unit prototypes, count × dim. */
  prototypes: Float32Array
  pixels: Int32Array
  /** Bounding boxes [x0, y0, x1, y1) in the embedding's pixel grid. */
  boxes: Box[]
  /** Ground-truth class of each segment (annotated images), else empty. */
  classes: Int32Array
}

/** Normalised mean of the embeddings of each segment, and its pixel count. */
export function segmentPrototypes(
  emb: Float32Array,
  segmentOf: Int32Array,
  count: number,
  dim: number,
): { prototypes: Float32Array; pixels: Int32Array } {
  const prototypes = new Float32Array(count * dim)
  const pixels = new Int32Array(count)
  for (let i = 0; i < segmentOf.length; i++) {
    const s = segmentOf[i] as number
    if (s < 0) continue
    pixels[s]!++
    for (let t = 0; t < dim; t++)
      prototypes[s * dim + t] = (prototypes[s * dim + t] as number) + (emb[i * dim + t] as number)
  }
  for (let s = 0; s < count; s++) {
    let n = 0
    for (let t = 0; t < dim; t++) n += (prototypes[s * dim + t] as number) ** 2
    const inv = n > 0 ? 1 / Math.sqrt(n) : 0
    for (let t = 0; t < dim; t++) prototypes[s * dim + t] = (prototypes[s * dim + t] as number) * inv
  }
  return { prototypes, pixels }
}

function boxesOf(segmentOf: Int32Array, count: number, h: number, w: number): Box[] {
  const boxes: Box[] = []
  const x0 = new Int32Array(count).fill(w)
  const y0 = new Int32Array(count).fill(h)
  const x1 = new Int32Array(count).fill(-1)
  const y1 = new Int32Array(count).fill(-1)
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const s = segmentOf[y * w + x] as number
      if (s < 0) continue
      if (x < x0[s]!) x0[s] = x
      if (x > x1[s]!) x1[s] = x
      if (y < y0[s]!) y0[s] = y
      if (y > y1[s]!) y1[s] = y
    }
  }
  for (let s = 0; s < count; s++) boxes.push([x0[s]!, y0[s]!, x1[s]! + 1, y1[s]! + 1])
  return boxes
}

/**
 * Segments of an image: spherical k-means into ≤ `clusters` groups, intersected with `labels` when given
 * (void pixels then belong to no segment).
 */
export function imageSegments(
  emb: Float32Array,
  h: number,
  w: number,
  dim: number,
  clusters: number,
  seed: number,
  labels?: ArrayLike<number>,
): ImageSegments {
  const hw = h * w
  if (emb.length !== hw * dim)
    throw new Error(`imageSegments: expected ${hw * dim} values, got ${emb.length}`)
  const km = sphericalKMeans(emb, hw, dim, clusters, seed)
  let segmentOf: Int32Array
  let classes: Int32Array
  let count: number
  if (labels) {
    const seg = buildSegments(labels, km.assignments, 1, hw, IGNORE_LABEL)
    segmentOf = seg.segmentOf
    classes = seg.segmentClass
    count = seg.segmentClass.length
  } else {
    segmentOf = km.assignments
    classes = new Int32Array(0)
    count = km.k
  }
  const { prototypes, pixels } = segmentPrototypes(emb, segmentOf, count, dim)
  return { segmentOf, count, prototypes, pixels, boxes: boxesOf(segmentOf, count, h, w), classes }
}

/** A box on an h×w grid scaled to a width×height image (outward rounding, clamped). */
export function scaleBox(b: Box, h: number, w: number, height: number, width: number): Box {
  return [
    Math.max(0, Math.floor((b[0] * width) / w)),
    Math.max(0, Math.floor((b[1] * height) / h)),
    Math.min(width, Math.ceil((b[2] * width) / w)),
    Math.min(height, Math.ceil((b[3] * height) / h)),
  ]
}

export { boundingBox }
