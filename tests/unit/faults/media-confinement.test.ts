/**
 * Media confinement (issue 17, item 8): an image reference may only resolve inside the project folder or
 * inside a folder the user registered by importing from it in place. A hand-edited project.sqlite that
 * points /media/image/<id> at any other readable file is refused (404) and logged.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { Studio } from '../../../src/main/app/studio'
import { Project } from '../../../src/main/project/project'
import { ancestorsOf, listRegisteredFolders } from '../../../src/main/project/registered-folders'
import { mediaRef } from '../../../src/shared/domain'
import { makePhoto, TempDirs } from '../project/fixtures'
import { request, startFixture, type ServerFixture } from '../server/helpers'

const tmp = new TempDirs()
afterAll(() => tmp.cleanup())

describe('ancestorsOf', () => {
  it('lists every folder from the file up to the root', () => {
    expect(ancestorsOf('/a/b/c.jpg')).toEqual(['/a/b', '/a', '/'])
  })
})

describe('in-place references', () => {
  let studio: Studio
  let project: Project
  let photos: string
  let elsewhere: string
  let inPlace: number
  let copied: number
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})

  beforeAll(async () => {
    studio = new Studio({ mode: 'browser', homeDir: tmp.make() })
    await studio.api.createProject({ path: path.join(tmp.make(), 'proj') })
    project = studio.currentProject()
    photos = fs.realpathSync(tmp.make('pss-photos-'))
    elsewhere = fs.realpathSync(tmp.make('pss-elsewhere-'))
    await makePhoto(elsewhere, 'secret.jpg', 9)
    const album = project.importTarget.createAlbum('a', null)
    inPlace = project.importTarget.addImage(
      { albumId: album },
      await makePhoto(photos, 'b.jpg', 2, { copy: false }),
    ) as number
    copied = project.importTarget.addImage({ albumId: album }, await makePhoto(photos, 'c.jpg', 3)) as number
  }, 60_000)
  afterEach(() => warn.mockClear())
  afterAll(async () => {
    await studio.close()
    warn.mockRestore()
  })

  const point = (id: number, to: string): void => {
    project.db.prepare('UPDATE images SET original_path = ?, copied = 0 WHERE id = ?').run(to, id)
  }

  it('registers the folder of an in-place import and serves the photo from it', () => {
    expect(listRegisteredFolders(project.db)).toEqual([photos])
    expect(studio.resolveMedia(mediaRef.image(inPlace))?.path).toBe(path.join(photos, 'b.jpg'))
  })

  it('refuses and logs (once) a hand-edited reference to a file outside every registered folder', () => {
    point(inPlace, '/etc/passwd')
    expect(studio.resolveMedia(mediaRef.image(inPlace))).toBeNull()
    expect(studio.resolveMedia(mediaRef.image(inPlace))).toBeNull()
    expect(warn).toHaveBeenCalledTimes(1)
    expect(String(warn.mock.calls[0]![0])).toBe(
      `PSS Studio: refused to serve image ${inPlace}: /etc/passwd is outside the project folder and every registered import folder`,
    )
    point(inPlace, path.join(elsewhere, 'secret.jpg'))
    expect(studio.resolveMedia(mediaRef.image(inPlace))).toBeNull()
  })

  it('follows symlinks before checking: a link inside a registered folder that leads outside is refused', () => {
    fs.symlinkSync(path.join(elsewhere, 'secret.jpg'), path.join(photos, 'link.jpg'))
    point(copied, path.join(photos, 'link.jpg'))
    expect(studio.resolveMedia(mediaRef.image(copied))).toBeNull()
    expect(String(warn.mock.calls[0]![0])).toContain(`(→ ${path.join(elsewhere, 'secret.jpg')})`)
  })

  it('confines the paths runs and exports read too (Project.originalPath), naming the image', () => {
    const row = (id: number) => project.images.row(id)
    point(inPlace, '/etc/passwd')
    expect(() => project.originalPath(row(inPlace))).toThrow(
      `image ${inPlace}: its original /etc/passwd is outside the project folder and every registered import folder`,
    )
    // A copied row whose project-relative path climbs out of the project.
    project.db
      .prepare("UPDATE images SET original_path = '../../etc/passwd', copied = 1 WHERE id = ?")
      .run(inPlace)
    expect(() => project.originalPath(row(inPlace))).toThrow(/is outside the project folder/)
    point(inPlace, path.join(photos, 'b.jpg'))
    expect(project.originalPath(row(inPlace))).toBe(path.join(photos, 'b.jpg'))
  })

  it('still serves an in-place reference into the project folder itself', () => {
    const inside = path.join(project.root, 'media')
    fs.mkdirSync(inside, { recursive: true })
    fs.copyFileSync(path.join(photos, 'c.jpg'), path.join(inside, 'kept.jpg'))
    point(copied, path.join(inside, 'kept.jpg'))
    expect(studio.resolveMedia(mediaRef.image(copied))?.path).toBe(
      path.join(fs.realpathSync(inside), 'kept.jpg'),
    )
  })
})

describe('over HTTP', () => {
  let fx: ServerFixture
  afterEach(async () => {
    await fx.close()
  })

  it('GET /media/image/<id> of a row pointed at /etc/passwd is a 404', async () => {
    fx = await startFixture(tmp)
    const project = fx.studio.currentProject()
    const album = project.importTarget.createAlbum('a', null)
    const id = project.importTarget.addImage(
      { albumId: album },
      await makePhoto(tmp.make(), 'b.jpg', 2, { copy: false }),
    ) as number
    const get = () => request(fx.port, { path: `/media/image/${id}`, headers: { 'x-pss-token': fx.token } })
    expect((await get()).status).toBe(200)
    project.db.prepare("UPDATE images SET original_path = '/etc/passwd' WHERE id = ?").run(id)
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    try {
      const res = await get()
      expect(res.status).toBe(404)
      expect(res.text).not.toContain('root:')
    } finally {
      warn.mockRestore()
    }
  })
})

describe('projects made before registered folders', () => {
  it('registers the folders their in-place import jobs named and the roots of their source datasets', async () => {
    const root = path.join(tmp.make(), 'old')
    const chosen = fs.realpathSync(tmp.make('pss-chosen-'))
    const voc = fs.realpathSync(tmp.make('pss-voc-'))
    const copiedFrom = fs.realpathSync(tmp.make('pss-copied-'))
    const p = Project.create(root)
    const job = p.db.prepare(
      "INSERT INTO jobs (kind, title, status, args, created_at) VALUES (?, 't', 'done', ?, '2026-01-01T00:00:00Z')",
    )
    job.run('import-folder', JSON.stringify({ dir: chosen, albumName: 'x', copy: false }))
    job.run('import-pis', JSON.stringify({ root: copiedFrom, copy: true }))
    job.run('import-pis', '{not json')
    p.sources.create('VOC', 'voc', voc)
    // Back to schema version 6, as a project written by the previous release.
    p.db.exec('DROP TABLE registered_folders')
    p.db.pragma('user_version = 6')
    p.close()
    const reopened = Project.open(root)
    try {
      expect(listRegisteredFolders(reopened.db)).toEqual([chosen, voc].sort())
    } finally {
      reopened.close()
    }
  })
})
