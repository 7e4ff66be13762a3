import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { MediaError, MediaErrorKind, decodeRgb, makeThumbnail, sniffFormat } from '../../../src/main/media'
import {
  makeTempDir,
  pattern,
  sizeOf,
  writeGreyPng,
  writeJpeg,
  writePng,
  writeText,
  writeTruncatedJpeg,
} from './helpers'

let tmp: ReturnType<typeof makeTempDir>
beforeEach(() => {
  tmp = makeTempDir()
})
afterEach(() => tmp.cleanup())

function pixel(img: { width: number; data: Uint8Array }, x: number, y: number): [number, number, number] {
  const i = (y * img.width + x) * 3
  return [img.data[i]!, img.data[i + 1]!, img.data[i + 2]!]
}

const isRed = ([r, g, b]: [number, number, number]): boolean => r > 200 && g < 60 && b < 60
const isBlue = ([r, g, b]: [number, number, number]): boolean => r < 60 && g < 60 && b > 200

describe('makeThumbnail', () => {
  it('makes a WebP with long side 256 and applies EXIF orientation 6', async () => {
    const p = join(tmp.dir, 'photo.jpg')
    await writeJpeg(p, { width: 1024, height: 768, orientation: 6 })
    const thumb = await makeThumbnail(p)
    expect(sniffFormat(thumb)).toBe('webp')
    expect(await sizeOf(thumb)).toEqual({ format: 'webp', width: 192, height: 256 })
  })

  it('does not enlarge small images', async () => {
    const p = join(tmp.dir, 'small.png')
    await writePng(p, { width: 40, height: 20 })
    expect(await sizeOf(await makeThumbnail(p))).toEqual({ format: 'webp', width: 40, height: 20 })
  })

  it('reports a truncated JPEG as corrupt', async () => {
    const p = join(tmp.dir, 'cut.jpg')
    await writeTruncatedJpeg(p, { width: 300, height: 200 })
    const e = await makeThumbnail(p).catch((x: unknown) => x)
    expect(e).toBeInstanceOf(MediaError)
    expect((e as MediaError).kind).toBe(MediaErrorKind.Corrupt)
    expect((e as MediaError).message).toMatch(/^cannot be decoded: the file is truncated or corrupt/)
  })

  it('reports a truncated PNG as corrupt', async () => {
    const p = join(tmp.dir, 'cut.png')
    const full = await sharp(pattern(300, 200, 5), { raw: { width: 300, height: 200, channels: 3 } })
      .png()
      .toBuffer()
    writeFileSync(p, full.subarray(0, full.length >> 1))
    const e = await makeThumbnail(p).catch((x: unknown) => x)
    expect((e as MediaError).kind).toBe(MediaErrorKind.Corrupt)
  })

  it('enforces the pixel limit on decode too', async () => {
    const p = join(tmp.dir, 'big.png')
    await writePng(p, { width: 40, height: 30 })
    const e = await makeThumbnail(p, { maxPixels: 1000 }).catch((x: unknown) => x)
    expect((e as MediaError).kind).toBe(MediaErrorKind.TooLarge)
  })

  it('refuses text content', async () => {
    const p = join(tmp.dir, 'x.jpg')
    writeText(p, 'hello')
    const e = await makeThumbnail(p).catch((x: unknown) => x)
    expect((e as MediaError).kind).toBe(MediaErrorKind.NotAnImage)
  })
})

describe('decodeRgb', () => {
  it('returns RGB pixels with orientation 6 applied: the stored top-left quadrant shows top-right', async () => {
    const p = join(tmp.dir, 'quad.jpg')
    await writeJpeg(p, { width: 64, height: 48, orientation: 6, redTopLeft: true }, 95)
    const img = await decodeRgb(p)
    expect([img.width, img.height, img.data.length]).toEqual([48, 64, 48 * 64 * 3])
    // Rotating 90° clockwise moves the stored top-left corner to the displayed top-right corner.
    expect(isRed(pixel(img, 48 - 8, 8))).toBe(true)
    expect(isBlue(pixel(img, 8, 8))).toBe(true)
    expect(isBlue(pixel(img, 48 - 8, 64 - 8))).toBe(true)
  })

  it('without orientation the red quadrant stays top-left', async () => {
    const p = join(tmp.dir, 'quad.png')
    await writePng(p, { width: 64, height: 48, redTopLeft: true })
    const img = await decodeRgb(p)
    expect(pixel(img, 5, 5)).toEqual([255, 0, 0])
    expect(pixel(img, 60, 5)).toEqual([0, 0, 255])
  })

  it('turns greyscale into 3 channels and flattens alpha onto white', async () => {
    const grey = join(tmp.dir, 'grey.png')
    await writeGreyPng(grey, 4, 3, new Uint8Array(12).fill(77))
    expect(readFileSync(grey)[25]).toBe(0) // IHDR colour type 0: really a greyscale PNG
    const g = await decodeRgb(grey)
    expect([g.width, g.height, g.data.length]).toEqual([4, 3, 36])
    expect(pixel(g, 2, 1)).toEqual([77, 77, 77])
    const rgba = join(tmp.dir, 'alpha.png')
    const raw = Buffer.alloc(4 * 4)
    raw.set([10, 20, 30, 255], 0) // opaque first pixel; the others fully transparent black
    writeFileSync(
      rgba,
      await sharp(raw, { raw: { width: 2, height: 2, channels: 4 } })
        .png()
        .toBuffer(),
    )
    const a = await decodeRgb(rgba)
    expect(pixel(a, 0, 0)).toEqual([10, 20, 30])
    expect(pixel(a, 1, 1)).toEqual([255, 255, 255])
  })

  it('resizes after orientation when asked', async () => {
    const p = join(tmp.dir, 'r.jpg')
    await writeJpeg(p, { width: 64, height: 48, orientation: 6 })
    const img = await decodeRgb(p, { resize: { width: 24, height: 32 } })
    expect([img.width, img.height, img.data.length]).toEqual([24, 32, 24 * 32 * 3])
  })
})
