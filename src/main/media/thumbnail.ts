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
  try {
    return await thumbnailFrom(sharpInput(path, resolveMaxPixels(opts.maxPixels)), opts)
  } catch (e) {
    throw decodeError(e)
  }
}

/** The thumbnail pipeline on an input; sharp's own error is passed on as it is. */
function thumbnailFrom(input: sharp.Sharp, opts: ThumbnailOptions): Promise<Buffer> {
  const side = opts.longSide ?? THUMBNAIL_LONG_SIDE
  return (
    input
      .rotate()
      .resize({ width: side, height: side, fit: 'inside', withoutEnlargement: true })
      // effort 2 (of 0–6): a 256-px thumbnail gains little from harder compression, imports gain speed.
      .webp({ quality: opts.quality ?? 80, effort: 2 })
      .toBuffer()
  )
}

export interface CheckedThumbnail {
  thumbnail: Buffer
  /**
   * True when the pixels decoded only by tolerating damage (JPEG data corrupt in the middle, a PNG the
   * decoder complained about): the image is usable but not intact, and the import says so for this file.
   */
  damaged: boolean
  /** libvips's words for the damage when they are clean; null when garbled (see decodeError). */
  detail: string | null
}

/**
 * makeThumbnail for imports, which must never take a damaged file silently. A strict decode first
 * (`failOn: 'warning'`: one pass for an intact file); when libvips reports damage, the tolerant decode
 * ('truncated') decides: the file is refused if it is cut short or undecodable, and otherwise imported
 * with `damaged` set. PNG chunk damage the decoder does not always see is found by png-integrity.ts.
 */
export async function makeThumbnailChecked(
  path: string,
  opts: ThumbnailOptions = {},
): Promise<CheckedThumbnail> {
  const maxPixels = resolveMaxPixels(opts.maxPixels)
  try {
    const strict = sharp(path, { failOn: 'warning', limitInputPixels: maxPixels })
    return { thumbnail: await thumbnailFrom(strict, opts), damaged: false, detail: null }
  } catch (e) {
    const strict = decodeError(e)
    if (strict.kind !== MediaErrorKind.Corrupt) throw strict
    const thumbnail = await makeThumbnail(path, opts) // throws for a truncated or undecodable file
    const detail = cleanSharpMessage(e)
    const clean = /unknown error|treated as error|read error/i.test(detail) || detail === '' ? null : detail
    return { thumbnail, damaged: true, detail: clean }
  }
}
