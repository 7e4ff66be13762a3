import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { saveMaskVersion } from '../../../src/main/annotation/mask-save'
import { decodeLabelPng, encodeLabelPng } from '../../../src/main/media/label-png'
import { listFiles, TempDirs } from '../project/fixtures'
import { albumFixture, b64, labelsFor, type AlbumFixture } from './helpers'

const tmp = new TempDirs()
let fx: AlbumFixture | null = null
afterEach(async () => {
  await fx?.studio.close()
  fx = null
  tmp.cleanup()
})

function readVersion(f: AlbumFixture, imageId: number, v: number): Uint8Array {
  return decodeLabelPng(fs.readFileSync(path.join(f.project.root, 'masks', String(imageId), `v${v}.png`)))
    .labels
}

describe('saveMask', () => {
  it('stores versions with author, origin, status and hand-pixel count; files decode to the exact indices', async () => {
    fx = await albumFixture(tmp, 2)
    const [id] = fx.imageIds as [number]
    const a = labelsFor(fx.width, fx.height, 1)
    const r1 = await fx.studio.api.saveMask({
      imageId: id,
      indicesBase64: b64(a),
      baseVersion: null,
      handPixels: 12,
    })
    expect(r1).toMatchObject({ imageId: id, version: 1, status: 'in_progress' })
    const b = labelsFor(fx.width, fx.height, 2)
    const png = encodeLabelPng({ width: fx.width, height: fx.height, labels: b })
    const r2 = await fx.studio.api.saveMask({
      imageId: id,
      pngBase64: b64(png),
      baseVersion: 1,
      status: 'done',
      handPixels: 40,
    })
    expect(r2.version).toBe(2)
    expect(r2.status).toBe('done')
    expect(r2.versions.map((v) => [v.version, v.author, v.baseVersion, v.handPixels])).toEqual([
      [1, 'human', null, 12],
      [2, 'human', 1, 40],
    ])
    expect(readVersion(fx, id, 1)).toEqual(a)
    expect(readVersion(fx, id, 2)).toEqual(b)
    const detail = await fx.studio.api.getImage({ imageId: id })
    expect(detail.maskVersion).toBe(2)
    // classPixels counts each label, ignore included
    const ignore = b.filter((v) => v === 255).length
    expect(r2.versions[1]!.classPixels['255']).toBe(ignore)
  })

  it('refuses a save over a newer version, a wrong size and bad label values, naming the image', async () => {
    fx = await albumFixture(tmp, 1)
    const [id] = fx.imageIds as [number]
    const a = labelsFor(fx.width, fx.height, 1)
    await fx.studio.api.saveMask({ imageId: id, indicesBase64: b64(a), baseVersion: null })
    await expect(
      fx.studio.api.saveMask({ imageId: id, indicesBase64: b64(a), baseVersion: null }),
    ).rejects.toMatchObject({
      payload: { code: 'CONFLICT', message: expect.stringContaining('now has mask version 1') },
    })
    const small = encodeLabelPng({ width: 5, height: 4, labels: new Uint8Array(20) })
    await expect(
      fx.studio.api.saveMask({ imageId: id, pngBase64: b64(small), baseVersion: 1 }),
    ).rejects.toMatchObject({
      payload: { code: 'BAD_ARGUMENTS', message: expect.stringMatching(/photo_000\.jpg.*5×4.*24×16/) },
    })
    const bad = a.slice()
    bad[3 * fx.width + 4] = 42
    await expect(
      fx.studio.api.saveMask({ imageId: id, indicesBase64: b64(bad), baseVersion: 1 }),
    ).rejects.toMatchObject({
      payload: {
        code: 'BAD_ARGUMENTS',
        message: expect.stringMatching(/label values 42 \(first at x=4, y=3\)/),
      },
    })
    await expect(
      fx.studio.api.saveMask({ imageId: id, pngBase64: b64(Buffer.from('not a png')), baseVersion: 1 }),
    ).rejects.toMatchObject({
      payload: { code: 'BAD_ARGUMENTS', message: expect.stringContaining('not a readable PNG') },
    })
    await expect(fx.studio.api.saveMask({ imageId: id, baseVersion: 1 } as never)).rejects.toMatchObject({
      payload: { code: 'BAD_ARGUMENTS' },
    })
    expect((await fx.studio.api.listMaskVersions({ imageId: id })).map((v) => v.version)).toEqual([1])
  })

  it('a failure before or after the rename leaves the previous version (file and row) and no stray file', async () => {
    fx = await albumFixture(tmp, 1)
    const [id] = fx.imageIds as [number]
    const { db, paths } = fx.project
    const a = labelsFor(fx.width, fx.height, 1)
    saveMaskVersion(db, paths, {
      imageId: id,
      labels: a,
      width: fx.width,
      height: fx.height,
      baseVersion: null,
      author: 'human',
      origin: 't',
    })
    const before = listFiles(fx.project.root).filter((f) => f.startsWith('masks/'))
    const b = labelsFor(fx.width, fx.height, 5)
    for (const fault of ['beforeRename', 'afterRename'] as const) {
      expect(() =>
        saveMaskVersion(
          db,
          paths,
          {
            imageId: id,
            labels: b,
            width: fx!.width,
            height: fx!.height,
            baseVersion: 1,
            author: 'human',
            origin: 't',
            status: 'done',
          },
          {
            [fault]: () => {
              throw new Error(`simulated failure ${fault}`)
            },
          },
        ),
      ).toThrow(`simulated failure ${fault}`)
      expect(listFiles(fx.project.root).filter((f) => f.startsWith('masks/'))).toEqual(before)
      expect(readVersion(fx, id, 1)).toEqual(a)
      expect((await fx.studio.api.listMaskVersions({ imageId: id })).map((v) => v.version)).toEqual([1])
      expect((await fx.studio.api.getImage({ imageId: id })).maskVersion).toBe(1)
      // the status went with the rolled-back transaction
      expect((await fx.studio.api.annotationQueue({ albumId: fx.albumId })).items[0]!.status).toBe('done')
    }
    // A DB failure (a trigger refusing the insert) also leaves the old version.
    db.exec(
      `CREATE TRIGGER refuse BEFORE INSERT ON masks BEGIN SELECT RAISE(ABORT, 'disk full (simulated)'); END`,
    )
    expect(() =>
      saveMaskVersion(db, paths, {
        imageId: id,
        labels: b,
        width: fx!.width,
        height: fx!.height,
        baseVersion: 1,
        author: 'human',
        origin: 't',
      }),
    ).toThrow('disk full')
    db.exec('DROP TRIGGER refuse')
    expect(listFiles(fx.project.root).filter((f) => f.startsWith('masks/'))).toEqual(before)
    // and the next save works and takes version 2
    expect(
      saveMaskVersion(db, paths, {
        imageId: id,
        labels: b,
        width: fx.width,
        height: fx.height,
        baseVersion: 1,
        author: 'human',
        origin: 't',
      }),
    ).toBe(2)
    expect(readVersion(fx, id, 2)).toEqual(b)
  })

  it('an orphan file left by a crash between rename and commit is replaced by the next save', async () => {
    fx = await albumFixture(tmp, 1)
    const [id] = fx.imageIds as [number]
    fs.mkdirSync(path.join(fx.project.root, 'masks', String(id)), { recursive: true })
    fs.writeFileSync(path.join(fx.project.root, 'masks', String(id), 'v1.png'), 'torn')
    const a = labelsFor(fx.width, fx.height, 3)
    const r = await fx.studio.api.saveMask({ imageId: id, indicesBase64: b64(a), baseVersion: null })
    expect(r.version).toBe(1)
    expect(readVersion(fx, id, 1)).toEqual(a)
  })

  it('restoreMaskVersion stores a new version equal to an old one', async () => {
    fx = await albumFixture(tmp, 1)
    const [id] = fx.imageIds as [number]
    const a = labelsFor(fx.width, fx.height, 1)
    const b = labelsFor(fx.width, fx.height, 2)
    await fx.studio.api.saveMask({ imageId: id, indicesBase64: b64(a), baseVersion: null })
    await fx.studio.api.saveMask({ imageId: id, indicesBase64: b64(b), baseVersion: 1 })
    const r = await fx.studio.api.restoreMaskVersion({ imageId: id, version: 1, baseVersion: 2 })
    expect(r.version).toBe(3)
    expect(r.versions[2]).toMatchObject({
      origin: 'restored from version 1 (annotation studio)',
      author: 'human',
      baseVersion: 2,
    })
    expect(readVersion(fx, id, 3)).toEqual(a)
    expect(readVersion(fx, id, 2)).toEqual(b)
    await expect(
      fx.studio.api.restoreMaskVersion({ imageId: id, version: 9, baseVersion: 3 }),
    ).rejects.toMatchObject({ payload: { code: 'NOT_FOUND' } })
    await expect(
      fx.studio.api.restoreMaskVersion({ imageId: id, version: 1, baseVersion: 2 }),
    ).rejects.toMatchObject({ payload: { code: 'CONFLICT' } })
  })

  it('status: derived from human masks until set explicitly', async () => {
    fx = await albumFixture(tmp, 2)
    const [a, b] = fx.imageIds as [number, number]
    fx.project.importTarget.addMask(b, {
      labels: labelsFor(fx.width, fx.height, 1),
      width: fx.width,
      height: fx.height,
      author: 'human',
      origin: 'import',
    })
    let q = await fx.studio.api.annotationQueue({ albumId: fx.albumId })
    expect(q.split).toBeNull()
    expect(q.items.map((i) => [i.imageId, i.status])).toEqual([
      [a, 'not_started'],
      [b, 'done'],
    ])
    expect(await fx.studio.api.setAnnotationStatus({ imageId: b, status: 'reviewed' })).toEqual({
      imageId: b,
      status: 'reviewed',
    })
    q = await fx.studio.api.annotationQueue({ albumId: fx.albumId })
    expect(q.items[1]!.status).toBe('reviewed')
    await expect(
      fx.studio.api.setAnnotationStatus({ imageId: a, status: 'finished' as never }),
    ).rejects.toMatchObject({ payload: { code: 'BAD_ARGUMENTS' } })
  })
})
