/**
 * Pixel tools on a label map: brush/eraser capsules, polygon fill, and applying a region mask. Each
 * calls `rec.touch(rect)` before it changes pixels (for undo) and returns the changed rectangle.
 * A pixel belongs to a shape when its centre (x + 0.5, y + 0.5) is inside.
 */
import type { EditRecorder } from './history'
import { canPaint, clipRect, type BrushMode, type LabelMap, type Rect } from './label-map'

/**
 * Paints the capsule of radius `r` around the segment (ax, ay)–(bx, by) (image coordinates, continuous).
 * A click is a segment of length 0 (a disc). Returns the touched rectangle or null.
 */
export function paintSegment(
  map: LabelMap,
  ax: number,
  ay: number,
  bx: number,
  by: number,
  r: number,
  value: number,
  mode: BrushMode,
  rec: EditRecorder | null,
): Rect | null {
  const box = clipRect(
    {
      x0: Math.min(ax, bx) - r,
      y0: Math.min(ay, by) - r,
      x1: Math.max(ax, bx) + r,
      y1: Math.max(ay, by) + r,
    },
    map.width,
    map.height,
  )
  if (!box) return null
  rec?.touch(box)
  const dx = bx - ax
  const dy = by - ay
  const len2 = dx * dx + dy * dy
  const r2 = r * r
  const { data, width } = map
  for (let y = box.y0; y < box.y1; y++) {
    const py = y + 0.5
    for (let x = box.x0; x < box.x1; x++) {
      const px = x + 0.5
      let t = len2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / len2 : 0
      t = t < 0 ? 0 : t > 1 ? 1 : t
      const ex = px - (ax + t * dx)
      const ey = py - (ay + t * dy)
      if (ex * ex + ey * ey > r2) continue
      const i = y * width + x
      if (canPaint(data[i]!, value, mode)) data[i] = value
    }
  }
  return box
}

/** Even-odd scanline fill of a closed polygon (image coordinates). */
export function fillPolygon(
  map: LabelMap,
  pts: readonly { x: number; y: number }[],
  value: number,
  mode: BrushMode,
  rec: EditRecorder | null,
): Rect | null {
  if (pts.length < 3) return null
  const xs = pts.map((p) => p.x)
  const ys = pts.map((p) => p.y)
  const box = clipRect(
    { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs) + 1, y1: Math.max(...ys) + 1 },
    map.width,
    map.height,
  )
  if (!box) return null
  rec?.touch(box)
  const { data, width } = map
  const crossings: number[] = []
  for (let y = box.y0; y < box.y1; y++) {
    const py = y + 0.5
    crossings.length = 0
    for (let i = 0, j = pts.length - 1; i < pts.length; j = i++) {
      const a = pts[i]!
      const b = pts[j]!
      if (a.y > py !== b.y > py) crossings.push(a.x + ((py - a.y) * (b.x - a.x)) / (b.y - a.y))
    }
    crossings.sort((p, q) => p - q)
    for (let k = 0; k + 1 < crossings.length; k += 2) {
      // pixels whose centre x + 0.5 lies in [c0, c1)
      const from = Math.max(box.x0, Math.ceil(crossings[k]! - 0.5))
      const to = Math.min(box.x1, Math.ceil(crossings[k + 1]! - 0.5))
      for (let x = from; x < to; x++) {
        const i = y * width + x
        if (canPaint(data[i]!, value, mode)) data[i] = value
      }
    }
  }
  return box
}

/** A region of pixels (from a flood fill, a superpixel or a prediction component). */
export interface Region {
  /** 1 where the region is, row-major over the whole image. */
  mask: Uint8Array
  rect: Rect
  size: number
}

export function applyRegion(
  map: LabelMap,
  region: Region,
  value: number,
  mode: BrushMode,
  rec: EditRecorder | null,
): Rect | null {
  if (region.size === 0) return null
  rec?.touch(region.rect)
  const { data, width } = map
  for (let y = region.rect.y0; y < region.rect.y1; y++) {
    for (let x = region.rect.x0; x < region.rect.x1; x++) {
      const i = y * width + x
      if (region.mask[i] && canPaint(data[i]!, value, mode)) data[i] = value
    }
  }
  return region.rect
}
