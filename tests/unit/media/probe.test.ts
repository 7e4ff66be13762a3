import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  MAX_IMAGE_PIXELS,
  MAX_IMAGE_PIXELS_ENV,
  MediaError,
  MediaErrorKind,
  probeImage,
  resolveMaxPixels,
} from '../../../src/main/media'
import {
  makeTempDir,
  writeGif,
  writeJpeg,
  writePng,
  writeText,
  writeTruncatedJpeg,
  writeWebp,
} from './helpers'

let tmp: ReturnType<typeof makeTempDir>
beforeEach(() => {
  tmp = makeTempDir()
})
afterEach(() => tmp.cleanup())

async function probeError(path: string, maxPixels?: number): Promise<MediaError> {
  try {
    await probeImage(path, { maxPixels })
  } catch (e) {
    expect(e).toBeInstanceOf(MediaError)
    return e as MediaError
  }
  throw new Error(`expected probeImage(${path}) to fail`)
}

/** Patches a PNG's IHDR size (and its CRC) so the header claims a size its data does not have. */
function withClaimedSize(png: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(png)
  out.writeUInt32BE(width, 16)
  out.writeUInt32BE(height, 20)
  let c = 0xffffffff
  for (const byte of out.subarray(12, 29)) {
    c ^= byte
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  }
  out.writeUInt32BE((c ^ 0xffffffff) >>> 0, 29)
  return out
}

describe('probeImage', () => {
  it('reads JPEG size after EXIF orientation 6 (width and height swap)', async () => {
    const p = join(tmp.dir, 'rotated.jpg')
    await writeJpeg(p, { width: 64, height: 48, orientation: 6 })
    const probe = await probeImage(p)
    expect(probe).toEqual({ width: 48, height: 64, orientation: 6, format: 'jpeg', bytes: statSync(p).size })
  })

  it('reads PNG and WebP, orientation 1 when absent', async () => {
    const png = join(tmp.dir, 'a.png')
    const webp = join(tmp.dir, 'b.webp')
    await writePng(png, { width: 30, height: 20 })
    await writeWebp(webp, { width: 17, height: 33 })
    expect(await probeImage(png)).toMatchObject({ width: 30, height: 20, orientation: 1, format: 'png' })
    expect(await probeImage(webp)).toMatchObject({ width: 17, height: 33, orientation: 1, format: 'webp' })
  })

  it('judges by content: a PNG named .jpg is a PNG, a text file named .jpg is not an image', async () => {
    const png = join(tmp.dir, 'really-a-png.jpg')
    await writePng(png, { width: 8, height: 8 })
    expect((await probeImage(png)).format).toBe('png')
    const txt = join(tmp.dir, 'notes.jpg')
    writeText(txt, 'this is a shopping list, not a photo\n')
    const e = await probeError(txt)
    expect(e.kind).toBe(MediaErrorKind.NotAnImage)
    expect(e.message).toMatch(/^not an image/)
  })

  it('refuses an empty file, a missing file and a folder', async () => {
    const zero = join(tmp.dir, 'zero.jpg')
    writeFileSync(zero, '')
    expect((await probeError(zero)).message).toBe('empty file (0 bytes)')
    const missing = await probeError(join(tmp.dir, 'nope.jpg'))
    expect(missing.kind).toBe(MediaErrorKind.Unreadable)
    expect(missing.message).toMatch(/file not found/)
    expect((await probeError(tmp.dir)).kind).toBe(MediaErrorKind.Unreadable)
  })

  it('refuses GIF as an unsupported format, naming the accepted ones', async () => {
    const gif = join(tmp.dir, 'anim.gif')
    await writeGif(gif, { width: 10, height: 10 })
    const e = await probeError(gif)
    expect(e.kind).toBe(MediaErrorKind.Unsupported)
    expect(e.message).toBe('unsupported image format GIF; accepted formats are JPEG, PNG or WebP')
  })

  it('refuses images above the pixel limit with both sizes in the message', async () => {
    const p = join(tmp.dir, 'big.png')
    await writePng(p, { width: 40, height: 30 })
    const e = await probeError(p, 1000)
    expect(e.kind).toBe(MediaErrorKind.TooLarge)
    expect(e.message).toBe('image is too large: 40×30 = 1,200 pixels; the limit is 1,000 pixels')
    // Exactly at the limit is fine.
    expect((await probeImage(p, { maxPixels: 1200 })).width).toBe(40)
    await writePng(p, { width: 4000, height: 3000 })
    expect((await probeError(p, 10_000_000)).message).toBe(
      'image is too large: 4000×3000 = 12 megapixels; the limit is 10 megapixels',
    )
    expect((await probeError(p, 5_500_000)).message).toBe(
      'image is too large: 4000×3000 = 12 megapixels; the limit is 5.5 megapixels',
    )
  })

  it('checks the limit from the header alone: a PNG claiming 100000×100000 is "too large", not "corrupt"', async () => {
    const p = join(tmp.dir, 'bomb.png')
    await writePng(p, { width: 4, height: 4 })
    writeFileSync(p, withClaimedSize(readFileSync(p), 100_000, 100_000))
    const e = await probeError(p)
    expect(e.kind).toBe(MediaErrorKind.TooLarge)
    expect(e.message).toBe('image is too large: 100000×100000 = 10000 megapixels; the limit is 50 megapixels')
  })

  it('a truncated JPEG still has a readable header (the thumbnail decode is what catches it)', async () => {
    const p = join(tmp.dir, 'cut.jpg')
    await writeTruncatedJpeg(p, { width: 200, height: 100 })
    expect(await probeImage(p)).toMatchObject({ width: 200, height: 100, format: 'jpeg' })
  })
})

describe('resolveMaxPixels', () => {
  const saved = process.env[MAX_IMAGE_PIXELS_ENV]
  afterEach(() => {
    if (saved === undefined) delete process.env[MAX_IMAGE_PIXELS_ENV]
    else process.env[MAX_IMAGE_PIXELS_ENV] = saved
  })

  it('uses the option, then the environment, then 50 megapixels', () => {
    delete process.env[MAX_IMAGE_PIXELS_ENV]
    expect(MAX_IMAGE_PIXELS).toBe(50_000_000)
    expect(resolveMaxPixels()).toBe(50_000_000)
    process.env[MAX_IMAGE_PIXELS_ENV] = '1234'
    expect(resolveMaxPixels()).toBe(1234)
    expect(resolveMaxPixels(99)).toBe(99)
    process.env[MAX_IMAGE_PIXELS_ENV] = 'lots'
    expect(() => resolveMaxPixels()).toThrow(
      /PSS_STUDIO_MAX_IMAGE_PIXELS must be a positive integer, got "lots"/,
    )
    expect(() => resolveMaxPixels(0)).toThrow(/positive integer/)
  })
})
