/**
 * Mask decompression bombs (issue 17, item 5): a 437 KB 1-bit PNG that inflates to 60000×60000 must be
 * refused from its header — through saveMask without stalling other requests, and in a PIS import as a
 * per-file problem — and never decoded.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { decodeLabelPng, encodeLabelPng, LabelPngError } from '../../../src/main/media/label-png'
import { MaskErrorKind, parseMask, readMask } from '../../../src/main/media/mask-file'
import { maxLabelPngBytes, readPngHeader } from '../../../src/main/media/png-header'
import { makePhoto } from '../project/fixtures'
import { request, startFixture, TempDirs, waitForJob, type ServerFixture } from '../server/helpers'
import { bombPng } from './bomb-png'

const SIDE = 60000
let bomb: Buffer
const tmp = new TempDirs()

beforeAll(async () => {
  bomb = await bombPng(SIDE, SIDE)
}, 60_000)
afterAll(() => tmp.cleanup())

describe('bomb PNG header checks', () => {
  it('the test bomb is what the issue describes: ~437 KB, 1-bit, 60000×60000', () => {
    expect(bomb.length).toBeLessThan(500_000)
    expect(readPngHeader(bomb)).toEqual({
      width: SIDE,
      height: SIDE,
      bitDepth: 1,
      colourType: 0,
      interlaced: false,
    })
  })

  it('decodeLabelPng refuses it from the header (pixel limit), in milliseconds', () => {
    const t = performance.now()
    expect(() => decodeLabelPng(bomb)).toThrow(LabelPngError)
    expect(() => decodeLabelPng(bomb)).toThrow(
      /mask is too large: 60000×60000 = 3600 megapixels; the limit is 50 megapixels/,
    )
    expect(performance.now() - t).toBeLessThan(100)
  })

  it('decodeLabelPng refuses a wrong size when told the expected one, before decoding', () => {
    const small = encodeLabelPng({ width: 4, height: 3, labels: new Uint8Array(12) })
    expect(() => decodeLabelPng(small, { expected: { width: 4, height: 4 } })).toThrow(
      'mask is 4×3 but image is 4×4',
    )
    expect(decodeLabelPng(small, { expected: { width: 4, height: 3 } }).labels).toHaveLength(12)
  })

  it('parseMask names the size mismatch (with the mask size for the EXIF hint) and the pixel limit', () => {
    try {
      parseMask(bomb, 40, 30)
      expect.unreachable()
    } catch (e) {
      expect((e as { kind: string }).kind).toBe(MaskErrorKind.SizeMismatch)
      expect((e as Error).message).toBe('mask is 60000×60000 but image is 40×30')
      expect((e as { maskSize: unknown }).maskSize).toEqual({ width: SIDE, height: SIDE })
    }
    // Same size as a (hypothetical) image the limit allows no more: too large, still not decoded.
    expect(() => parseMask(bomb, SIDE, SIDE)).toThrow(/mask is too large/)
  })

  it('readMask refuses a file far bigger than a label PNG of its size can be, without reading it', async () => {
    const dir = tmp.make()
    const file = path.join(dir, 'm.png')
    const png = encodeLabelPng({ width: 4, height: 3, labels: new Uint8Array(12) })
    fs.writeFileSync(file, Buffer.concat([png, Buffer.alloc(maxLabelPngBytes(4, 3))]))
    await expect(readMask(file, 4, 3)).rejects.toThrow(/more than a 4×3 label PNG can need/)
  })
})

describe('saveMask with a bomb over HTTP', () => {
  let fx: ServerFixture
  afterEach(async () => {
    await fx.close()
  })

  it('is refused in ≤ 100 ms with a clear message while a concurrent listAlbums answers in ≤ 100 ms', async () => {
    fx = await startFixture(tmp)
    const project = fx.studio.currentProject()
    const albumId = project.importTarget.createAlbum('Trip', null)
    const photo = await makePhoto(tmp.make(), 'a.jpg', 1, { width: 24, height: 16 })
    const imageId = project.importTarget.addImage({ albumId }, photo) as number
    const body = JSON.stringify({ imageId, pngBase64: bomb.toString('base64'), baseVersion: null })
    const call = (method: string, json: string) => {
      const t = performance.now()
      return request(fx.port, { method: 'POST', path: `/api/${method}`, headers: fx.auth, body: json }).then(
        (r) => ({
          r,
          ms: performance.now() - t,
        }),
      )
    }
    await call('listAlbums', '{}') // warm the connection path once
    const [save, list] = await Promise.all([call('saveMask', body), call('listAlbums', '{}')])
    expect(save.r.status).toBe(400)
    expect(save.r.text).toContain(
      `mask for image ${imageId} (a.jpg) is 60000×60000, but the image is 24×16; refused before decoding`,
    )
    expect(save.ms).toBeLessThanOrEqual(100)
    expect(list.r.status).toBe(200)
    expect(list.ms).toBeLessThanOrEqual(100)
    expect(project.masks.file(imageId, 1)).toBeNull()
  })
})

describe('PIS import with two bomb masks', () => {
  let fx: ServerFixture
  afterEach(async () => {
    await fx.close()
  })

  it('finishes in ≤ 5 s under 500 MB RSS, naming the two bombs; the rest imports', async () => {
    fx = await startFixture(tmp)
    const root = tmp.make('pss-pis-bomb-')
    const user = path.join(root, 'personal', 'id1')
    fs.mkdirSync(path.join(user, 'SegmentationClass'), { recursive: true })
    const names = Array.from({ length: 18 }, (_, i) => `p${String(i).padStart(2, '0')}`)
    for (const [i, n] of names.entries()) {
      await makePhoto(path.join(user, 'JPEGImages'), `${n}.jpg`, i + 1, { width: 40, height: 30 })
      const mask =
        i < 2 ? bomb : encodeLabelPng({ width: 40, height: 30, labels: new Uint8Array(1200).fill(i % 21) })
      fs.writeFileSync(path.join(user, 'SegmentationClass', `${n}.png`), mask)
    }
    let peak = process.memoryUsage.rss()
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage.rss())
    }, 10)
    const t = performance.now()
    try {
      const { jobId } = await fx.studio.api.importPis({ root, copy: true })
      const job = await waitForJob(fx.studio, jobId, 20_000)
      const ms = performance.now() - t
      expect(job.status).toBe('done')
      expect(ms).toBeLessThanOrEqual(5000)
      const problems = job.problems.map((p) => `${path.basename(p.file)}: ${p.reason}`)
      expect(problems).toEqual(
        expect.arrayContaining([
          'p00.png: mask not imported: mask is 60000×60000 but image is 40×30',
          'p01.png: mask not imported: mask is 60000×60000 but image is 40×30',
        ]),
      )
      const summary = job.result as { imported: number; masks: number }
      expect([summary.imported, summary.masks]).toEqual([18, 16])
    } finally {
      clearInterval(sampler)
    }
    expect(peak / 2 ** 20).toBeLessThan(500)
  })
})
