/**
 * Everything an import needs from one image file, computed off the main thread by sharp: probe (format,
 * size, orientation, pixel limit — from the header), a full decode into the thumbnail (which is what
 * catches truncated files), and the content hash. Throws MediaError with a user-facing reason. A file that
 * decodes only by tolerating damage (bad PNG CRC, corrupt JPEG data) comes back with `damage` saying so.
 */
import { MediaError, MediaErrorKind } from '../media/errors'
import { hashFile } from '../media/hash'
import { probeImage, type ImageProbe } from '../media/probe'
import { formatLabel } from '../media/formats'
import { pngFileDamage } from '../media/png-integrity'
import { makeThumbnailChecked, type CheckedThumbnail } from '../media/thumbnail'

export interface PreparedImage {
  probe: ImageProbe
  hash: string
  thumbnail: Buffer
  /** What was damaged in a file that still decoded (bad PNG CRC, corrupt JPEG data); null when intact. */
  damage: string | null
}

export interface PrepareOptions {
  maxPixels?: number
}

export async function prepareImage(path: string, opts: PrepareOptions = {}): Promise<PreparedImage> {
  // The decode starts at once, beside the probe: both are native work on libuv threads, so an event
  // loop busy with the previous image's database write does not leave the threads idle. sharp's own
  // pixel limit guards the decode; the probe's verdict (clearer words) wins when both fail.
  const thumb = makeThumbnailChecked(path, { maxPixels: opts.maxPixels }).then(
    (b): { ok: true; b: CheckedThumbnail } => ({ ok: true, b }),
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
  // Every PNG's chunk CRCs are checked here: the decoder does not always (see png-integrity.ts).
  const pngDamage = probe.format === 'png' ? await pngFileDamage(path) : null
  const { thumbnail, damaged, detail } = t.b
  const decoded = damaged
    ? `damaged ${formatLabel(probe.format)} data, decoded anyway${detail ? ` (${detail})` : ''}`
    : null
  return { probe, hash, thumbnail, damage: pngDamage ?? decoded }
}
