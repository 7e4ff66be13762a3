/**
 * Reads what the library needs to know about an image without decoding its pixels: format (from the
 * content), size after EXIF orientation, orientation, byte size. Refuses non-images, unsupported formats
 * and images above the pixel limit here, so nothing downstream ever decodes them.
 */
import { open, stat } from 'node:fs/promises'
import sharp from 'sharp'
import { MediaError, MediaErrorKind, cleanSharpMessage } from './errors'
import {
  ACCEPTED_FORMATS_TEXT,
  SNIFF_BYTES,
  formatLabel,
  isAcceptedFormat,
  sniffFormat,
  type AcceptedFormat,
} from './formats'
import { formatMegapixels, resolveMaxPixels } from './limits'

export interface ImageProbe {
  /** Width as displayed, i.e. after applying the EXIF orientation. */
  width: number
  /** Height as displayed, i.e. after applying the EXIF orientation. */
  height: number
  /** EXIF orientation tag 1–8 (1 when absent). 5–8 swap width and height. */
  orientation: number
  format: AcceptedFormat
  /** File size in bytes. */
  bytes: number
}

export interface ProbeOptions {
  /** Pixel limit (width × height); default `resolveMaxPixels()`. */
  maxPixels?: number
}

/** Reads the first bytes of a file, mapping file-system errors to a readable MediaError. */
async function readHead(path: string): Promise<{ head: Uint8Array; bytes: number }> {
  let size: number
  try {
    const st = await stat(path)
    if (st.isDirectory()) throw new MediaError(MediaErrorKind.Unreadable, 'is a folder, not a file')
    if (!st.isFile()) throw new MediaError(MediaErrorKind.Unreadable, 'is not a regular file')
    size = st.size
  } catch (e) {
    if (e instanceof MediaError) throw e
    throw new MediaError(MediaErrorKind.Unreadable, `cannot be read (${fsReason(e)})`)
  }
  if (size === 0) throw new MediaError(MediaErrorKind.Empty, 'empty file (0 bytes)')
  try {
    const fh = await open(path, 'r')
    try {
      const head = new Uint8Array(Math.min(SNIFF_BYTES, size))
      const { bytesRead } = await fh.read(head, 0, head.length, 0)
      return { head: head.subarray(0, bytesRead), bytes: size }
    } finally {
      await fh.close()
    }
  } catch (e) {
    throw new MediaError(MediaErrorKind.Unreadable, `cannot be read (${fsReason(e)})`)
  }
}

function fsReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code
  switch (code) {
    case 'ENOENT':
      return 'file not found'
    case 'EACCES':
    case 'EPERM':
      return 'permission denied'
    case 'EISDIR':
      return 'is a folder'
    default:
      return e instanceof Error ? e.message : String(e)
  }
}

/** Refuses non-images and unsupported formats by content; returns the accepted format. */
export function checkFormat(head: Uint8Array): AcceptedFormat {
  const sniffed = sniffFormat(head)
  if (sniffed === null) {
    throw new MediaError(
      MediaErrorKind.NotAnImage,
      `not an image (the content is not ${ACCEPTED_FORMATS_TEXT})`,
    )
  }
  if (!isAcceptedFormat(sniffed)) {
    throw new MediaError(
      MediaErrorKind.Unsupported,
      `unsupported image format ${formatLabel(sniffed)}; accepted formats are ${ACCEPTED_FORMATS_TEXT}`,
    )
  }
  return sniffed
}

/** Throws TooLarge when width × height exceeds the limit. */
export function checkPixelLimit(width: number, height: number, maxPixels: number): void {
  const pixels = width * height
  if (pixels > maxPixels) {
    throw new MediaError(
      MediaErrorKind.TooLarge,
      `image is too large: ${width}×${height} = ${formatMegapixels(pixels)}; the limit is ${formatMegapixels(maxPixels)}`,
    )
  }
}

export async function probeImage(path: string, opts: ProbeOptions = {}): Promise<ImageProbe> {
  const maxPixels = resolveMaxPixels(opts.maxPixels)
  const { head, bytes } = await readHead(path)
  const format = checkFormat(head)
  let meta: sharp.Metadata
  try {
    // Header only: no pixel decoding happens in metadata(). The pixel limit is checked by us below with
    // a clear message, so sharp's own limit is switched off for this call.
    meta = await sharp(path, { limitInputPixels: false }).metadata()
  } catch (e) {
    throw new MediaError(
      MediaErrorKind.Corrupt,
      `damaged ${formatLabel(format)} file: ${cleanSharpMessage(e)}`,
    )
  }
  const w = meta.width
  const h = meta.height
  if (!w || !h)
    throw new MediaError(
      MediaErrorKind.Corrupt,
      `damaged ${formatLabel(format)} file: no image size in the header`,
    )
  checkPixelLimit(w, h, maxPixels)
  const orientation =
    meta.orientation !== undefined && meta.orientation >= 1 && meta.orientation <= 8 ? meta.orientation : 1
  const swap = orientation >= 5
  return { width: swap ? h : w, height: swap ? w : h, orientation, format, bytes }
}
