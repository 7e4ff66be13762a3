/**
 * Thumbnails for the library grid. Making one is also the import's full decode: sharp's metadata()
 * reads only the header and happily reports the size of a JPEG cut in half, so a file is only known to
 * be whole once its pixels have been decoded to the end (`failOn: 'truncated'`).
 */
import sharp from 'sharp'
import { MediaError, MediaErrorKind, cleanSharpMessage } from './errors'
import { resolveMaxPixels } from './limits'

export const THUMBNAIL_LONG_SIDE = 256

export interface ThumbnailOptions {
  maxPixels?: number
  /** Long side in pixels (default 256); smaller images are not enlarged. */
  longSide?: number
  /** WebP quality 1–100 (default 80). */
  quality?: number
}

/**
 * `failOn: 'truncated'` refuses cut-short files but tolerates the harmless warnings many cameras'
 * JPEGs produce (stray bytes before a marker), which the default 'warning' would reject.
 */
export function sharpInput(path: string, maxPixels: number): sharp.Sharp {
  return sharp(path, { failOn: 'truncated', limitInputPixels: maxPixels })
}

/**
 * Maps a decode failure to a MediaError (pixel limit vs damaged data). libvips keeps one error buffer
 * for all threads, so when two decodes fail at once the detail text can be doubled or "Unknown error";
 * the kind and the main sentence never depend on it, the detail is only appended when it is clean.
 */
export function decodeError(e: unknown): MediaError {
  const msg = cleanSharpMessage(e)
  if (/pixel limit/i.test(msg))
    return new MediaError(MediaErrorKind.TooLarge, 'image is too large: it exceeds the pixel limit')
  if (/unsupported image format/i.test(msg)) return new MediaError(MediaErrorKind.NotAnImage, 'not an image')
  if (/input file is missing/i.test(msg))
    return new MediaError(MediaErrorKind.Unreadable, 'cannot be read (file not found)')
  const detail = /unknown error|treated as error/i.test(msg) || msg === '' ? '' : ` (${msg})`
  return new MediaError(
    MediaErrorKind.Corrupt,
    `cannot be decoded: the file is truncated or corrupt${detail}`,
  )
}

/** A WebP thumbnail, EXIF orientation applied, long side `longSide` (never enlarged). */
export async function makeThumbnail(path: string, opts: ThumbnailOptions = {}): Promise<Buffer> {
  const maxPixels = resolveMaxPixels(opts.maxPixels)
  const side = opts.longSide ?? THUMBNAIL_LONG_SIDE
  try {
    return await sharpInput(path, maxPixels)
      .rotate()
      .resize({ width: side, height: side, fit: 'inside', withoutEnlargement: true })
      // effort 2 (of 0–6): a 256-px thumbnail gains little from harder compression, imports gain speed.
      .webp({ quality: opts.quality ?? 80, effort: 2 })
      .toBuffer()
  } catch (e) {
    throw decodeError(e)
  }
}
