import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { PIS_SPLIT_NAME, importPis } from '../../../src/main/datasets'
import { encodeLabelPng } from '../../../src/main/media'
import {
  makeTempDir,
  writeGreyPng,
  writeJpeg,
  writeRgbPng,
  writeText,
  writeTruncatedJpeg,
} from '../media/helpers'
import { recordingContext } from './recording-target'

let tmp: ReturnType<typeof makeTempDir>
beforeEach(() => {
  tmp = makeTempDir('pss-pis-')
})
afterEach(() => tmp.cleanup())

const W = 40
const H = 30

function paletteMask(path: string, width: number, height: number, fill: (i: number) => number): Uint8Array {
  const labels = Uint8Array.from({ length: width * height }, (_, i) => fill(i))
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, encodeLabelPng({ width, height, labels }))
  return labels
}

/** personal/id1 with good and bad masks and all three lists; personal/id2 with two plain photos. */
async function makePis(root: string): Promise<{ abcLabels: Uint8Array; gLabels: Uint8Array }> {
  const u1 = join(root, 'personal', 'id1')
  const img = (name: string) => join(u1, 'JPEGImages', name)
  const seg = (name: string) => join(u1, 'SegmentationClass', name)
  let seed = 0
  for (const n of ['-abc.jpg', 'b.jpg', 'c.jpg', 'd.jpg', 'f.jpg', 'g.jpg'])
    await writeJpeg(img(n), { width: W, height: H, seed: seed++ })
  await writeJpeg(img('e.jpg'), { width: W, height: H, seed: seed++, orientation: 6 })
  await writeTruncatedJpeg(img('cut.jpg'), { width: 200, height: 150, seed: seed++ })
  const abcLabels = paletteMask(seg('-abc.png'), W, H, (i) => (i < 100 ? 12 : i < 110 ? 255 : 0))
  await writeRgbPng(seg('b.png'), W, H)
  paletteMask(seg('c.png'), W, H + 1, () => 0)
  paletteMask(seg('d.png'), W, H, (i) => (i < 7 ? 37 : 0))
  paletteMask(seg('e.png'), W, H, () => 0) // the stored size, but e.jpg displays as 30×40
  paletteMask(seg('orphan.png'), W, H, () => 0)
  const gLabels = Uint8Array.from({ length: W * H }, (_, i) => (i % 3 === 0 ? 15 : 0))
  await writeGreyPng(seg('g.png'), W, H, gLabels)
  writeText(
    join(u1, 'val_all.txt'),
    [
      '/JPEGImages/-abc.jpg /SegmentationClass/-abc.png 0',
      '/JPEGImages/b.jpg /SegmentationClass/b.png 0',
      '/JPEGImages/missing.jpg /SegmentationClass/missing.png 0',
      '/JPEGImages/cut.jpg /SegmentationClass/cut.png 0',
      '/JPEGImages/g.jpg /SegmentationClass/g.png 0',
      '',
    ].join('\n'),
  )
  writeText(
    join(u1, 'imgLabelList.txt'),
    '-abc.jpg:dog,person\nb.jpg:UNKNOWN\nc.jpg:15,unicorn\nnothere.jpg:cat\n',
  )
  writeText(
    join(u1, 'train_cluster80.txt'),
    [
      '/JPEGImages/-abc.jpg /SegmentationClass/-abc.png 3',
      '/JPEGImages/b.jpg /SegmentationClass/b.png 79',
      '/JPEGImages/f.jpg /SegmentationClass/f.png 3',
      '/JPEGImages/ghost.jpg /SegmentationClass/ghost.png 5',
    ].join('\n'),
  )
  const u2 = join(root, 'personal', 'id2', 'JPEGImages')
  await writeJpeg(join(u2, 'x.jpg'), { width: 20, height: 20, seed: 100 })
  await writeJpeg(join(u2, 'y.jpg'), { width: 20, height: 20, seed: 101 })
  return { abcLabels, gLabels }
}

