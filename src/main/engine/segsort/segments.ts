/**
 * Training segments of SegSort (Hwang et al. 2019, §3.2): a segment is the set of pixels of one image that
 * share both a ground-truth class and an oversegmentation region. Pure functions on plain arrays: the
 * segment ids are data for the loss, never differentiated.
 */

export const IGNORE_LABEL = 255

/** The segments of a batch: which segment each pixel is in, and each segment's class. */
export interface SegmentBatch {
  /** Segment of each pixel (batch-major, row-major; −1 = ignored pixel). */
  segmentOf: Int32Array
  /** Class of each segment (length = number of segments). */
  segmentClass: Int32Array
  /** Image (batch index) of each segment. */
  segmentImage: Int32Array
}

/**
 * Segments = (image, region, class) triples present in the batch, numbered in first-seen order.
 * `labels` and `regions` hold n·hw values; pixels labelled `ignore` belong to no segment.
 */
export function buildSegments(
  labels: ArrayLike<number>,
  regions: ArrayLike<number>,
  n: number,
  hw: number,
  ignore = IGNORE_LABEL,
): SegmentBatch {
  if (labels.length !== n * hw || regions.length !== n * hw) {
    throw new Error(
      `buildSegments: expected ${n * hw} labels and regions, got ${labels.length} and ${regions.length}`,
    )
  }
  const segmentOf = new Int32Array(n * hw).fill(-1)
  const classes: number[] = []
  const images: number[] = []
  for (let b = 0; b < n; b++) {
    const ids = new Map<string, number>()
    for (let i = b * hw; i < (b + 1) * hw; i++) {
      const c = labels[i] as number
      if (c === ignore) continue
      const key = `${regions[i] as number}:${c}`
      let s = ids.get(key)
      if (s === undefined) {
        s = classes.length
        ids.set(key, s)
        classes.push(c)
        images.push(b)
      }
      segmentOf[i] = s
    }
  }
  return { segmentOf, segmentClass: Int32Array.from(classes), segmentImage: Int32Array.from(images) }
}

/** A fixed g×g grid over an h×w image: region id of each pixel (row-major). */
export function gridRegions(h: number, w: number, g: number): Int32Array {
  if (!Number.isInteger(g) || g < 1) throw new Error(`gridRegions: grid must be a positive integer, got ${g}`)
  const out = new Int32Array(h * w)
  for (let y = 0; y < h; y++) {
    const gy = Math.min(g - 1, Math.floor((y * g) / h))
    for (let x = 0; x < w; x++) out[y * w + x] = gy * g + Math.min(g - 1, Math.floor((x * g) / w))
  }
  return out
}

/** Bounding box [x0, y0, x1, y1] (inclusive-exclusive) of the pixels where `mask(i)` holds, or null. */
export function boundingBox(
  h: number,
  w: number,
  mask: (i: number) => boolean,
): [number, number, number, number] | null {
  let x0 = w
  let y0 = h
  let x1 = -1
  let y1 = -1
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!mask(y * w + x)) continue
      if (x < x0) x0 = x
      if (x > x1) x1 = x
      if (y < y0) y0 = y
      if (y > y1) y1 = y
    }
  }
  return x1 < 0 ? null : [x0, y0, x1 + 1, y1 + 1]
}
