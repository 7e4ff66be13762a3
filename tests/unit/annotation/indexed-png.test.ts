/**
 * The save path's fast PNG reader against the generic decoder (fast-png) on PNGs from three writers:
 * the store's encodeLabelPng, the editor's browser encoder (png-encode.ts with its own deflate,
 * run-deflate.ts) and libpng through sharp (adaptive filters: Sub, Up, Average, Paeth rows).
 */
import fs from 'node:fs'
import path from 'node:path'
import sharp from 'sharp'
import { afterEach, describe, expect, it } from 'vitest'
import { IndexedPngError, readIndexedPng } from '../../../src/main/media/indexed-png'
import { decodeLabelPng, encodeLabelPng } from '../../../src/main/media/label-png'
import { vocPalette } from '../../../src/shared/voc'
import { TempDirs } from '../project/fixtures'
import { albumFixture, b64, labelsFor, type AlbumFixture } from './helpers'

/**
 * The editor's own PNG encoder (renderer code, pure: CompressionStream exists in Node too). Imported by
 * path at run time because the Node type-check project does not include renderer files.
 */
type EncodePalettePng = (map: { width: number; height: number; data: Uint8Array }) => Promise<Uint8Array>
const ENCODER = path.resolve(__dirname, '../../../src/renderer/src/editor/png-encode.ts')
async function encodePalettePng(map: {
  width: number
  height: number
  data: Uint8Array
}): Promise<Uint8Array> {
  const m = (await import(/* @vite-ignore */ ENCODER)) as { encodePalettePng: EncodePalettePng }
  return m.encodePalettePng(map)
}

type DeflateScanlines = (raw: Uint8Array, stride: number) => Uint8Array
async function deflateScanlines(raw: Uint8Array, stride: number): Promise<Uint8Array> {
  const m = (await import(
    /* @vite-ignore */ path.resolve(__dirname, '../../../src/renderer/src/editor/run-deflate.ts')
  )) as { deflateScanlines: DeflateScanlines }
  return m.deflateScanlines(raw, stride)
}

const tmp = new TempDirs()
let fx: AlbumFixture | null = null
afterEach(async () => {
  await fx?.studio.close()
  fx = null
  tmp.cleanup()
})

/** A label map with gradients and noise, so libpng picks every filter type somewhere. */
function mixed(width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height)
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      out[y * width + x] =
        y < height / 3
          ? (x * 7 + y) % 21
          : y < (2 * height) / 3
            ? ((x ^ y) * 13) % 21
            : x > width / 2
              ? 255
              : (y >> 2) % 21
  return out
}

