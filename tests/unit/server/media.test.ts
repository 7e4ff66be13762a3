/** GET /media/<ref>: real imported images and thumbnails, and traversal attempts that must all be 404. */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mediaRef, type ImageRecord } from '../../../src/shared/api'
import { TempDirs, request, startFixture, waitForJob, writeJpeg, type ServerFixture } from './helpers'

const tmp = new TempDirs()
let fx: ServerFixture
let image: ImageRecord
let photoBytes: Buffer
const SQLITE_MAGIC = Buffer.from('SQLite format 3\0')

beforeAll(async () => {
  fx = await startFixture(tmp)
  const photos = tmp.make('pss-photos-')
  await writeJpeg(path.join(photos, 'beach.jpg'), 120, 80, 7)
  photoBytes = fs.readFileSync(path.join(photos, 'beach.jpg'))
  const { jobId } = await fx.studio.api.importFolder({ dir: photos, albumName: 'Holiday' })
  const job = await waitForJob(fx.studio, jobId)
  expect(job.status).toBe('done')
  const [album] = await fx.studio.api.listAlbums({})
  const page = await fx.studio.api.listImages({ albumId: album!.id })
  image = page.items[0]!
  // Files for file/ refs: one with a space and a literal '%' in its name.
  fs.mkdirSync(path.join(fx.projectPath, 'runs', 'r1'), { recursive: true })
  fs.writeFileSync(path.join(fx.projectPath, 'runs', 'r1', 'metrics.json'), '{"miou":0.5}')
  fs.writeFileSync(path.join(fx.projectPath, 'runs', 'r1', 'a b%41.txt'), 'literal percent')
  fs.writeFileSync(path.join(fx.projectPath, 'runs', 'r1', 'a bA.txt'), 'WRONG FILE')
  fs.writeFileSync(path.join(path.dirname(fx.projectPath), 'outside.txt'), 'OUTSIDE')
})
afterAll(async () => {
  await fx.close()
  tmp.cleanup()
})

const get = (p: string, headers: Record<string, string> = {}) =>
  request(fx.port, { path: p, headers: { 'x-pss-token': fx.token, ...headers } })

describe('/media', () => {
  it('serves a thumbnail as an image with a private cache header', async () => {
    const r = await get(`/media/${image.media.thumb}`)
    expect(r.status).toBe(200)
    expect(r.headers['content-type']).toMatch(/^image\/(webp|jpeg|png)$/)
    expect(r.headers['cache-control']).toBe('private, max-age=3600')
    expect(r.headers['x-content-type-options']).toBe('nosniff')
    expect(Number(r.headers['content-length'])).toBe(r.body.length)
    expect(r.body.length).toBeGreaterThan(20)
    if (r.headers['content-type'] === 'image/webp')
      expect(r.body.subarray(8, 12).toString('latin1')).toBe('WEBP')
  })

  it('serves the original with its bytes unchanged', async () => {
    const r = await get(`/media/${image.media.image}`)
    expect(r.status).toBe(200)
    expect(r.headers['content-type']).toBe('image/jpeg')
    expect(r.headers['cache-control']).toBe('private, no-cache')
    expect(r.body.equals(photoBytes)).toBe(true)
    const head = await request(fx.port, {
      method: 'HEAD',
      path: `/media/${image.media.image}`,
      headers: { 'x-pss-token': fx.token },
    })
    expect(head.status).toBe(200)
    expect(head.headers['content-length']).toBe(String(photoBytes.length))
  })

  it('serves file/ refs made by mediaRef.file, decoding exactly once', async () => {
    const json = await get(`/media/${mediaRef.file('runs/r1/metrics.json')}`)
    expect(json.status).toBe(200)
    expect(json.headers['content-type']).toMatch(/^application\/json/)
    expect(json.text).toBe('{"miou":0.5}')
    const odd = await get(`/media/${mediaRef.file('runs/r1/a b%41.txt')}`)
    expect(odd.status).toBe(200)
    expect(odd.text).toBe('literal percent')
  })

  it('needs the token', async () => {
    const r = await request(fx.port, { path: `/media/${image.media.thumb}` })
    expect(r.status).toBe(401)
    expect(r.body.length).toBeLessThan(200)
  })

  it('404 for unknown ids and malformed refs', async () => {
    for (const p of [
      '/media/thumb/999',
      '/media/image/0',
      '/media/image/abc',
      '/media/mask/1/1',
      '/media/nope/1',
      '/media/',
      '/media/thumb/%E0%A4%A',
    ]) {
      expect((await get(p)).status, p).toBe(404)
    }
  })

  it('traversal attempts are 404 and never return the database or outside files', async () => {
    const attempts = [
      '/media/file/../project.sqlite',
      '/media/file/./project.sqlite',
      '/media/file/project.sqlite',
      '/media/file/project.sqlite-wal',
      '/media/file/.lock',
      '/media/file/%2e%2e/outside.txt',
      '/media/file/%2E%2E/%2E%2E/etc/passwd',
      '/media/file/..%2fproject.sqlite',
      '/media/file/..%2Foutside.txt',
      '/media/file%2f..%2fproject.sqlite',
      '/media/file/runs%2f..%2f..%2foutside.txt',
      '/media/file//etc/passwd',
      '/media/file/%2fetc%2fpasswd',
      '/media/file/%2Fetc/passwd',
      '/media/file/' + encodeURIComponent(path.join(fx.projectPath, 'project.sqlite')),
      '/media/file/..%5coutside.txt',
      '/media/file/runs\\..\\..\\outside.txt',
      '/media/file/project.sqlite%00.png',
      '/media/file/runs/r1/metrics.json%00',
      '/media/file/%252e%252e/outside.txt',
      '/media/file/%252e%252e%252fproject.sqlite',
      '/media/../project.sqlite',
      '/media/%2e%2e/%2e%2e/etc/passwd',
      '/media/image/1/../../file/project.sqlite',
      '/media/file/C:%5cWindows%5cwin.ini',
    ]
    for (const p of attempts) {
      const r = await get(p)
      expect(r.status, p).toBe(404)
      expect(r.body.includes(SQLITE_MAGIC), p).toBe(false)
      expect(r.text, p).not.toContain('OUTSIDE')
      expect(r.text, p).not.toContain('root:')
    }
  })

  it('refuses a symlink inside the project that leads outside', async () => {
    fs.symlinkSync(
      path.join(path.dirname(fx.projectPath), 'outside.txt'),
      path.join(fx.projectPath, 'runs', 'r1', 'link.txt'),
    )
    const r = await get(`/media/${mediaRef.file('runs/r1/link.txt')}`)
    expect(r.status).toBe(404)
    expect(r.text).not.toContain('OUTSIDE')
  })

  it('refuses media once the project is closed', async () => {
    const before = await get(`/media/${image.media.thumb}`)
    expect(before.status).toBe(200)
    await fx.studio.api.closeProject({})
    expect((await get(`/media/${image.media.thumb}`)).status).toBe(404)
    await fx.studio.api.openProject({ path: fx.projectPath })
    expect((await get(`/media/${image.media.thumb}`)).status).toBe(200)
  })
})
