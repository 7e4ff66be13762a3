/** Full decode to raw RGB for the engine and superpixels: orientation applied, alpha flattened. */
import sharp from 'sharp'
import { MediaError, MediaErrorKind } from './errors'
import { resolveMaxPixels } from './limits'
import { decodeError, sharpInput } from './thumbnail'

export interface RgbImage {
  width: number
  height: number
  /** Row-major RGB, 3 bytes per pixel. */
  data: Uint8Array
}

export interface DecodeOptions {
  maxPixels?: number
  /**
   * Optional resize after orientation. `fill` stretches to exactly width×height; `inside` keeps the
   * aspect ratio within the box (never enlarging); `cover` fills the box and crops the centre.
   */
  resize?: { width: number; height: number; fit?: 'fill' | 'inside' | 'cover' }
  /** Colour behind transparent pixels (default white). */
  background?: { r: number; g: number; b: number }
}

export async function decodeRgb(path: string, opts: DecodeOptions = {}): Promise<RgbImage> {
  const maxPixels = resolveMaxPixels(opts.maxPixels)
  let pipeline = sharpInput(path, maxPixels)
    .rotate()
    .flatten({ background: opts.background ?? { r: 255, g: 255, b: 255 } })
    .toColourspace('srgb')
  if (opts.resize) {
    const fit = opts.resize.fit ?? 'fill'
    pipeline = pipeline.resize({
      width: opts.resize.width,
      height: opts.resize.height,
      fit,
      withoutEnlargement: fit === 'inside',
    })
  }
  let out: { data: Buffer; info: sharp.OutputInfo }
  try {
    out = await pipeline.raw().toBuffer({ resolveWithObject: true })
  } catch (e) {
    throw decodeError(e)
  }
  const { data, info } = out
  if (info.channels !== 3) {
    throw new MediaError(MediaErrorKind.Corrupt, `decoded to ${info.channels} channels, expected RGB`)
  }
  return {
    width: info.width,
    height: info.height,
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  }
}
