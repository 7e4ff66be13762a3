/** Display colours of labels: VOC colours; 255 (ignore/unlabelled) is transparent on the overlay. */
import { vocPalette } from '../../../shared/voc'
import type { LabelMap, Rect } from './label-map'

/** RGBA per label as little-endian uint32 (for a Uint32Array view of ImageData). */
export function overlayLut(): Uint32Array {
  const p = vocPalette()
  const lut = new Uint32Array(256)
  for (let i = 0; i < 256; i++) {
    const a = i === 255 ? 0 : 255
    lut[i] = ((a << 24) | (p[i * 3 + 2]! << 16) | (p[i * 3 + 1]! << 8) | p[i * 3]!) >>> 0
  }
  return lut
}

/**
 * Writes the colours of `rect` into an RGBA buffer: one of the rectangle's size (default), or one of
 * `outWidth` pixels per row at the rectangle's own position (a whole-image buffer).
 */
export function paintRect(
  map: LabelMap,
  rect: Rect,
  lut: Uint32Array,
  out: Uint32Array,
  outWidth?: number,
): void {
  const w = outWidth ?? rect.x1 - rect.x0
  const dx = outWidth === undefined ? rect.x0 : 0
  const dy = outWidth === undefined ? rect.y0 : 0
  const data = map.data
  for (let y = rect.y0; y < rect.y1; y++) {
    const row = y * map.width
    const o = (y - dy) * w - dx
    // Label maps are flat regions: colour them run by run (a native fill per long run is ~2.5× faster
    // than a lookup per pixel on a full-image repaint, e.g. undoing a flood fill).
    let x = rect.x0
    while (x < rect.x1) {
      const v = data[row + x]!
      let e = x + 1
      while (e < rect.x1 && data[row + e] === v) e++
      const c = lut[v]!
      if (e - x > 8) out.fill(c, o + x, o + e)
      else for (let k = x; k < e; k++) out[o + k] = c
      x = e
    }
  }
}

export function cssColor(index: number): string {
  const p = vocPalette()
  return `rgb(${p[index * 3]}, ${p[index * 3 + 1]}, ${p[index * 3 + 2]})`
}

/**
 * Colours of `rect` of a proposal in diagonal stripes (strong and faint alpha), so a proposal layer
 * never reads as mask pixels; 255 stays transparent.
 */
export function paintHatchedRect(
  labels: Uint8Array,
  width: number,
  rect: Rect,
  lut: Uint32Array,
  out: Uint32Array,
): void {
  const w = rect.x1 - rect.x0
  for (let y = rect.y0; y < rect.y1; y++) {
    const row = y * width
    const o = (y - rect.y0) * w - rect.x0
    for (let x = rect.x0; x < rect.x1; x++) {
      const c = lut[labels[row + x]!]!
      // Alpha 0xe6 on 4-pixel diagonal bands, 0x50 between them (transparent stays transparent).
      out[o + x] = c >>> 24 === 0 ? 0 : ((c & 0x00ffffff) | ((((x + y) & 7) < 4 ? 0xe6 : 0x50) << 24)) >>> 0
    }
  }
}
