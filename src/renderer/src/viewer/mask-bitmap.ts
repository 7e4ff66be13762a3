/**
 * Turns a VOC palette mask (as the browser decoded it: RGB colours) into an overlay bitmap where
 * background (index 0, pure black in the VOC palette and the only black entry) is transparent, so the
 * overlay tints objects without darkening the rest of the photo.
 */
import { cappedBitmapSize, MAX_CANVAS_PIXELS } from './view-math'

/** In place: alpha 0 for black pixels, 255 for every other colour. */
export function clearBackground(rgba: Uint8ClampedArray): void {
  for (let i = 0; i < rgba.length; i += 4) {
    rgba[i + 3] = rgba[i] === 0 && rgba[i + 1] === 0 && rgba[i + 2] === 0 ? 0 : 255
  }
}

export interface MaskOverlay {
  source: CanvasImageSource
  /** True when background could not be cleared (tainted canvas); draw it with 'screen' blending then. */
  opaqueBackground: boolean
}

/** Rasterises the mask (capped below the canvas pixel limit) and clears its background. */
export function maskOverlay(img: HTMLImageElement, maxPixels = MAX_CANVAS_PIXELS): MaskOverlay {
  const size = cappedBitmapSize(img.naturalWidth, img.naturalHeight, maxPixels)
  const canvas = document.createElement('canvas')
  canvas.width = size.width
  canvas.height = size.height
  const ctx = canvas.getContext('2d', { willReadFrequently: true })
  if (!ctx) return { source: img, opaqueBackground: true }
  // Labels are categorical: never blend neighbouring colours into new ones.
  ctx.imageSmoothingEnabled = false
  ctx.drawImage(img, 0, 0, size.width, size.height)
  try {
    const data = ctx.getImageData(0, 0, size.width, size.height)
    clearBackground(data.data)
    ctx.putImageData(data, 0, 0)
    return { source: canvas, opaqueBackground: false }
  } catch {
    // A media protocol without CORS taints the canvas; fall back to blending.
    return { source: img, opaqueBackground: true }
  }
}
