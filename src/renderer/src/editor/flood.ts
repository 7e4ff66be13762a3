/**
 * Flood fills that find a region: the magic wand on the photo's colours (4-connected pixels whose
 * colour is within `tolerance` of the seed's in every channel) and the connected component of one
 * label value (accepting a region of a prediction). Iterative with an explicit stack: no recursion
 * limit on big images.
 */
import type { Region } from './raster'

function grow(width: number, height: number, sx: number, sy: number, inside: (i: number) => boolean): Region {
  const mask = new Uint8Array(width * height)
  const rect = { x0: sx, y0: sy, x1: sx + 1, y1: sy + 1 }
  if (sx < 0 || sy < 0 || sx >= width || sy >= height)
    return { mask, rect: { x0: 0, y0: 0, x1: 0, y1: 0 }, size: 0 }
  let size = 0
  const stack = new Int32Array(width * height)
  let top = 0
  const seed = sy * width + sx
  stack[top++] = seed
  mask[seed] = 1
  while (top > 0) {
    const i = stack[--top]!
    size++
    const x = i % width
    const y = (i - x) / width
    if (x < rect.x0) rect.x0 = x
    if (x + 1 > rect.x1) rect.x1 = x + 1
    if (y < rect.y0) rect.y0 = y
    if (y + 1 > rect.y1) rect.y1 = y + 1
    const visit = (j: number): void => {
      if (!mask[j] && inside(j)) {
        mask[j] = 1
        stack[top++] = j
      }
    }
    if (x > 0) visit(i - 1)
    if (x + 1 < width) visit(i + 1)
    if (y > 0) visit(i - width)
    if (y + 1 < height) visit(i + width)
  }
  return { mask, rect, size }
}

/** Magic wand on RGBA pixels. `tolerance` 0–255 (max channel difference to the seed colour). */
export function magicWand(
  rgba: Uint8ClampedArray | Uint8Array,
  width: number,
  height: number,
  sx: number,
  sy: number,
  tolerance: number,
): Region {
  const s = (sy * width + sx) * 4
  const r = rgba[s]!
  const g = rgba[s + 1]!
  const b = rgba[s + 2]!
  return grow(width, height, sx, sy, (i) => {
    const o = i * 4
    return (
      Math.abs(rgba[o]! - r) <= tolerance &&
      Math.abs(rgba[o + 1]! - g) <= tolerance &&
      Math.abs(rgba[o + 2]! - b) <= tolerance
    )
  })
}

/** The 4-connected component of equal values around (sx, sy) in a label array. */
export function labelComponent(
  labels: Uint8Array | Int32Array,
  width: number,
  height: number,
  sx: number,
  sy: number,
): Region {
  const v = labels[sy * width + sx]
  return grow(width, height, sx, sy, (i) => labels[i] === v)
}
