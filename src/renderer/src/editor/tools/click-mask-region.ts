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

/** The model's top-2 map as the editor keeps it (decoded from ClickMaskMapReady.top2Base64). */
export interface ProbMap {
  width: number
  height: number
  /** Top-1 class, its probability·255, top-2 class, its probability·255 (width·height each). */
  c1: Uint8Array
  p1: Uint8Array
  c2: Uint8Array
  p2: Uint8Array
}

/** Splits the four planes; throws when the bytes do not fit the size. */
export function probMapFromPlanes(planes: Uint8Array, width: number, height: number): ProbMap {
  const n = width * height
  if (planes.length !== 4 * n)
    throw new Error(
      `click mask: a ${width}×${height} probability map has ${4 * n} bytes, got ${planes.length}`,
    )
  return {
    width,
    height,
    c1: planes.subarray(0, n),
    p1: planes.subarray(n, 2 * n),
    c2: planes.subarray(2 * n, 3 * n),
    p2: planes.subarray(3 * n),
  }
}

/** Probability·255 of class `c` at map pixel i (0 when it is neither of the top two). */
export function probOf(m: ProbMap, i: number, c: number): number {
  return m.c1[i] === c ? m.p1[i]! : m.c2[i] === c ? m.p2[i]! : 0
}

/** Map coordinate (continuous) of photo pixel x: align-corners, as the map was sampled. */
function toMap(x: number, photo: number, map: number): number {
  return photo > 1 ? (x * (map - 1)) / (photo - 1) : 0
}

/** The nearest map pixel of a photo pixel. */
export function mapPixelOf(
  m: ProbMap,
  photoW: number,
  photoH: number,
  x: number,
  y: number,
): { x: number; y: number } {
  return { x: Math.round(toMap(x, photoW, m.width)), y: Math.round(toMap(y, photoH, m.height)) }
}

/** The map pixels a photo rectangle covers (at least one). */
function mapRect(m: ProbMap, photoW: number, photoH: number, r: Rect): Rect {
  const x0 = Math.max(0, Math.floor(toMap(r.x0, photoW, m.width)))
  const y0 = Math.max(0, Math.floor(toMap(r.y0, photoH, m.height)))
  const x1 = Math.min(m.width, Math.ceil(toMap(r.x1 - 1, photoW, m.width)) + 1)
  const y1 = Math.min(m.height, Math.ceil(toMap(r.y1 - 1, photoH, m.height)) + 1)
  return { x0, y0, x1: Math.max(x1, x0 + 1), y1: Math.max(y1, y0 + 1) }
}

/** A map-resolution region: indicator bytes and the bounding box of its pixels. */
export interface MapRegion {
  mask: Uint8Array
  rect: Rect
  size: number
}

/**
 * Step 1: the map region of class `c` — 4-connected to map pixel `seed` when given, else every pixel of
 * the class inside `within` (map pixels). Empty when the seed is not of the class.
 */
export function mapRegionOf(
  m: ProbMap,
  c: number,
  seed: { x: number; y: number } | null,
  within: Rect | null,
): MapRegion {
  const { width, height } = m
  const lim = within ?? { x0: 0, y0: 0, x1: width, y1: height }
  // Which map pixels may join: of class c (top-1, or ≥ 0.5 of it), inside the limit.
  const ok = new Uint8Array(width * height)
  for (let y = lim.y0; y < lim.y1; y++) {
    for (let x = lim.x0; x < lim.x1; x++) {
      const i = y * width + x
      if (m.c1[i] === c || (m.c2[i] === c && m.p2[i]! >= 128)) ok[i] = 1
    }
  }
  const mask = new Uint8Array(width * height)
  const rect = { x0: width, y0: height, x1: 0, y1: 0 }
  let size = 0
  const add = (i: number): void => {
    mask[i] = 1
    size++
    const x = i % width
    const y = (i - x) / width
    if (x < rect.x0) rect.x0 = x
    if (x + 1 > rect.x1) rect.x1 = x + 1
    if (y < rect.y0) rect.y0 = y
    if (y + 1 > rect.y1) rect.y1 = y + 1
  }
  if (seed === null) {
    for (let i = 0; i < ok.length; i++) if (ok[i]) add(i)
    return { mask, rect, size }
  }
  const s0 = seed.y * width + seed.x
  if (!ok[s0]) return { mask, rect: { x0: 0, y0: 0, x1: 0, y1: 0 }, size: 0 }
  const stack = new Int32Array(width * height)
  let top = 0
  const push = (j: number): void => {
    if (ok[j] && !mask[j]) {
      add(j)
      stack[top++] = j
    }
  }
  stack[top++] = s0
  add(s0)
  while (top > 0) {
    const i = stack[--top]!
    const x = i % width
    if (x > 0) push(i - 1)
    if (x + 1 < width) push(i + 1)
    if (i >= width) push(i - width)
    if (i + width < ok.length) push(i + width)
  }
  return { mask, rect, size }
}

