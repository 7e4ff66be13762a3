import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { MaskError, MaskErrorKind, encodeLabelPng, readMask, readMaskFile } from '../../../src/main/media'
import { makeTempDir, writeGreyPng, writeJpeg, writeRgbPng } from './helpers'

let tmp: ReturnType<typeof makeTempDir>
beforeEach(() => {
  tmp = makeTempDir()
})
afterEach(() => tmp.cleanup())

function labels(width: number, height: number, fill: (i: number) => number): Uint8Array {
  return Uint8Array.from({ length: width * height }, (_, i) => fill(i))
}

async function maskError(path: string, w: number, h: number): Promise<MaskError> {
  const e = await readMaskFile(path, w, h).catch((x: unknown) => x)
  expect(e).toBeInstanceOf(MaskError)
  return e as MaskError
}

describe('readMaskFile', () => {
  it('reads a VOC palette mask with its indices, 255 included', async () => {
    const p = join(tmp.dir, 'm.png')
    const l = labels(7, 5, (i) => (i === 3 ? 255 : i % 21))
    writeFileSync(p, encodeLabelPng({ width: 7, height: 5, labels: l }))
    expect(Array.from(await readMaskFile(p, 7, 5))).toEqual(Array.from(l))
    expect((await readMask(p, 7, 5)).kind).toBe('palette')
  })

  it('reads a greyscale SegmentationClassAug mask', async () => {
    const p = join(tmp.dir, 'aug.png')
    const l = labels(6, 4, (i) => (i < 12 ? 15 : i === 20 ? 255 : 0))
    await writeGreyPng(p, 6, 4, l)
    expect(readFileSync(p)[25]).toBe(0) // IHDR colour type 0: greyscale
    const m = await readMask(p, 6, 4)
    expect(m.kind).toBe('gray')
    expect(Array.from(m.labels)).toEqual(Array.from(l))
  })

  it('refuses an RGB mask', async () => {
    const p = join(tmp.dir, 'rgb.png')
    await writeRgbPng(p, 6, 4)
    const e = await maskError(p, 6, 4)
    expect(e.kind).toBe(MaskErrorKind.NotIndexed)
    expect(e.reason).toMatch(
      /^mask is an RGB PNG, not a label mask: masks must be palette \(indexed\) or 8-bit greyscale/,
    )
  })

  it('refuses a mask of another size, naming both sizes', async () => {
    const p = join(tmp.dir, 'm.png')
    writeFileSync(p, encodeLabelPng({ width: 500, height: 375, labels: new Uint8Array(500 * 375) }))
    const e = await maskError(p, 500, 376)
    expect(e.kind).toBe(MaskErrorKind.SizeMismatch)
    expect(e.reason).toBe('mask is 500×375 but image is 500×376')
    expect(e.maskSize).toEqual({ width: 500, height: 375 })
  })

  it('refuses labels outside 0–20 and 255, with the pixel count', async () => {
    const p = join(tmp.dir, 'm.png')
    writeFileSync(
      p,
      encodeLabelPng({ width: 50, height: 50, labels: labels(50, 50, (i) => (i < 1234 ? 37 : 3)) }),
    )
    expect((await maskError(p, 50, 50)).reason).toBe(
      'contains label 37 at 1,234 pixels; allowed 0–20 and 255',
    )
    writeFileSync(
      p,
      encodeLabelPng({
        width: 10,
        height: 10,
        labels: labels(10, 10, (i) => (i < 3 ? 21 : i < 5 ? 254 : 0)),
      }),
    )
    expect((await maskError(p, 10, 10)).reason).toBe(
      'contains labels 21 (3 pixels), 254 (2 pixels); allowed 0–20 and 255',
    )
  })

  it('refuses files that are not PNGs, and missing files', async () => {
    const j = join(tmp.dir, 'm.png')
    await writeJpeg(j, { width: 4, height: 4 })
    const e = await maskError(j, 4, 4)
    expect([e.kind, e.reason]).toEqual([MaskErrorKind.NotPng, 'not a PNG file'])
    const cut = join(tmp.dir, 'cut.png')
    writeFileSync(
      cut,
      encodeLabelPng({ width: 40, height: 40, labels: labels(40, 40, (i) => i % 21) }).subarray(0, 60),
    )
    expect((await maskError(cut, 40, 40)).kind).toBe(MaskErrorKind.Unreadable)
    const missing = await maskError(join(tmp.dir, 'none.png'), 4, 4)
    expect(missing.reason).toBe('cannot be read (file not found)')
  })
})
