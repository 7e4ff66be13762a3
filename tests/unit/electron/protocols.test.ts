/** pss-app:// and pss-media:// handlers as plain Request → Response functions, on a real project. */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Studio } from '../../../src/main/app/studio'
import { isTrustedFrame, sameOrigin } from '../../../src/main/electron/navigation'
import { APP_ORIGIN, appProtocolResponse, mediaProtocolResponse } from '../../../src/main/electron/protocols'
import { StaticFiles } from '../../../src/main/server/static-route'
import { mediaRef, type ImageRecord } from '../../../src/shared/api'
import { TempDirs, makeRendererDir, waitForJob, writeJpeg } from '../server/helpers'

const tmp = new TempDirs()
let studio: Studio
let files: StaticFiles
let image: ImageRecord
let projectPath: string
let photo: Buffer

beforeAll(async () => {
  studio = new Studio({ mode: 'electron', homeDir: tmp.make('pss-home-'), jobs: { writeIntervalMs: 10 } })
  projectPath = path.join(tmp.make(), 'project')
  await studio.api.createProject({ path: projectPath })
  const photos = tmp.make('pss-photos-')
  await writeJpeg(path.join(photos, 'p.jpg'))
  photo = fs.readFileSync(path.join(photos, 'p.jpg'))
  const { jobId } = await studio.api.importFolder({ dir: photos, albumName: 'A' })
  await waitForJob(studio, jobId)
  const [album] = await studio.api.listAlbums({})
  image = (await studio.api.listImages({ albumId: album!.id })).items[0]!
  files = new StaticFiles(makeRendererDir(tmp.make('pss-renderer-')))
})
afterAll(async () => {
  await studio.close()
  tmp.cleanup()
})

describe('pss-app://studio', () => {
  it('serves index.html with the CSP header', async () => {
    const r = await appProtocolResponse(studio, files, 'pss-app://studio/index.html')
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8')
    const csp = r.headers.get('content-security-policy') ?? ''
    expect(csp).toContain("script-src 'self';")
    expect(csp).toContain("img-src 'self' blob: data: pss-media:")
    expect(csp).toContain("object-src 'none'")
    expect(await r.text()).toContain('<div id="app">')
    const js = await appProtocolResponse(studio, files, 'pss-app://studio/assets/app-1.js')
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(js.headers.get('content-security-policy')).toBeNull()
  })

  it('serves media same-origin under /media/', async () => {
    const r = await appProtocolResponse(studio, files, `pss-app://studio/media/${image.media.image}`)
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toBe('image/jpeg')
    expect(Buffer.from(await r.arrayBuffer()).equals(photo)).toBe(true)
  })

  it('404 for other hosts, dotfiles, traversal and the database', async () => {
    for (const url of [
      'pss-app://other/index.html',
      'pss-app://studio/.env',
      'pss-app://studio/assets/',
      'pss-app://studio/%2e%2e/%2e%2e/etc/passwd',
      'pss-app://studio/media/file/..%2fproject.sqlite',
      'pss-app://studio/media/file/project.sqlite',
      'not a url',
    ]) {
      const r = await appProtocolResponse(studio, files, url)
      expect(r.status, url).toBe(404)
      expect(await r.text(), url).not.toContain('SQLite format 3')
    }
  })
})

describe('pss-media://media', () => {
  it('serves thumbnails and files, with CORS for the app origin', async () => {
    const r = await mediaProtocolResponse(studio, `pss-media://media/${image.media.thumb}`)
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toMatch(/^image\//)
    expect(r.headers.get('cache-control')).toBe('private, max-age=3600')
    expect(r.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN)
    expect((await r.arrayBuffer()).byteLength).toBeGreaterThan(20)
    fs.writeFileSync(path.join(projectPath, 'runs', 'x y.json'), '{}')
    const f = await mediaProtocolResponse(studio, `pss-media://media/${mediaRef.file('runs/x y.json')}`)
    expect(await f.text()).toBe('{}')
  })

  it('404 for traversal, the database, other hosts and unknown ids', async () => {
    for (const url of [
      'pss-media://media/file/../project.sqlite',
      'pss-media://media/file/%2e%2e/project.sqlite',
      'pss-media://media/file/..%2F..%2Fetc%2Fpasswd',
      'pss-media://media/file/project.sqlite',
      'pss-media://media/file/project.sqlite%00',
      'pss-media://media/thumb/99999',
      `pss-media://elsewhere/${image.media.thumb}`,
    ]) {
      const r = await mediaProtocolResponse(studio, url)
      expect(r.status, url).toBe(404)
      expect(await r.text(), url).not.toContain('SQLite format 3')
    }
  })
})

describe('navigation', () => {
  it('allows only the app origin (and the dev server when given)', () => {
    expect(sameOrigin('pss-app://studio/index.html', [APP_ORIGIN])).toBe(true)
    expect(sameOrigin('pss-app://studio/#/album/3', [APP_ORIGIN])).toBe(true)
    expect(sameOrigin('pss-app://evil/index.html', [APP_ORIGIN])).toBe(false)
    expect(sameOrigin('https://example.com/', [APP_ORIGIN])).toBe(false)
    expect(sameOrigin('file:///etc/passwd', [APP_ORIGIN])).toBe(false)
    expect(sameOrigin('javascript:alert(1)', [APP_ORIGIN])).toBe(false)
    expect(sameOrigin('http://localhost:5173/x', [APP_ORIGIN, 'http://localhost:5173'])).toBe(true)
    expect(sameOrigin('http://localhost:5174/x', [APP_ORIGIN, 'http://localhost:5173'])).toBe(false)
  })

  it('trusts only a top frame on the app origin', () => {
    expect(isTrustedFrame({ url: 'pss-app://studio/index.html', parent: null }, [APP_ORIGIN])).toBe(true)
    expect(isTrustedFrame({ url: 'pss-app://studio/index.html', parent: {} }, [APP_ORIGIN])).toBe(false)
    expect(isTrustedFrame({ url: 'https://evil.example/', parent: null }, [APP_ORIGIN])).toBe(false)
    expect(isTrustedFrame(null, [APP_ORIGIN])).toBe(false)
  })
})
