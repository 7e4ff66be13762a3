/**
 * Steps 3–4 of a click mask (see click-mask-region.ts): the model's region snapped to SLIC superpixels,
 * its part connected to the click, and the restriction to a dragged box. Pure.
 */
import type { Rect } from '../label-map'
import type { Region } from '../raster'
import type { ClickMaskTarget, MapRegion, ProbMap } from './prob-map'
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