/** The most frequent top-1 object class (1…) in map rectangle r; background (0) when there is none. */
export function dominantClass(m: ProbMap, r: Rect): number {
  const counts = new Uint32Array(256)
  for (let y = r.y0; y < r.y1; y++) for (let x = r.x0; x < r.x1; x++) counts[m.c1[y * m.width + x]!]!++
  let best = 0
  let bestCount = 0
  for (let c = 1; c < 255; c++) {
    if (counts[c]! > bestCount) {
      best = c
      bestCount = counts[c]!
    }
  }
  return best
}

/**
 * Step 2: the map region at photo resolution — bilinear interpolation of its indicator, ≥ ½ — over the
 * photo pixels whose map position is within one map pixel of the region. Writes into `out` (photo-sized,
 * zeroed) and returns the bounding rectangle and count.
 */
export function upsampleRegion(
  m: ProbMap,
  region: MapRegion,
  photoW: number,
  photoH: number,
  out: Uint8Array,
): { rect: Rect; size: number } {
  const sx = photoW > 1 ? (m.width - 1) / (photoW - 1) : 0
  const sy = photoH > 1 ? (m.height - 1) / (photoH - 1) : 0
  // Photo pixels whose map coordinate lies within (rect.x0 − 1, rect.x1): outside, all four neighbours are 0.
  const px0 = Math.max(0, Math.floor((region.rect.x0 - 1) / (sx || 1)))
  const px1 = Math.min(photoW, Math.ceil(region.rect.x1 / (sx || 1)) + 1)
  const py0 = Math.max(0, Math.floor((region.rect.y0 - 1) / (sy || 1)))
  const py1 = Math.min(photoH, Math.ceil(region.rect.y1 / (sy || 1)) + 1)
  const cols = px1 - px0
  const xa = new Int32Array(cols)
  const xb = new Int32Array(cols)
  const wx = new Float32Array(cols)
  for (let k = 0; k < cols; k++) {
    const f = (px0 + k) * sx
    const a = Math.min(m.width - 1, Math.floor(f))
    xa[k] = a
    xb[k] = Math.min(m.width - 1, a + 1)
    wx[k] = f - a
  }
  const mk = region.mask
  const mw = m.width
  const rect = { x0: photoW, y0: photoH, x1: 0, y1: 0 }
  let size = 0
  for (let y = py0; y < py1; y++) {
    const f = y * sy
    const a = Math.min(m.height - 1, Math.floor(f))
    const b = Math.min(m.height - 1, a + 1)
    const wy = f - a
    const ra = a * mw
    const rb = b * mw
    const row = y * photoW
    let any = false
    for (let k = 0; k < cols; k++) {
      const i = xa[k]!
      const j = xb[k]!
      const top = mk[ra + i]! + (mk[ra + j]! - mk[ra + i]!) * wx[k]!
      const bot = mk[rb + i]! + (mk[rb + j]! - mk[rb + i]!) * wx[k]!
      if (top + (bot - top) * wy >= 0.5) {
        const x = px0 + k
        out[row + x] = 1
        size++
        if (x < rect.x0) rect.x0 = x
        if (x + 1 > rect.x1) rect.x1 = x + 1
        any = true
      }
    }
    if (any) {
      if (y < rect.y0) rect.y0 = y
      rect.y1 = y + 1
    }
  }
  return { rect: size > 0 ? rect : { x0: 0, y0: 0, x1: 0, y1: 0 }, size }
}

/** Lattice step of the superpixel vote: every 2nd pixel on both axes (a quarter of the work). */
export const VOTE_STEP = 2

/**
 * What the snap needs of a superpixel map, computed once per map (one pass over the photo, cached):
 * each superpixel's lattice-pixel count (pixels with x and y multiples of VOTE_STEP), its bounding box,
 * and its 4-neighbours (so the part connected to the click is found on the superpixel graph, not by a
 * flood over millions of pixels).
 */
export interface SuperpixelStats {
  count: number
  latticeArea: Uint32Array
  /** x0, y0, x1, y1 per superpixel. */
  box: Int32Array
  /** Neighbours of superpixel k: adjacency[adjacencyStart[k] … adjacencyStart[k + 1]). */
  adjacencyStart: Uint32Array
  adjacency: Int32Array
}

const statsCache = new WeakMap<Int32Array, SuperpixelStats>()

