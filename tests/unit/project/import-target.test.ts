import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Project } from '../../../src/main/project/project'
import { InvalidInputError, NotFoundError, StoreIoError } from '../../../src/main/project/errors'
import { listFiles, makePhoto, TempDirs } from './fixtures'

const tmp = new TempDirs()
const open: Project[] = []
afterEach(() => {
  for (const p of open.splice(0)) p.close()
  tmp.cleanup()
})
function project(): Project {
  const p = Project.create(path.join(tmp.make(), 'p'))
  open.push(p)
  return p
}

describe('StoreImportTarget.addImage', () => {
  it('copies the original byte for byte, writes the thumbnail, and stores the row', async () => {
    const p = project()
    const photos = tmp.make()
    const img = await makePhoto(photos, 'IMG_0001.jpg', 1)
    const album = p.importTarget.createAlbum('Summer Trip', null)
    const id = p.importTarget.addImage({ albumId: album }, img) as number
    const row = p.images.row(id)
    expect(row).toMatchObject({
      name: 'IMG_0001.jpg',
      copied: 1,
      original_path: 'media/summer-trip/IMG_0001.jpg',
      width: 48,
      height: 32,
      hash: img.hash,
    })
    expect(
      fs.readFileSync(path.join(p.root, row.original_path)).equals(fs.readFileSync(img.sourcePath)),
    ).toBe(true)
    expect(row.thumb_path).toBe(`thumbs/${id}.webp`)
    expect(fs.readFileSync(path.join(p.root, row.thumb_path!)).equals(img.thumbnail)).toBe(true)
    // no temp files left behind
    expect(listFiles(path.join(p.root, 'media')).concat(listFiles(path.join(p.root, 'thumbs')))).toEqual([
      'summer-trip/IMG_0001.jpg',
      `${id}.webp`,
    ])
  })

  it('references instead of copying when asked, storing the absolute path', async () => {
    const p = project()
    const photos = tmp.make()
    const album = p.importTarget.createAlbum('a', null)
    const id = p.importTarget.addImage(
      { albumId: album },
      await makePhoto(photos, 'x.jpg', 1, { copy: false }),
    ) as number
    expect(p.images.row(id)).toMatchObject({ copied: 0, original_path: path.join(photos, 'x.jpg') })
    expect(listFiles(path.join(p.root, 'media'))).toEqual([])
  })

  it('de-duplicates by hash within an album or source, not across them', async () => {
    const p = project()
    const photos = tmp.make()
    const img = await makePhoto(photos, 'a.jpg', 1)
    const a1 = p.importTarget.createAlbum('one', null)
    const a2 = p.importTarget.createAlbum('two', null)
    const s1 = p.importTarget.createSource('voc', 'voc', photos)
    const first = p.importTarget.addImage({ albumId: a1 }, img) as number
    expect(p.importTarget.addImage({ albumId: a1 }, { ...img, name: 'renamed.jpg' })).toEqual({
      duplicateOf: first,
    })
    expect(typeof p.importTarget.addImage({ albumId: a2 }, img)).toBe('number')
    expect(typeof p.importTarget.addImage({ sourceId: s1 }, img)).toBe('number')
    expect(p.importTarget.addImage({ sourceId: s1 }, img)).toHaveProperty('duplicateOf')
    expect(listFiles(path.join(p.root, 'media', 'one'))).toEqual(['a.jpg'])
  })

  it('gives odd, unicode and repeated names their own files', async () => {
    const p = project()
    const photos = tmp.make()
    const album = p.importTarget.createAlbum('odd', null)
    const names = ['-a b.jpg', 'fête 夏.jpg', 'same.jpg', 'same.jpg', 'SAME.jpg', 'a:b?.jpg', '..', 'CON.jpg']
    const ids: number[] = []
    for (const [i, name] of names.entries()) {
      const img = await makePhoto(photos, `src-${i}.jpg`, i + 1, { name })
      ids.push(p.importTarget.addImage({ albumId: album }, img) as number)
    }
    const stored = ids.map((id) => p.images.row(id).original_path.replace('media/odd/', ''))
    expect(stored).toEqual([
      '-a b.jpg',
      'fête 夏.jpg',
      'same.jpg',
      'same-2.jpg',
      'SAME-3.jpg',
      'a_b_.jpg',
      'image',
      '_CON.jpg',
    ])
    // names as shown are the originals
    expect(ids.map((id) => p.images.row(id).name)).toEqual(names)
    for (const [i, id] of ids.entries()) {
      const row = p.images.row(id)
      expect(
        fs
          .readFileSync(path.join(p.root, row.original_path))
          .equals(fs.readFileSync(path.join(photos, `src-${i}.jpg`))),
      ).toBe(true)
    }
  })

  it('two albums with names that slug alike get separate media folders', () => {
    const p = project()
    p.importTarget.createAlbum('My Album', null)
    const b = p.importTarget.createAlbum('my album', null)
    expect(p.albums.slug(b)).toBe('my-album-2')
  })

  it('removes the copied file and thumbnail when the row cannot be stored', async () => {
    const p = project()
    const photos = tmp.make()
    const album = p.importTarget.createAlbum('a', null)
    const img = await makePhoto(photos, 'a.jpg', 1)
    // Make the insert fail after the files are written: a trigger that aborts inserts.
    p.db.exec(
      `CREATE TRIGGER fail_insert BEFORE INSERT ON images BEGIN SELECT RAISE(ABORT, 'disk says no'); END`,
    )
    expect(() => p.importTarget.addImage({ albumId: album }, img)).toThrow(
      /could not add .*a\.jpg: disk says no/,
    )
    expect(listFiles(path.join(p.root, 'media'))).toEqual([])
    expect(listFiles(path.join(p.root, 'thumbs'))).toEqual([])
    p.db.exec('DROP TRIGGER fail_insert')
    // and when the thumbnail write fails after the insert, the row is rolled back and the copy removed:
    // a folder where the thumbnail must go makes the rename fail (works as root too, unlike chmod).
    const { next } = p.db.prepare('SELECT coalesce(max(id), 0) + 1 AS next FROM images').get() as {
      next: number
    }
    const blocker = path.join(p.root, 'thumbs', `${next}.webp`)
    fs.mkdirSync(path.join(blocker, 'x'), { recursive: true })
    expect(() => p.importTarget.addImage({ albumId: album }, img)).toThrow(StoreIoError)
    expect(
      p.images.page({ owner: { albumId: album }, offset: 0, limit: 10, filter: 'all', sort: 'name' }).total,
    ).toBe(0)
    expect(listFiles(path.join(p.root, 'media'))).toEqual([])
    expect(listFiles(path.join(p.root, 'thumbs'))).toEqual([]) // no temp file left next to the blocker
    fs.rmSync(blocker, { recursive: true })
    expect(typeof p.importTarget.addImage({ albumId: album }, img)).toBe('number')
  })

  it('names the file when the original cannot be read', async () => {
    const p = project()
    const album = p.importTarget.createAlbum('a', null)
    const img = await makePhoto(tmp.make(), 'a.jpg', 1)
    fs.rmSync(img.sourcePath)
    expect(() => p.importTarget.addImage({ albumId: album }, img)).toThrow(
      new RegExp(`could not add ${img.sourcePath}`),
    )
  })

  it('refuses bad descriptions and unknown owners with clear messages', async () => {
    const p = project()
    const img = await makePhoto(tmp.make(), 'a.jpg', 1)
    const album = p.importTarget.createAlbum('a', null)
    expect(() => p.importTarget.addImage({ albumId: 99 }, img)).toThrow(
      new NotFoundError('album 99 does not exist'),
    )
    expect(() => p.importTarget.addImage({ sourceId: 5 }, img)).toThrow(/source dataset 5 does not exist/)
    expect(() => p.importTarget.addImage({ albumId: album }, { ...img, width: 0 })).toThrow(InvalidInputError)
    expect(() => p.importTarget.addImage({ albumId: album }, { ...img, orientation: 9 })).toThrow(
      /orientation 9/,
    )
    expect(() => p.importTarget.addImage({ albumId: album }, { ...img, sourcePath: 'rel.jpg' })).toThrow(
      /absolute/,
    )
    expect(() =>
      p.importTarget.addImage({ albumId: album }, { ...img, thumbnail: Buffer.from('nope') }),
    ).toThrow(/not a webp/)
  })
})

