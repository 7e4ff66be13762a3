/**
 * Everything an import needs from one image file, computed off the main thread by sharp: probe (format,
 * size, orientation, pixel limit — from the header), a full decode into the thumbnail (which is what
 * catches truncated files), and the content hash. Throws MediaError with a user-facing reason.
 */
import { MediaError, MediaErrorKind } from '../media/errors'
import { hashFile } from '../media/hash'
import { probeImage, type ImageProbe } from '../media/probe'
import { makeThumbnail } from '../media/thumbnail'

export interface PreparedImage {
  probe: ImageProbe
  hash: string
  thumbnail: Buffer
}

export interface PrepareOptions {
  maxPixels?: number
}

export async function prepareImage(path: string, opts: PrepareOptions = {}): Promise<PreparedImage> {
  // The decode starts at once, beside the probe: both are native work on libuv threads, so an event
  // loop busy with the previous image's database write does not leave the threads idle. sharp's own
  // pixel limit guards the decode; the probe's verdict (clearer words) wins when both fail.
  const thumb = makeThumbnail(path, { maxPixels: opts.maxPixels }).then(
    (b): { ok: true; b: Buffer } => ({ ok: true, b }),
    (e: unknown): { ok: false; e: unknown } => ({ ok: false, e }),
  )
  let probe: ImageProbe
  try {
    probe = await probeImage(path, { maxPixels: opts.maxPixels })
  } catch (e) {
    await thumb
    throw e
  }
  const hash = await hashFile(path).catch((e: unknown) => {
    throw new MediaError(MediaErrorKind.Unreadable, `cannot be read (${(e as Error).message})`)
  })
  const t = await thumb
  if (!t.ok) throw t.e
  return { probe, hash, thumbnail: t.b }
}