export function superpixelStats(sp: Int32Array, width: number): SuperpixelStats {
  const hit = statsCache.get(sp)
  if (hit) return hit
  let count = 0
  for (let i = 0; i < sp.length; i++) if (sp[i]! >= count) count = sp[i]! + 1
  const latticeArea = new Uint32Array(count)
  const box = new Int32Array(4 * count)
  for (let k = 0; k < count; k++) {
    box[4 * k] = 0x7fffffff
    box[4 * k + 1] = 0x7fffffff
  }
  const height = sp.length / width
  const edges = new Set<number>()
  for (let y = 0; y < height; y++) {
    const row = y * width
    for (let x = 0; x < width; x++) {
      const k = sp[row + x]!
      if (x % VOTE_STEP === 0 && y % VOTE_STEP === 0) latticeArea[k]!++
      const o = 4 * k
      if (x < box[o]!) box[o] = x
      if (y < box[o + 1]!) box[o + 1] = y
      if (x + 1 > box[o + 2]!) box[o + 2] = x + 1
      if (y + 1 > box[o + 3]!) box[o + 3] = y + 1
      if (x + 1 < width && sp[row + x + 1] !== k)
        edges.add(Math.min(k, sp[row + x + 1]!) * count + Math.max(k, sp[row + x + 1]!))
      if (y + 1 < height && sp[row + width + x] !== k)
        edges.add(Math.min(k, sp[row + width + x]!) * count + Math.max(k, sp[row + width + x]!))
    }
  }
  const degree = new Uint32Array(count + 1)
  for (const e of edges) {
    degree[Math.floor(e / count)]!++
    degree[e % count]!++
  }
  const adjacencyStart = new Uint32Array(count + 1)
  for (let k = 0; k < count; k++) adjacencyStart[k + 1] = adjacencyStart[k]! + degree[k]!
  const fill = adjacencyStart.slice(0, count)
  const adjacency = new Int32Array(adjacencyStart[count]!)
  for (const e of edges) {
    const a = Math.floor(e / count)
    const b = e % count
    adjacency[fill[a]!++] = b
    adjacency[fill[b]!++] = a
  }
  const st = { count, latticeArea, box, adjacencyStart, adjacency }
  statsCache.set(sp, st)
  return st
}

/**
 * Steps 2–3 together, on the superpixels: the region's bilinear indicator (as upsampleRegion computes
 * it) is read on the vote lattice only; a superpixel is in when at least half of its lattice pixels are
 * inside; a click keeps the superpixels connected to the clicked one (none: null, the caller falls back
 * to the unsnapped region); a box keeps every one and clips to the box. Writes only the result, once.
 */
export function snappedRegion(
  m: ProbMap,
  region: MapRegion,
  photoW: number,
  photoH: number,
  sp: Int32Array,
  target: ClickMaskTarget,
  box: Rect | null,
): Region | null {
  const st = superpixelStats(sp, photoW)
  const sx = photoW > 1 ? (m.width - 1) / (photoW - 1) : 0
  const sy = photoH > 1 ? (m.height - 1) / (photoH - 1) : 0
  const lat = (v: number): number => Math.ceil(v / VOTE_STEP) * VOTE_STEP
  const px0 = lat(Math.max(0, Math.floor((region.rect.x0 - 1) / (sx || 1))))
  const px1 = Math.min(photoW, Math.ceil(region.rect.x1 / (sx || 1)) + 1)
  const py0 = lat(Math.max(0, Math.floor((region.rect.y0 - 1) / (sy || 1))))
  const py1 = Math.min(photoH, Math.ceil(region.rect.y1 / (sy || 1)) + 1)
  const hits = new Uint32Array(st.count)
  const mk = region.mask
  const mw = m.width
  for (let y = py0; y < py1; y += VOTE_STEP) {
    const f = y * sy
    const a = Math.min(m.height - 1, Math.floor(f))
    const b = Math.min(m.height - 1, a + 1)
    const wy = f - a
    const ra = a * mw
    const rb = b * mw
    const row = y * photoW
    for (let x = px0; x < px1; x += VOTE_STEP) {
      const g = x * sx
      const i = Math.min(m.width - 1, Math.floor(g))
      const j = Math.min(m.width - 1, i + 1)
      const wx = g - i
      const top = mk[ra + i]! + (mk[ra + j]! - mk[ra + i]!) * wx
      const bot = mk[rb + i]! + (mk[rb + j]! - mk[rb + i]!) * wx
      if (top + (bot - top) * wy >= 0.5) hits[sp[row + x]!]!++
    }
  }
  const keep = new Uint8Array(st.count)
  for (let k = 0; k < st.count; k++) if (hits[k]! > 0 && 2 * hits[k]! >= st.latticeArea[k]!) keep[k] = 1
  let chosen = keep
  if (target.kind === 'point') {
    const start = sp[target.y * photoW + target.x]!
    if (!keep[start]) return null
    chosen = new Uint8Array(st.count)
    chosen[start] = 1
    const queue = [start]
    while (queue.length > 0) {
      const k = queue.pop()!
      for (let e = st.adjacencyStart[k]!; e < st.adjacencyStart[k + 1]!; e++) {
        const n = st.adjacency[e]!
        if (keep[n] && !chosen[n]) {
          chosen[n] = 1
          queue.push(n)
        }
      }
    }
  }
  const r = { x0: photoW, y0: photoH, x1: 0, y1: 0 }
  for (let k = 0; k < st.count; k++) {
    if (!chosen[k]) continue
    const o = 4 * k
    r.x0 = Math.min(r.x0, st.box[o]!)
    r.y0 = Math.min(r.y0, st.box[o + 1]!)
    r.x1 = Math.max(r.x1, st.box[o + 2]!)
    r.y1 = Math.max(r.y1, st.box[o + 3]!)
  }
  if (box) {
    r.x0 = Math.max(r.x0, box.x0)
    r.y0 = Math.max(r.y0, box.y0)
    r.x1 = Math.min(r.x1, box.x1)
    r.y1 = Math.min(r.y1, box.y1)
  }
  if (r.x1 <= r.x0 || r.y1 <= r.y0) return null
  const out = new Uint8Array(photoW * photoH)
  let size = 0
  const tight = { x0: photoW, y0: photoH, x1: 0, y1: 0 }
  for (let y = r.y0; y < r.y1; y++) {
    const row = y * photoW
    let any = false
    for (let x = r.x0; x < r.x1; x++) {
      if (chosen[sp[row + x]!]) {
        out[row + x] = 1
        size++
        if (x < tight.x0) tight.x0 = x
        if (x + 1 > tight.x1) tight.x1 = x + 1
        any = true
      }
    }
    if (any) {
      if (y < tight.y0) tight.y0 = y
      tight.y1 = y + 1
    }
  }
  return size > 0 ? { mask: out, rect: tight, size } : null
}

