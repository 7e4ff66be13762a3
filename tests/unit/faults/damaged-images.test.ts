/**
 * Damaged images at import (issue 17, item 6): a PNG with a bad CRC and a JPEG damaged in the middle
 * used to import with no note (the tolerant decode took them silently). They are imported with a warning
 * naming the damage; a file cut short stays refused.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { importFolder } from '../../../src/main/datasets'
import { pngDamage, pngFileDamage } from '../../../src/main/media/png-integrity'
import { makeThumbnailChecked } from '../../../src/main/media/thumbnail'
import { makeTempDir, writeJpeg, writePng, writeTruncatedJpeg } from '../media/helpers'
import { recordingContext } from '../datasets/recording-target'

let tmp: ReturnType<typeof makeTempDir>
beforeEach(() => {
  tmp = makeTempDir('pss-damaged-')
})
afterEach(() => tmp.cleanup())

/** The byte offset of chunk `type` in PNG bytes (its length field). */
function chunkAt(png: Buffer, type: string): number {
  return png.indexOf(type, 8, 'latin1') - 4
}

/** A PNG whose IDAT CRC has one flipped byte (the pixels themselves intact). */
async function writeBadCrcPng(path: string): Promise<number> {
  const png = Buffer.from(await writePng(path, { width: 60, height: 40, seed: 3 }))
  const at = chunkAt(png, 'IDAT')
  const crcAt = at + 8 + png.readUInt32BE(at)
  png[crcAt] = png[crcAt]! ^ 0xff
  writeFileSync(path, png)
  return at
}

/** A JPEG with 200 bytes of its entropy-coded data overwritten half way through. */
async function writeMidDamagedJpeg(path: string): Promise<void> {
  const jpg = Buffer.from(await writeJpeg(path, { width: 200, height: 150, seed: 4 }))
  const mid = Math.floor(jpg.length / 2)
  for (let i = mid; i < mid + 200; i++) jpg[i] = (i * 7) & 0xff
  writeFileSync(path, jpg)
}

describe('pngDamage', () => {
  it('names the chunk and offset of a bad CRC, a chunk past the end and a missing IEND; null when whole', async () => {
    const good = await writePng(join(tmp.dir, 'g.png'), { width: 8, height: 8 })
    expect(pngDamage(good)).toBeNull()
    const bad = Buffer.from(good)
    const at = chunkAt(bad, 'IDAT')
    bad[at + 9] = bad[at + 9]! ^ 0x01 // a data byte: the stored CRC no longer matches
    expect(pngDamage(bad)).toBe(`PNG chunk IDAT at byte ${at} has a bad CRC (damaged data)`)
    expect(pngDamage(good.subarray(0, at + 10))).toBe(
      `PNG chunk IDAT at byte ${at} runs past the end of the file`,
    )
    expect(pngDamage(good.subarray(0, chunkAt(good, 'IEND')))).toBe(
      'PNG has no IEND chunk (the file is cut short)',
    )
    expect(pngDamage(Buffer.from('not a png'))).toBeNull()
    // The streaming file reader agrees with the in-memory one.
    for (const [name, bytes] of [
      ['g', good],
      ['bad', bad],
      ['cut', good.subarray(0, at + 10)],
      ['noend', good.subarray(0, chunkAt(good, 'IEND'))],
    ] as const) {
      const file = join(tmp.dir, `${name}.png`)
      writeFileSync(file, bytes)
      expect(await pngFileDamage(file)).toBe(pngDamage(bytes))
    }
  })
})

describe('damaged images at import', () => {
  it('imports a bad-CRC PNG and a mid-damaged JPEG with a warning naming the damage; refuses a cut-short JPEG', async () => {
    await writeJpeg(join(tmp.dir, 'ok.jpg'), { width: 50, height: 40, seed: 1 })
    const idat = await writeBadCrcPng(join(tmp.dir, 'crc.png'))
    await writeMidDamagedJpeg(join(tmp.dir, 'mid.jpg'))
    await writeTruncatedJpeg(join(tmp.dir, 'cut.jpg'), { width: 96, height: 64, seed: 6 })
    const rec = recordingContext()
    const summary = await importFolder(rec.ctx, {
      dir: tmp.dir,
      albumName: 'A',
      copy: true,
      recursive: false,
    })
    expect(rec.target.images.map((i) => i.image.name).sort()).toEqual(['crc.png', 'mid.jpg', 'ok.jpg'])
    expect(summary.imported).toBe(3)
    const lines = rec.problemLines().sort()
    expect(lines, lines.join('\n')).toHaveLength(3)
    expect(lines[0]).toBe(
      `crc.png: imported with a warning: PNG chunk IDAT at byte ${idat} has a bad CRC (damaged data)`,
    )
    expect(lines[1]).toBe('cut.jpg: cannot be decoded: the file is truncated or corrupt')
    expect(lines[2]).toMatch(/^mid\.jpg: imported with a warning: damaged JPEG data, decoded anyway/)
  })

  it('an intact file decodes once with no damage noted', async () => {
    const file = join(tmp.dir, 'ok.png')
    await writePng(file, { width: 30, height: 20 })
    const t = await makeThumbnailChecked(file)
    expect([t.damaged, t.detail]).toEqual([false, null])
    expect(t.thumbnail.length).toBeGreaterThan(0)
  })
})