describe('readIndexedPng', () => {
  it('reads what encodeLabelPng writes, canonical', () => {
    const labels = mixed(57, 33)
    const r = readIndexedPng(encodeLabelPng({ width: 57, height: 33, labels }))!
    expect(r).toMatchObject({ width: 57, height: 33, kind: 'palette', canonical: true })
    expect(Buffer.from(r.labels).equals(Buffer.from(labels))).toBe(true)
  })

  it("reads the editor's browser-encoded PNG, canonical", async () => {
    const labels = mixed(64, 48)
    const png = await encodePalettePng({ width: 64, height: 48, data: labels })
    const r = readIndexedPng(png)!
    expect(r.canonical).toBe(true)
    expect(Buffer.from(r.labels).equals(Buffer.from(labels))).toBe(true)
  })

  it('reads a full-size 4032×3024 editor PNG exactly (brush strokes: runs, row repeats, edges)', async () => {
    const w = 4032
    const h = 3024
    const labels = new Uint8Array(w * h)
    for (let s = 0; s < 6; s++) {
      for (let t = 0; t <= 100; t++) {
        const cx = Math.round(300 + s * 500 + (500 - s * 50) * (t / 100))
        const cy = Math.round(300 + (2400 - s * 200) * (t / 100))
        for (let y = Math.max(0, cy - 40); y <= Math.min(h - 1, cy + 40); y++)
          for (let x = Math.max(0, cx - 40); x <= Math.min(w - 1, cx + 40); x++)
            if ((x - cx) ** 2 + (y - cy) ** 2 <= 1600) labels[y * w + x] = s === 5 ? 255 : 7 + s
      }
    }
    const png = await encodePalettePng({ width: w, height: h, data: labels })
    const r = readIndexedPng(png)!
    expect(r).toMatchObject({ width: w, height: h, kind: 'palette', canonical: true })
    expect(Buffer.from(r.labels).equals(Buffer.from(labels))).toBe(true)
  })

  it("the editor's deflate makes zlib streams that zlib inflates, checksum included", async () => {
    const { inflateSync } = await import('node:zlib')
    let seed = 99
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32
    for (let t = 0; t < 200; t++) {
      const raw = new Uint8Array(Math.floor(rnd() * 3000))
      const stride = 1 + Math.floor(rnd() * 50)
      for (let i = 0; i < raw.length; i++) {
        const r = rnd()
        raw[i] =
          r < 0.05
            ? Math.floor(rnd() * 256)
            : r < 0.5 && i >= stride
              ? raw[i - stride]!
              : i > 0
                ? raw[i - 1]!
                : 200
      }
      // inflateSync throws on a bad Adler-32, a bad code or a distance before the start.
      expect(inflateSync(await deflateScanlines(raw, stride)).equals(Buffer.from(raw))).toBe(true)
      // The same bytes through an unaligned view (the word compares must not assume alignment).
      const shifted = new Uint8Array(raw.length + 1)
      shifted.set(raw, 1)
      expect(inflateSync(await deflateScanlines(shifted.subarray(1), stride)).equals(Buffer.from(raw))).toBe(
        true,
      )
    }
  })

  it('agrees with the generic decoder on libpng palette and greyscale PNGs with adaptive filters', async () => {
    const w = 120
    const h = 90
    const labels = mixed(w, h)
    const gray = await sharp(Buffer.from(labels), { raw: { width: w, height: h, channels: 1 } })
      .toColourspace('b-w')
      .png({ adaptiveFiltering: true, compressionLevel: 9 })
      .toBuffer()
    const g = readIndexedPng(gray)!
    expect(g).toMatchObject({ kind: 'gray', canonical: false })
    expect(Buffer.from(g.labels).equals(Buffer.from(decodeLabelPng(gray).labels))).toBe(true)
    expect(Buffer.from(g.labels).equals(Buffer.from(labels))).toBe(true)
    // which filters libpng used (byte 0 of each inflated row): more than just None
    const filters = new Set(await rowFilters(gray, w, h))
    expect(filters.size).toBeGreaterThan(1)
  })

  it('returns null for PNGs it does not handle (RGB, 16-bit) and throws on broken ones', async () => {
    const rgb = await sharp({ create: { width: 4, height: 3, channels: 3, background: '#336699' } })
      .png()
      .toBuffer()
    expect(readIndexedPng(rgb)).toBeNull()
    const png = encodeLabelPng({ width: 8, height: 8, labels: new Uint8Array(64).fill(3) })
    const badCrc = Buffer.from(png)
    badCrc[40] = badCrc[40]! ^ 0xff
    expect(() => readIndexedPng(badCrc)).toThrow(IndexedPngError)
    expect(() => readIndexedPng(png.subarray(0, png.length - 12))).toThrow('no IEND')
    expect(() => readIndexedPng(Buffer.from('not a png at all'))).toThrow('bad signature')
  })

  it('is not canonical with another palette or an extra chunk', () => {
    const labels = new Uint8Array(16).fill(2)
    const pal = vocPalette()
    pal[6] = 1
    expect(readIndexedPng(encodeLabelPng({ width: 4, height: 4, labels }, pal))!.canonical).toBe(false)
  })
})

describe('saveMask with PNGs', () => {
  it('stores a canonical editor PNG byte for byte, and re-encodes a greyscale one', async () => {
    fx = await albumFixture(tmp, 1)
    const [id] = fx.imageIds as [number]
    const labels = labelsFor(fx.width, fx.height, 4)
    const png = await encodePalettePng({ width: fx.width, height: fx.height, data: labels })
    await fx.studio.api.saveMask({ imageId: id, pngBase64: b64(png), baseVersion: null })
    const v1 = fs.readFileSync(path.join(fx.project.root, 'masks', String(id), 'v1.png'))
    expect(v1.equals(Buffer.from(png))).toBe(true)
    const gray = await sharp(Buffer.from(labels), {
      raw: { width: fx.width, height: fx.height, channels: 1 },
    })
      .toColourspace('b-w')
      .png()
      .toBuffer()
    await fx.studio.api.saveMask({ imageId: id, pngBase64: b64(gray), baseVersion: 1 })
    const v2 = fs.readFileSync(path.join(fx.project.root, 'masks', String(id), 'v2.png'))
    expect(v2.equals(encodeLabelPng({ width: fx.width, height: fx.height, labels }))).toBe(true)
    // a broken PNG is refused, naming the image
    const broken = Buffer.from(png)
    broken[broken.length - 20] = broken[broken.length - 20]! ^ 0xff
    await expect(
      fx.studio.api.saveMask({ imageId: id, pngBase64: b64(broken), baseVersion: 2 }),
    ).rejects.toMatchObject({
      payload: {
        code: 'BAD_ARGUMENTS',
        message: expect.stringContaining(`mask for image ${id}: not a readable PNG`),
      },
    })
  })
})

async function rowFilters(png: Buffer, w: number, h: number): Promise<number[]> {
  const { inflateSync } = await import('node:zlib')
  const chunks: Buffer[] = []
  for (let off = 8; off < png.length;) {
    const len = png.readUInt32BE(off)
    if (png.toString('ascii', off + 4, off + 8) === 'IDAT') chunks.push(png.subarray(off + 8, off + 8 + len))
    off += 12 + len
  }
  const raw = inflateSync(Buffer.concat(chunks))
  return Array.from({ length: h }, (_, y) => raw[y * (w + 1)]!)
}
