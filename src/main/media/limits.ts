/**
 * Pixel limit for images the studio will decode. A 50-megapixel RGB image is ~150 MB raw; anything
 * bigger is almost surely a scan or a panorama, not an album photo, and decoding it would stall the
 * machine. The limit is checked from the file header (before pixels are decoded) and also handed to
 * sharp (`limitInputPixels`) so a decode can never exceed it either.
 */
export const MAX_IMAGE_PIXELS = 50_000_000

/** Environment override, for a curator with a big machine (e.g. `PSS_STUDIO_MAX_IMAGE_PIXELS=120000000`). */
export const MAX_IMAGE_PIXELS_ENV = 'PSS_STUDIO_MAX_IMAGE_PIXELS'

/** The limit to apply: an explicit option first, then the environment, then MAX_IMAGE_PIXELS. */
export function resolveMaxPixels(maxPixels?: number): number {
  if (maxPixels !== undefined) {
    if (!Number.isInteger(maxPixels) || maxPixels <= 0) {
      throw new Error(`maxPixels must be a positive integer, got ${maxPixels}`)
    }
    return maxPixels
  }
  const env = process.env[MAX_IMAGE_PIXELS_ENV]
  if (env !== undefined && env.trim() !== '') {
    const n = Number(env)
    if (Number.isInteger(n) && n > 0) return n
    throw new Error(`${MAX_IMAGE_PIXELS_ENV} must be a positive integer, got "${env}"`)
  }
  return MAX_IMAGE_PIXELS
}

/** "12.3 megapixels" for messages; small counts (test limits, thumbnails) as "12,000 pixels". */
export function formatMegapixels(pixels: number): string {
  if (pixels < 100_000) return `${pixels.toLocaleString('en-US')} pixels`
  const mp = pixels / 1_000_000
  return `${mp >= 10 ? mp.toFixed(0) : mp.toFixed(1)} megapixels`
}