describe('importPis', () => {
  it('imports one album per user with masks, tags, the val_all split and the clustering, reporting every bad file and line', async () => {
    const { abcLabels, gLabels } = await makePis(tmp.dir)
    const rec = recordingContext()
    const summary = await importPis(rec.ctx, { root: tmp.dir, copy: true })
    const t = rec.target

    expect(t.albums.map((a) => [a.name, a.userId])).toEqual([
      ['id1', 'id1'],
      ['id2', 'id2'],
    ])
    const [album1, album2] = t.albums.map((a) => a.id) as [number, number]
    expect(summary).toEqual({
      albumIds: [album1, album2],
      sourceIds: [],
      imported: 9,
      duplicates: 0,
      masks: 2,
      rejected: 5,
    })
    const u1 = t.imagesOf({ albumId: album1 })
    expect(u1.map((r) => r.image.name)).toEqual([
      '-abc.jpg',
      'b.jpg',
      'c.jpg',
      'd.jpg',
      'e.jpg',
      'f.jpg',
      'g.jpg',
    ])
    expect(t.imagesOf({ albumId: album2 }).map((r) => r.image.name)).toEqual(['x.jpg', 'y.jpg'])
    const id = (name: string) => u1.find((r) => r.image.name === name)!.id

    // Masks: the palette and the greyscale one, indices exactly as written.
    const abc = t.maskOf(id('-abc.jpg'))!
    expect(abc).toMatchObject({
      width: W,
      height: H,
      author: 'human',
      origin: 'PIS id1/SegmentationClass/-abc.png',
    })
    expect(Array.from(abc.labels)).toEqual(Array.from(abcLabels))
    expect(Array.from(t.maskOf(id('g.jpg'))!.labels)).toEqual(Array.from(gLabels))
    expect(t.masks).toHaveLength(2)

    // Tags by name or id; UNKNOWN → none.
    expect(u1.map((r) => [r.image.name, r.image.tags])).toEqual([
      ['-abc.jpg', [12, 15]],
      ['b.jpg', []],
      ['c.jpg', [15]],
      ['d.jpg', []],
      ['e.jpg', []],
      ['f.jpg', []],
      ['g.jpg', []],
    ])

    expect(t.splits).toEqual([
      {
        albumId: album1,
        name: PIS_SPLIT_NAME,
        ids: [id('-abc.jpg'), id('b.jpg'), id('g.jpg')],
        meta: { source: 'PIS', file: 'val_all.txt', lines: 5 },
      },
    ])
    expect(t.clusterings).toHaveLength(1)
    const c = t.clusterings[0]!
    expect([c.albumId, c.name, c.meta]).toEqual([
      album1,
      'train_cluster80.txt',
      // 80 groups cannot exist among 7 photos: K is the groups used, ids 3 and 79 re-numbered 0 and 1.
      { k: 2, source: 'PIS', file: 'train_cluster80.txt', groups: 2, kInFileName: 80, idsInFile: [3, 79] },
    ])
    expect([...c.assignments]).toEqual([
      [id('-abc.jpg'), 0],
      [id('b.jpg'), 1],
      [id('f.jpg'), 0],
    ])

    expect(rec.problemLines().sort()).toEqual(
      [
        'imgLabelList.txt: line 3: unknown class "unicorn" for c.jpg',
        'imgLabelList.txt: line 4: nothere.jpg is not in JPEGImages',
        'orphan.png: skipped: mask has no image of the same name in JPEGImages',
        'cut.jpg: cannot be decoded: the file is truncated or corrupt',
        'b.png: mask not imported: mask is an RGB PNG, not a label mask: masks must be palette (indexed) or 8-bit greyscale PNGs with class indices',
        'c.png: mask not imported: mask is 40×31 but image is 40×30',
        'd.png: mask not imported: contains label 37 at 7 pixels; allowed 0–20 and 255',
        'e.png: mask not imported: mask is 40×30 but image is 30×40 (it matches the image before its EXIF rotation; masks must follow the image as displayed, 30×40)',
        'val_all.txt: line 3: /JPEGImages/missing.jpg is not in JPEGImages',
        'val_all.txt: line 4: /SegmentationClass/cut.png is not in SegmentationClass',
        'val_all.txt: line 4: cut.jpg was refused (see its own problem)',
        'train_cluster80.txt: line 4: /JPEGImages/ghost.jpg is not in JPEGImages',
      ].sort(),
    )
    expect(rec.problems.find((p) => p.file.endsWith('val_all.txt'))!.file).toBe(
      join(tmp.dir, 'personal', 'id1', 'val_all.txt'),
    )
    expect(rec.progress[rec.progress.length - 1]).toMatchObject({
      done: 10,
      total: 10,
      message: 'id2: y.jpg',
    })
  })

  it('accepts personal/ itself and a single id folder', async () => {
    await makePis(tmp.dir)
    const viaPersonal = recordingContext()
    await importPis(viaPersonal.ctx, { root: join(tmp.dir, 'personal'), copy: false })
    expect(viaPersonal.target.albums.map((a) => a.name)).toEqual(['id1', 'id2'])
    const single = recordingContext()
    const s = await importPis(single.ctx, { root: join(tmp.dir, 'personal', 'id2'), copy: false })
    expect(single.target.albums).toEqual([{ id: 1, name: 'id2', userId: 'id2' }])
    expect(s.imported).toBe(2)
    expect(single.target.images.every((r) => r.image.copy === false)).toBe(true)
  })

  it('goes on with the next user when an album cannot be created', async () => {
    await makePis(tmp.dir)
    const rec = recordingContext()
    rec.target.createAlbum('id1', 'id1')
    const s = await importPis(rec.ctx, { root: tmp.dir, copy: true })
    expect(s.albumIds).toHaveLength(1)
    expect(s.imported).toBe(2)
    expect(rec.problemLines()).toContain('id1: album id1 not created: an album named "id1" already exists')
  })

  it('stores no split or clustering for a user whose import was cancelled', async () => {
    await makePis(tmp.dir)
    const rec = recordingContext({ cancelAfterImages: 2 })
    const s = await importPis(rec.ctx, { root: tmp.dir, copy: true })
    expect(s.imported).toBe(2)
    expect(rec.target.splits).toEqual([])
    expect(rec.target.clusterings).toEqual([])
    expect(rec.target.albums).toHaveLength(1)
  })

  it('explains what it expected when the folder holds no PIS users', async () => {
    writeText(join(tmp.dir, 'readme.txt'), 'x')
    const rec = recordingContext()
    await expect(importPis(rec.ctx, { root: tmp.dir, copy: true })).rejects.toThrow(
      /^no PIS users found in .*: expected personal\/id\{k\}\/JPEGImages/,
    )
  })
})
