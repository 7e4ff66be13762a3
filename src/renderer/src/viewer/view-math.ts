/** Pan/zoom maths of the image viewer, and the canvas-size cap. Pure functions. */

export interface ViewTransform {
  /** Screen pixels per image pixel. */
  scale: number
  /** Screen position of the image's top-left corner. */
  x: number
  y: number
}

export const MIN_SCALE = 0.02
export const MAX_SCALE = 32

/**
 * Chromium refuses canvases above ~268 M backing pixels (and silently draws nothing); stay far below.
 * 64 M leaves room for the several layers a stage keeps.
 */
export const MAX_CANVAS_PIXELS = 64 * 1024 * 1024

/** Whole image visible, centred, with `padding` screen pixels around it; never upscaled past 1:1 × 4. */
export function fitTransform(
  imageW: number,
  imageH: number,
  viewW: number,
  viewH: number,
  padding = 16,
): ViewTransform {
  if (imageW <= 0 || imageH <= 0 || viewW <= 0 || viewH <= 0) return { scale: 1, x: 0, y: 0 }
  const availW = Math.max(1, viewW - 2 * padding)
  const availH = Math.max(1, viewH - 2 * padding)
  const scale = clamp(Math.min(availW / imageW, availH / imageH, 4), MIN_SCALE, MAX_SCALE)
  return { scale, x: (viewW - imageW * scale) / 2, y: (viewH - imageH * scale) / 2 }
}

/** Zooms by `factor` keeping the image point under the screen point (px, py) where it is. */
export function zoomAt(t: ViewTransform, px: number, py: number, factor: number): ViewTransform {
  const scale = clamp(t.scale * factor, MIN_SCALE, MAX_SCALE)
  const k = scale / t.scale
  return { scale, x: px - (px - t.x) * k, y: py - (py - t.y) * k }
}

/**
 * Device pixel ratio for a canvas of width×height CSS pixels so that its backing store
 * (width·height·ratio²) stays at or below maxPixels. Never above the screen's own ratio.
 */
export function safePixelRatio(
  width: number,
  height: number,
  devicePixelRatio: number,
  maxPixels = MAX_CANVAS_PIXELS,
): number {
  const dpr = devicePixelRatio > 0 && Number.isFinite(devicePixelRatio) ? devicePixelRatio : 1
  const area = Math.max(1, width) * Math.max(1, height)
  if (area * dpr * dpr <= maxPixels) return dpr
  return Math.sqrt(maxPixels / area)
}

/**
 * Size to rasterise a W×H bitmap at (e.g. the mask, recoloured on an offscreen canvas) so it stays
 * under maxPixels; keeps the aspect ratio.
 */
export function cappedBitmapSize(
  width: number,
  height: number,
  maxPixels = MAX_CANVAS_PIXELS,
): { width: number; height: number; scale: number } {
  const area = width * height
  if (area <= maxPixels) return { width, height, scale: 1 }
  const scale = Math.sqrt(maxPixels / area)
  return {
    width: Math.max(1, Math.floor(width * scale)),
    height: Math.max(1, Math.floor(height * scale)),
    scale,
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v))
}
