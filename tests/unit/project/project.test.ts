import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { latestVersion } from '../../../src/main/project/migrations'
import { Project } from '../../../src/main/project/project'
import {
  ConflictError,
  InvalidInputError,
  NotFoundError,
  ProjectLockedError,
} from '../../../src/main/project/errors'
import { decodeLabelPng } from '../../../src/main/media/label-png'
import { fakeImage, makePhoto, TempDirs } from './fixtures'

const tmp = new TempDirs()
const open: Project[] = []
afterEach(() => {
  for (const p of open.splice(0)) p.close()
  tmp.cleanup()
})
const keep = (p: Project): Project => (open.push(p), p)

describe('Project create/open', () => {
  it('creates the folder layout and the project row', () => {
    const root = path.join(tmp.make(), 'My Project')
    const p = keep(Project.create(root, { name: 'Trip' }))
    expect(fs.readdirSync(root).sort()).toEqual([
      '.lock',
      'masks',
      'media',
      'project.sqlite',
      'project.sqlite-shm',
      'project.sqlite-wal',
      'runs',
      'thumbs',
    ])
    expect(p.info()).toMatchObject({ path: root, name: 'Trip', schemaVersion: latestVersion(), demo: false })
  })

  it('defaults the name to the folder name and records the demo flag', () => {
    const root = path.join(tmp.make(), 'albums-2024')
    expect(keep(Project.create(root, { demo: true })).info()).toMatchObject({
      name: 'albums-2024',
      demo: true,
    })
  })

  it('refuses a non-empty folder, naming what it holds', () => {
    const root = tmp.make()
    fs.writeFileSync(path.join(root, 'notes.txt'), 'x')
    expect(() => Project.create(root)).toThrow(ConflictError)
    expect(() => Project.create(root)).toThrow(/is not empty \(1 entries: notes\.txt\)/)
    expect(fs.readdirSync(root)).toEqual(['notes.txt'])
  })

  it('says so when the folder already holds a project', () => {
    const root = path.join(tmp.make(), 'p')
    Project.create(root).close()
    expect(() => Project.create(root)).toThrow(/already holds a project: open it instead/)
  })

  it('open refuses a folder without project.sqlite and says what it found', () => {
    const root = tmp.make()
    expect(() => Project.open(root)).toThrow(
      /not a PSS Studio project: there is no project\.sqlite \(the folder is empty\)/,
    )
    fs.writeFileSync(path.join(root, 'a.jpg'), 'x')
    expect(() => Project.open(root)).toThrow(InvalidInputError)
    expect(() => Project.open(root)).toThrow(/holds 1 entries \(a\.jpg\)/)
    expect(() => Project.open(path.join(root, 'missing'))).toThrow(NotFoundError)
  })

  it('a damaged database is refused with the file named, and the lock given back', () => {
    const root = tmp.make()
    fs.writeFileSync(
      path.join(root, 'project.sqlite'),
      'this is not a database, just text that is long enough',
    )
    expect(() => Project.open(root)).toThrow(
      new RegExp(`cannot open ${path.join(root, 'project.sqlite')}: file is not a database`),
    )
    expect(fs.existsSync(path.join(root, '.lock'))).toBe(false)
  })

  it('a second open of an open project is refused until the first closes', () => {
    const root = path.join(tmp.make(), 'p')
    const first = Project.create(root)
    expect(() => Project.open(root)).toThrow(ProjectLockedError)
    first.close()
    expect(fs.existsSync(path.join(root, '.lock'))).toBe(false)
    keep(Project.open(root))
  })

  it('reopens with everything written before (albums, images, masks, splits, clusterings, lists)', async () => {
    const root = path.join(tmp.make(), 'p')
    const photos = tmp.make()
    const p = Project.create(root, { name: 'Reopen' })
    const t = p.importTarget
    const album = t.createAlbum('id3', 'id3')
    const img = await makePhoto(photos, 'a.jpg', 1)
    const a = t.addImage({ albumId: album }, img) as number
    const b = t.addImage({ albumId: album }, await makePhoto(photos, 'b.jpg', 2, { copy: false })) as number
    const labels = new Uint8Array(img.width * img.height).fill(15)
    labels[0] = 255
    expect(
      t.addMask(a, { labels, width: img.width, height: img.height, author: 'human', origin: 'test' }),
    ).toBe(1)
    const split = t.addSplit(album, 'val30', [b], { seed: 1 })
    t.addClustering(
      album,
      'k2',
      new Map([
        [a, 0],
        [b, 1],
      ]),
      { k: 2 },
    )
    const src = t.createSource('VOC', 'voc', photos)
    const s1 = t.addImage({ sourceId: src }, { ...img, copy: false }) as number
    t.addSourceList(src, 'train', [s1])
    p.close()

    const q = keep(Project.open(root))
    expect(q.info().name).toBe('Reopen')
    expect(q.albums.list()).toEqual([
      expect.objectContaining({
        id: album,
        name: 'id3',
        userId: 'id3',
        imageCount: 2,
        maskedCount: 1,
        validationCount: 1,
        validationMaskedCount: 0,
        splitId: split,
        clusteringCount: 1,
      }),
    ])
    const page = q.images.page({
      owner: { albumId: album },
      offset: 0,
      limit: 10,
      filter: 'all',
      sort: 'name',
    })
    expect(page.items.map((i) => [i.name, i.hasMask, i.maskVersion, i.inValidation, i.cluster])).toEqual([
      ['a.jpg', true, 1, false, 0],
      ['b.jpg', false, null, true, 1],
    ])
    const maskFile = path.join(root, q.masks.file(a, 1)!)
    const decoded = decodeLabelPng(fs.readFileSync(maskFile))
    expect(decoded.kind).toBe('palette')
    expect(Buffer.from(decoded.labels).equals(Buffer.from(labels))).toBe(true)
    expect(q.masks.list(a)).toEqual([
      expect.objectContaining({
        version: 1,
        author: 'human',
        classPixels: { '15': labels.length - 1, '255': 1 },
      }),
    ])
    expect(q.sources.list()).toEqual([
      expect.objectContaining({ name: 'VOC', imageCount: 1, lists: [{ name: 'train', count: 1 }] }),
    ])
    // copied original is inside the project, referenced one stays where it was
    const da = q.images.detail(a, [], (r) => q.originalPath(r))
    expect(da.originalPath.startsWith(path.join(root, 'media'))).toBe(true)
    expect(fs.readFileSync(da.originalPath).equals(fs.readFileSync(img.sourcePath))).toBe(true)
    expect(q.images.detail(b, [], (r) => q.originalPath(r)).originalPath).toBe(path.join(photos, 'b.jpg'))
  })

  it('deleteAlbum removes its rows and copied files but not referenced originals', async () => {
    const root = path.join(tmp.make(), 'p')
    const photos = tmp.make()
    const p = keep(Project.create(root))
    const album = p.importTarget.createAlbum('x', null)
    const img = await makePhoto(photos, 'a.jpg', 1)
    const id = p.importTarget.addImage({ albumId: album }, img) as number
    p.importTarget.addMask(id, {
      labels: new Uint8Array(img.width * img.height),
      width: img.width,
      height: img.height,
      author: 'human',
      origin: '',
    })
    const ref = p.importTarget.addImage(
      { albumId: album },
      await makePhoto(photos, 'b.jpg', 2, { copy: false }),
    ) as number
    p.deleteAlbum(album)
    expect(p.albums.list()).toEqual([])
    expect(() => p.images.row(ref)).toThrow(NotFoundError)
    expect(fs.readdirSync(path.join(root, 'media', 'x'))).toEqual([])
    expect(fs.readdirSync(path.join(root, 'thumbs'))).toEqual([])
    expect(fs.readdirSync(path.join(root, 'masks'))).toEqual([])
    expect(fs.existsSync(path.join(photos, 'b.jpg'))).toBe(true)
    expect(() => p.deleteAlbum(album)).toThrow(/album \d+ does not exist/)
  })

  it('album names are unique; renaming checks too', () => {
    const p = keep(Project.create(path.join(tmp.make(), 'p')))
    const a = p.albums.create('Summer', null)
    const b = p.albums.create('Winter', null)
    expect(() => p.albums.create('Summer', null)).toThrow(/an album named "Summer" already exists/)
    expect(() => p.albums.rename(b, 'Summer')).toThrow(ConflictError)
    expect(p.albums.rename(a, 'Summer 2024').name).toBe('Summer 2024')
    expect(() => p.albums.rename(99, 'x')).toThrow(/album 99 does not exist/)
  })

  it('tags are stored sorted and de-duplicated', () => {
    const p = keep(Project.create(path.join(tmp.make(), 'p')))
    const a = p.albums.create('a', null)
    const id = p.importTarget.addImage({ albumId: a }, fakeImage(1)) as number
    p.images.setTags(id, [15, 3, 15])
    expect(p.images.record(id).tags).toEqual([3, 15])
    expect(() => p.images.setTags(999, [1])).toThrow(/image 999 does not exist/)
  })
})