describe('StoreImportTarget.addMask and groupings', () => {
  async function withImage(): Promise<{ p: Project; album: number; id: number; w: number; h: number }> {
    const p = project()
    const album = p.importTarget.createAlbum('a', null)
    const img = await makePhoto(tmp.make(), 'a.jpg', 1)
    return {
      p,
      album,
      id: p.importTarget.addImage({ albumId: album }, img) as number,
      w: img.width,
      h: img.height,
    }
  }

  it('adds versions 1, 2, … each in its own file and keeps the newest on the image', async () => {
    const { p, id, w, h } = await withImage()
    const labels = new Uint8Array(w * h)
    expect(p.importTarget.addMask(id, { labels, width: w, height: h, author: 'model', origin: 'pred' })).toBe(
      1,
    )
    expect(
      p.importTarget.addMask(id, {
        labels: labels.fill(8),
        width: w,
        height: h,
        author: 'human',
        origin: 'edit',
      }),
    ).toBe(2)
    expect(listFiles(path.join(p.root, 'masks'))).toEqual([`${id}/v1.png`, `${id}/v2.png`])
    expect(p.images.record(id)).toMatchObject({
      hasMask: true,
      maskVersion: 2,
      media: { mask: `mask/${id}/2` },
    })
    expect(p.masks.list(id).map((m) => [m.version, m.author])).toEqual([
      [1, 'model'],
      [2, 'human'],
    ])
  })

  it('refuses masks of the wrong size or with invalid labels, writing nothing', async () => {
    const { p, id, w, h } = await withImage()
    expect(() =>
      p.importTarget.addMask(id, {
        labels: new Uint8Array(4),
        width: 2,
        height: 2,
        author: 'human',
        origin: '',
      }),
    ).toThrow(/mask for image \d+ \(a\.jpg\) is 2×2, but the image is 48×32/)
    const bad = new Uint8Array(w * h)
    bad[5] = 21
    bad[6] = 200
    expect(() =>
      p.importTarget.addMask(id, { labels: bad, width: w, height: h, author: 'human', origin: '' }),
    ).toThrow(/label values 21, 200; allowed are 0–20 and 255/)
    expect(() =>
      p.importTarget.addMask(777, { labels: bad, width: w, height: h, author: 'human', origin: '' }),
    ).toThrow(/image 777 does not exist/)
    expect(listFiles(path.join(p.root, 'masks'))).toEqual([])
  })

  it('removes the mask file when the row cannot be stored', async () => {
    const { p, id, w, h } = await withImage()
    p.db.exec(
      `CREATE TRIGGER fail_mask AFTER UPDATE OF mask_version ON images BEGIN SELECT RAISE(ABORT, 'no'); END`,
    )
    expect(() =>
      p.importTarget.addMask(id, {
        labels: new Uint8Array(w * h),
        width: w,
        height: h,
        author: 'human',
        origin: '',
      }),
    ).toThrow()
    expect(p.masks.list(id)).toEqual([])
    expect(listFiles(path.join(p.root, 'masks'))).toEqual([])
  })

  it('splits are versioned and the newest is active; foreign images refused', async () => {
    const { p, album, id } = await withImage()
    const other = p.importTarget.createAlbum('b', null)
    const s1 = p.importTarget.addSplit(album, 'val', [id], {})
    const s2 = p.importTarget.addSplit(album, 'val', [], {})
    expect(p.db.prepare('SELECT version FROM splits ORDER BY id').all()).toEqual([
      { version: 1 },
      { version: 2 },
    ])
    expect(p.albums.get(album)).toMatchObject({ splitId: s2, validationCount: 0 })
    expect(s1).not.toBe(s2)
    expect(() => p.importTarget.addSplit(other, 'val', [id], {})).toThrow(
      /image \d+ is not in album \d+ \(split "val"\)/,
    )
    expect(() => p.importTarget.addClustering(album, 'k', new Map([[id, -1]]), {})).toThrow(
      /groups are integers/,
    )
    // A group past the album's image count would make K larger than any clustering of it can be.
    expect(() => p.importTarget.addClustering(album, 'k', new Map([[id, 4]]), {})).toThrow(
      /has group 4; groups are integers 0–0 \(album \d+ has 1 images\)/,
    )
    p.importTarget.addClustering(album, 'k', new Map([[id, 0]]), {})
    expect(p.db.prepare('SELECT k FROM clusterings').get()).toEqual({ k: 1 })
  })

  it('source lists replace an earlier list of the same name', async () => {
    const p = project()
    const photos = tmp.make()
    const s = p.importTarget.createSource('VOC2012', 'voc', photos)
    const a = p.importTarget.addImage(
      { sourceId: s },
      await makePhoto(photos, 'a.jpg', 1, { copy: false }),
    ) as number
    const b = p.importTarget.addImage(
      { sourceId: s },
      await makePhoto(photos, 'b.jpg', 2, { copy: false }),
    ) as number
    p.importTarget.addSourceList(s, 'val', [a, b])
    p.importTarget.addSourceList(s, 'val', [b])
    expect(p.sources.get(s).lists).toEqual([{ name: 'val', count: 1 }])
    expect(() => p.importTarget.addSourceList(s, 'x', [9999])).toThrow(/image 9999 does not exist/)
  })
})
