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

/** Writes the colours of `rect` into an RGBA buffer of the rectangle's size. */
export function paintRect(map: LabelMap, rect: Rect, lut: Uint32Array, out: Uint32Array): void {
  const w = rect.x1 - rect.x0
  for (let y = rect.y0; y < rect.y1; y++) {
    const row = y * map.width
    const o = (y - rect.y0) * w - rect.x0
    for (let x = rect.x0; x < rect.x1; x++) out[o + x] = lut[map.data[row + x]!]!
  }
}

export function cssColor(index: number): string {
  const p = vocPalette()
  return `rgb(${p[index * 3]}, ${p[index * 3 + 1]}, ${p[index * 3 + 2]})`
}
