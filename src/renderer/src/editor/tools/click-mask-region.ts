/**
 * Click masks from a model's probability map (issue 16 item 5), pure and DOM-free:
 *
 *   1. on the map (the model's top-2 classes per pixel at ≤ 512 px, shared/click-mask.ts): the class is
 *      the top-1 class under the click (a box drag: the most frequent object class in the box), and the
 *      region is the 4-connected set of map pixels around the click whose top-1 class is that class or
 *      whose probability of it is ≥ 0.5 (a box: every such pixel inside the box, connected or not);
 *   2. upsampled to the photo: the region's indicator is interpolated bilinearly at each photo pixel
 *      (the map was made with align-corners sampling, so photo pixel x sits at x·(w−1)/(W−1) on the map)
 *      and thresholded at ½ — smooth edges instead of 8-pixel steps; only the region's bounding box is
 *      visited, so a small object on a 12-megapixel photo costs little;
 *   3. refined by the photo: snapped to SLIC superpixels — a superpixel is in when at least half of its
 *      pixels are (counted on a 2-pixel lattice: a quarter of the reads, the same answer up to sampling)
 *      — so the edge follows the photo's colour edges; a click keeps the superpixels connected to the
 *      clicked one (a search on the superpixel graph, not a flood over millions of pixels), falling back
 *      to the unsnapped region's part under the click when the snap drops the clicked pixel;
 *   4. restricted to the drag box, if any.
 * Why this shape: on a 4032×3024 photo a click must stay under 300 ms, so the photo-sized work per
 * click is one lattice pass over the region's box and one pass writing the result (snappedRegion).
 * The caller paints the region with the class (add) or erases it (Shift: subtract) as one undo step.
 */
import type { Rect } from '../label-map'
import type { Region } from '../raster'
import {
  dominantClass,
  mapPixelOf,
  mapRect,
  mapRegionOf,
  upsampleRegion,
  type ClickMaskTarget,
  type MapRegion,
  type ProbMap,
} from './prob-map'
import { connectedPart, restrictToBox, snappedRegion } from './superpixel-snap'

export * from './prob-map'
export * from './superpixel-snap'

export interface ClickMaskResult {
  /** The model's class for the region (what an add paints). */
  cls: number
  region: Region
  /** Whether the superpixel snap was used (false: none given, or it dropped the clicked pixel). */
  snapped: boolean
}

/**
 * Steps 1–4 for a click or a box on a photo of photoW×photoH pixels; `superpixels` (photo-sized SLIC
 * labels) refine the edge when given. Null when the model has no region there.
 */
export function clickMaskRegion(
  m: ProbMap,
  photoW: number,
  photoH: number,
  target: ClickMaskTarget,
  superpixels: Int32Array | null,
): ClickMaskResult | null {
  let cls: number
  let mapRegion: MapRegion
  let box: Rect | null = null
  if (target.kind === 'point') {
    const seed = mapPixelOf(m, photoW, photoH, target.x, target.y)
    cls = m.c1[seed.y * m.width + seed.x]!
    mapRegion = mapRegionOf(m, cls, seed, null)
  } else {
    box = {
      x0: Math.max(0, target.box.x0),
      y0: Math.max(0, target.box.y0),
      x1: Math.min(photoW, target.box.x1),
      y1: Math.min(photoH, target.box.y1),
    }
    if (box.x1 <= box.x0 || box.y1 <= box.y0) return null
    const within = mapRect(m, photoW, photoH, box)
    cls = dominantClass(m, within)
    mapRegion = mapRegionOf(m, cls, null, within)
  }
  if (mapRegion.size === 0) return null
  if (superpixels && superpixels.length === photoW * photoH) {
    const snapped = snappedRegion(m, mapRegion, photoW, photoH, superpixels, target, box)
    if (snapped) return { cls, region: snapped, snapped: true }
  }
  // Unsnapped: the bilinear region at full resolution, its part under the click, clipped to the box.
  const up = new Uint8Array(photoW * photoH)
  const u = upsampleRegion(m, mapRegion, photoW, photoH, up)
  if (u.size === 0) return null
  let region: Region = { mask: up, rect: u.rect, size: u.size }
  if (target.kind === 'point') {
    if (!region.mask[target.y * photoW + target.x]) return null
    region = connectedPart(region.mask, region.rect, photoW, photoH, target.x, target.y)
  }
  if (box) region = restrictToBox(region, box, photoW)
  return region.size > 0 ? { cls, region, snapped: false } : null
}