/** The 4-connected part of `mask` (inside `rect`) around (sx, sy), as a new photo-sized region. */
export function connectedPart(
  mask: Uint8Array,
  rect: Rect,
  width: number,
  height: number,
  sx: number,
  sy: number,
): Region {
  const out = new Uint8Array(width * height)
  const r = { x0: sx, y0: sy, x1: sx + 1, y1: sy + 1 }
  if (!mask[sy * width + sx]) return { mask: out, rect: { x0: 0, y0: 0, x1: 0, y1: 0 }, size: 0 }
  const rw = rect.x1 - rect.x0
  const stack = new Int32Array(rw * (rect.y1 - rect.y0))
  let top = 0
  let size = 0
  const seed = sy * width + sx
  out[seed] = 1
  stack[top++] = seed
  const visit = (j: number): void => {
    if (mask[j] && !out[j]) {
      out[j] = 1
      stack[top++] = j
    }
  }
  while (top > 0) {
    const i = stack[--top]!
    size++
    const x = i % width
    const y = (i - x) / width
    if (x < r.x0) r.x0 = x
    if (x + 1 > r.x1) r.x1 = x + 1
    if (y < r.y0) r.y0 = y
    if (y + 1 > r.y1) r.y1 = y + 1
    if (x > rect.x0) visit(i - 1)
    if (x + 1 < rect.x1) visit(i + 1)
    if (y > rect.y0) visit(i - width)
    if (y + 1 < rect.y1) visit(i + width)
  }
  return { mask: out, rect: r, size }
}

/** Clears the pixels of a region outside `box`; returns the region with its new rectangle and size. */
export function restrictToBox(region: Region, box: Rect, width: number): Region {
  const { mask } = region
  const r = region.rect
  const out = {
    x0: Math.max(r.x0, box.x0),
    y0: Math.max(r.y0, box.y0),
    x1: Math.min(r.x1, box.x1),
    y1: Math.min(r.y1, box.y1),
  }
  let size = 0
  for (let y = r.y0; y < r.y1; y++) {
    for (let x = r.x0; x < r.x1; x++) {
      const i = y * width + x
      if (!mask[i]) continue
      if (x < box.x0 || x >= box.x1 || y < box.y0 || y >= box.y1) mask[i] = 0
      else size++
    }
  }
  return size > 0 && out.x1 > out.x0 && out.y1 > out.y0
    ? { mask, rect: out, size }
    : { mask, rect: { x0: 0, y0: 0, x1: 0, y1: 0 }, size: 0 }
}

/** What was clicked: a photo pixel, or a dragged box (photo pixels, half-open). */
export type ClickMaskTarget = { kind: 'point'; x: number; y: number } | { kind: 'box'; box: Rect }

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
