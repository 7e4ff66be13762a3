/**
 * Steps 1–2 of a click mask (see click-mask-region.ts): the model's top-2 map as the editor keeps it, the
 * region on the map around a click or inside a box, and its bilinear upsampling to the photo. Pure.
 */
import type { Rect } from '../label-map'

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
export function mapRect(m: ProbMap, photoW: number, photoH: number, r: Rect): Rect {
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

/** What was clicked: a photo pixel, or a dragged box (photo pixels, half-open). */
export type ClickMaskTarget = { kind: 'point'; x: number; y: number } | { kind: 'box'; box: Rect }
