/**
 * Nearest-neighbour resize of a label map (a prediction scored against a GT of another size).
 *
 * Convention: pixel centres, as Pillow's `Image.resize(size, Image.NEAREST)`. Output column x takes
 * source column ⌊(x + ½)·s⌋ with s = srcWidth / dstWidth (rows likewise), clamped to the image.
 * To give Pillow's result bit for bit we evaluate it the way Pillow does (ImagingScaleAffine):
 * the coordinate starts at s/2 and s is ADDED once per pixel in float64, then truncated. That
 * running sum can fall a hair below an exact tie — e.g. 2 → 7 columns, x = 3: (3.5)·2/7 = 1 exactly,
 * but s/2 + 3s = 0.99999… — and then picks the lower source pixel, as Pillow does. The golden test
 * checks this against Pillow itself on many size pairs (tests/fixtures/eval/make_golden.py).
 *
 * Note: the released PSS code resizes with OpenCV's INTER_NEAREST, which maps x → ⌊x·s⌋ (no half
 * pixel); the two conventions can differ by one source pixel along each axis.
 */
import type { LabelMap } from '../../media/label-png'

/** Source index of each of `dst` output positions along one axis (Pillow's accumulated centres). */
export function nearestIndexMap(src: number, dst: number): Int32Array {
  if (!Number.isInteger(src) || !Number.isInteger(dst) || src < 1 || dst < 1) {
    throw new RangeError(`cannot resize ${src} pixels to ${dst}: both must be positive integers`)
  }
  const out = new Int32Array(dst)
  const scale = src / dst
  let pos = scale * 0.5
  for (let x = 0; x < dst; x++) {
    // pos ≥ 0 always; truncation = floor. Clamp guards the last pixel against rounding up to src.
    out[x] = Math.min(Math.trunc(pos), src - 1)
    pos += scale
  }
  return out
}

export function resizeLabelsNearest(map: LabelMap, width: number, height: number): LabelMap {
  if (map.labels.length !== map.width * map.height) {
    throw new RangeError(`label map holds ${map.labels.length} values, expected ${map.width}×${map.height}`)
  }
  if (width === map.width && height === map.height) return { width, height, labels: map.labels.slice() }
  const xs = nearestIndexMap(map.width, width)
  const ys = nearestIndexMap(map.height, height)
  const labels = new Uint8Array(width * height)
  for (let y = 0; y < height; y++) {
    const srcRow = ys[y]! * map.width
    const dstRow = y * width
    for (let x = 0; x < width; x++) labels[dstRow + x] = map.labels[srcRow + xs[x]!]!
  }
  return { width, height, labels }
}
