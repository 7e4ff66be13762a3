/**
 * Run comparability follows mask content: the fingerprint of (image, pixels) pairs, computed from the
 * stored PNGs. A restored identical mask keeps the fingerprint, any changed pixel changes it, and a
 * version whose file is gone never counts as equal to anything.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import {
  labelContentHash,
  maskContentFingerprint,
  maskVersionContent,
} from '../../../src/main/project/mask-content'
import { maskSetFingerprint, RunsRepo } from '../../../src/main/project/runs-repo'
import { encodeLabelPng } from '../../../src/main/media/label-png'
import { TempDirs } from '../project/fixtures'
import { albumFixture, b64, labelsFor, type AlbumFixture } from './helpers'

const tmp = new TempDirs()
let fx: AlbumFixture | null = null
afterEach(async () => {
  await fx?.studio.close()
  fx = null
  tmp.cleanup()
})

describe('labelContentHash', () => {
  it('is equal for equal pixels, and differs for one changed pixel or another size', () => {
    const a = labelsFor(6, 4, 1)
    expect(labelContentHash(6, 4, a)).toBe(labelContentHash(6, 4, a.slice()))
    const b = a.slice()
    b[13] = b[13] === 3 ? 4 : 3
    expect(labelContentHash(6, 4, b)).not.toBe(labelContentHash(6, 4, a))
    expect(labelContentHash(4, 6, a)).not.toBe(labelContentHash(6, 4, a))
    expect(() => labelContentHash(5, 4, a)).toThrow(/5×4 label map holds 24 labels/)
  })

  it('fingerprints (image, content) pairs independently of their order', () => {
    const m = [
      { imageId: 2, content: 'aa' },
      { imageId: 1, content: 'bb' },
    ]
    expect(maskContentFingerprint(m)).toBe(maskContentFingerprint([...m].reverse()))
    expect(maskContentFingerprint(m)).not.toBe(
      maskContentFingerprint([
        { imageId: 2, content: 'bb' },
        { imageId: 1, content: 'aa' },
      ]),
    )
  })
})

describe('mask-set fingerprint of stored versions', () => {
  it('keeps runs comparable when identical content is restored, and not when it differs', async () => {
    fx = await albumFixture(tmp, 2)
    const [id, other] = fx.imageIds as [number, number]
    const a = labelsFor(fx.width, fx.height, 1)
    const b = labelsFor(fx.width, fx.height, 2)
    await fx.studio.api.saveMask({ imageId: id, indicesBase64: b64(a), baseVersion: null })
    await fx.studio.api.saveMask({ imageId: other, indicesBase64: b64(b), baseVersion: null })
    await fx.studio.api.saveMask({ imageId: id, indicesBase64: b64(b), baseVersion: 1 })
    const restored = await fx.studio.api.restoreMaskVersion({ imageId: id, version: 1, baseVersion: 2 })
    expect(restored.version).toBe(3)
    // v4: the same pixels as v1 again, sent as a PNG encoded elsewhere (other bytes, same content)
    const png = encodeLabelPng({ width: fx.width, height: fx.height, labels: a })
    await fx.studio.api.saveMask({ imageId: id, pngBase64: b64(png), baseVersion: 3 })

    const p = fx.project
    const runs = new RunsRepo(p.db, p.paths)
    const run = (): number =>
      runs.create({
        kind: 'album',
        method: 'noda',
        albumId: fx!.albumId,
        config: {},
        seed: 0,
        backend: null,
        codeVersion: null,
        splitId: null,
        jobId: null,
      })
    const [r1, r2, r3, r4] = [run(), run(), run(), run()]
    runs.setMasks(r1, [
      { imageId: id, maskVersion: 1 },
      { imageId: other, maskVersion: 1 },
    ])
    runs.setMasks(r2, [
      { imageId: id, maskVersion: 2 },
      { imageId: other, maskVersion: 1 },
    ])
    runs.setMasks(r3, [
      { imageId: id, maskVersion: 3 },
      { imageId: other, maskVersion: 1 },
    ])
    runs.setMasks(r4, [
      { imageId: id, maskVersion: 4 },
      { imageId: other, maskVersion: 1 },
    ])
    const sets = runs.maskSets([r1, r2, r3, r4])
    expect(sets.get(r3)).toEqual(sets.get(r1))
    expect(sets.get(r4)).toEqual(sets.get(r1))
    expect(sets.get(r2)!.fingerprint).not.toBe(sets.get(r1)!.fingerprint)
    expect(maskVersionContent(p.db, p.paths, id, 3)).toBe(labelContentHash(fx.width, fx.height, a))
    expect(maskVersionContent(p.db, p.paths, id, 2)).toBe(maskVersionContent(p.db, p.paths, other, 1))

    // a version whose file is gone (v5, the same pixels as v1), or that has no row (v9): the list still
    // opens, and such a version equals nothing
    await fx.studio.api.saveMask({ imageId: id, indicesBase64: b64(a), baseVersion: 4 })
    fs.rmSync(path.join(p.root, 'masks', String(id), 'v5.png'))
    expect(maskVersionContent(p.db, p.paths, id, 5)).toBe('unreadable:v5')
    expect(maskVersionContent(p.db, p.paths, id, 9)).toBe('unreadable:v9')
    const [r5, r9] = [run(), run()]
    runs.setMasks(r5, [
      { imageId: id, maskVersion: 5 },
      { imageId: other, maskVersion: 1 },
    ])
    runs.setMasks(r9, [
      { imageId: id, maskVersion: 9 },
      { imageId: other, maskVersion: 1 },
    ])
    const gone = runs.maskSets([r5, r9])
    expect(gone.get(r5)!.fingerprint).not.toBe(sets.get(r1)!.fingerprint)
    expect(gone.get(r9)!.fingerprint).not.toBe(sets.get(r1)!.fingerprint)
    expect(gone.get(r9)!.count).toBe(2)

    // a source run (its training set) keeps the version fingerprint: v3 and v1 differ there
    const src = (): number =>
      runs.create({
        kind: 'source',
        method: 'source',
        albumId: null,
        config: {},
        seed: 0,
        backend: null,
        codeVersion: null,
        splitId: null,
        jobId: null,
      })
    const [s1, s3] = [src(), src()]
    runs.setMasks(s1, [{ imageId: id, maskVersion: 1 }])
    runs.setMasks(s3, [{ imageId: id, maskVersion: 3 }])
    const srcSets = runs.maskSets([s1, s3])
    expect(srcSets.get(s1)!.fingerprint).toBe(maskSetFingerprint([{ imageId: id, maskVersion: 1 }]))
    expect(srcSets.get(s3)!.fingerprint).not.toBe(srcSets.get(s1)!.fingerprint)
  })

  it('stores a machine-only version as the model’s, and a restore keeps its author and names its source', async () => {
    fx = await albumFixture(tmp, 1)
    const [id] = fx.imageIds as [number]
    const a = labelsFor(fx.width, fx.height, 1)
    const b = labelsFor(fx.width, fx.height, 2)
    await fx.studio.api.saveMask({
      imageId: id,
      indicesBase64: b64(a),
      baseVersion: null,
      origin: 'by hand',
      originKind: 'hand',
      handPixels: 9,
    })
    const m = await fx.studio.api.saveMask({
      imageId: id,
      indicesBase64: b64(b),
      baseVersion: 1,
      origin: 'machine, from No-DA run #4',
      originKind: 'machine',
      handPixels: 0,
    })
    expect(m.versions.map((v) => [v.version, v.author, v.origin])).toEqual([
      [1, 'human', 'by hand'],
      [2, 'model', 'machine, from No-DA run #4'],
    ])
    const r = await fx.studio.api.restoreMaskVersion({
      imageId: id,
      version: 1,
      baseVersion: 2,
      reason: 'undo',
    })
    expect(r.versions[2]).toMatchObject({
      version: 3,
      author: 'human',
      origin: 'undo back to version 1 (by hand)',
      handPixels: 9,
      baseVersion: 2,
    })
    const back = await fx.studio.api.restoreMaskVersion({ imageId: id, version: 2, baseVersion: 3 })
    expect(back.versions[3]).toMatchObject({
      author: 'model',
      origin: 'restored from version 2 (machine, from No-DA run #4)',
    })
    // a copy of a copy names the first origin
    const again = await fx.studio.api.restoreMaskVersion({ imageId: id, version: 3, baseVersion: 4 })
    expect(again.versions[4]).toMatchObject({
      version: 5,
      author: 'human',
      origin: 'restored from version 3 (by hand)',
    })
  })
})
