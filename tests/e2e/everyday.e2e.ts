/**
 * Everyday album actions in real Chromium (browser mode) on the tiny demo project plus an imported
 * folder: export an album's masks from the UI (a job with progress, then the files on disk), filter the
 * grid by a class present in the ground truth (the count matches the API), rename an album, and delete
 * one after the confirmation that says what goes (Cancel first keeps it).
 *
 * Needs a build (`npx electron-vite build`) and /usr/bin/chromium.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { AlbumDeletion } from '../../src/shared/album-deletion'
import type { Album, ImagePage, JobRecord, StartedJob } from '../../src/shared/domain'
import { callApi, openBrowser, tid, type BrowserSession } from './helpers/browser-session'
import { cli, serve, type Served } from './helpers/serve'
import { makePhotoFolder } from './helpers/fixtures'

const RESULTS = resolve('test-results/everyday-e2e')

let tmp: string
let server: Served
let session: BrowserSession
let page: Page
let album: Album
let scratch: Album

const api = <T>(method: string, args: unknown): Promise<T> => callApi<T>(server, method, args)

async function until<T>(
  what: string,
  get: () => Promise<T>,
  done: (v: T) => boolean,
  ms = 60_000,
): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = await get()
    if (done(v)) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v).slice(0, 400)}`)
    await new Promise((r) => setTimeout(r, 300))
  }
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'pss-e2e-everyday-'))
  const env = {
    ...process.env,
    PSS_STUDIO_HOME: join(tmp, 'home'),
    PSS_DEMO_PRESET: 'tiny',
    PSS_BACKEND: 'wasm',
  }
  const dir = join(tmp, 'demo')
  await cli(['demo-project', '--dir', dir], env)
  server = await serve(['--project', dir], env)
  album = (await api<Album[]>('listAlbums', {})).find((a) => a.maskedCount > 0)!
  // A second album, copied in, to rename and delete.
  const photos = await makePhotoFolder(join(tmp, 'photos'), 3)
  const started = await api<StartedJob>('importFolder', { dir: photos.dir, albumName: 'Scratch', copy: true })
  await until(
    'the import',
    async () => (await api<JobRecord[]>('listJobs', { limit: 20 })).find((j) => j.id === started.jobId),
    (j) => j?.status === 'done',
  )
  scratch = (await api<Album[]>('listAlbums', {})).find((a) => a.name === 'Scratch')!
  session = await openBrowser({ resultsDir: RESULTS, viewport: { width: 1280, height: 800 } })
  page = session.page
  await page.goto(server.url)
  await page.waitForSelector(`${tid('project-view')}[data-state="ready"]`)
}, 300_000)

afterEach(async (ctx) => {
  await session?.recordFailure(ctx.task, server)
})

afterAll(async () => {
  await session?.close()
  await server?.stop()
  if (tmp) rmSync(tmp, { recursive: true, force: true })
})

async function openAlbum(id: number): Promise<void> {
  await page.evaluate(
    (h) => ((globalThis as unknown as { location: { hash: string } }).location.hash = h),
    `#/album/${id}`,
  )
  await page.waitForSelector(`${tid('album-grid')}[data-state="ready"]`, { timeout: 60_000 })
}

async function albumMenu(item: 'album-rename' | 'album-export' | 'album-delete'): Promise<void> {
  await page.click(tid('album-menu'))
  await page.click(tid(item))
}

describe('everyday album actions', () => {
  it('exports masks from the UI as a job and writes the VOC layout', async () => {
    await openAlbum(album.id)
    await albumMenu('album-export')
    const out = join(tmp, 'export-voc')
    await page.fill(tid('export-path'), out)
    await page.click(tid('export-submit'))
    await page.waitForSelector(`${tid('export-progress')}[data-status="done"]`, { timeout: 60_000 })
    await expect
      .poll(() => page.textContent(tid('export-result')))
      .toContain(`Exported ${album.maskedCount} masks and ${album.imageCount} photos`)
    expect(readdirSync(join(out, 'SegmentationClass'))).toHaveLength(album.maskedCount)
    expect(readdirSync(join(out, 'JPEGImages'))).toHaveLength(album.imageCount)
    expect(existsSync(join(out, 'ImageSets', 'Segmentation', 'val.txt'))).toBe(true)
    // The job is a real job: the Jobs panel has it, done, with every photo counted.
    const job = (await api<JobRecord[]>('listJobs', { limit: 20 })).find((j) => j.kind === 'export-masks')!
    expect(job).toMatchObject({
      status: 'done',
      progress: { done: album.imageCount, total: album.imageCount },
    })
    await page.click(tid('export-close'))
    await expect.poll(() => page.locator(tid('export-dialog')).count()).toBe(0)
  })

  it('filters the grid by a class present in the ground truth', async () => {
    await openAlbum(album.id)
    // A class some but not all images show (the API's answer is checked against the GT in unit tests).
    let pick: { classId: number; total: number } | null = null
    for (let c = 1; c < 21 && pick === null; c++) {
      const r = await api<ImagePage>('listImages', { albumId: album.id, limit: 1, hasClass: { classId: c } })
      if (r.total > 0 && r.total < album.imageCount) pick = { classId: c, total: r.total }
    }
    expect(pick, 'the demo album has a class present in some images only').not.toBeNull()
    await page.selectOption(tid('grid-class'), String(pick!.classId))
    await expect.poll(() => page.getAttribute(tid('album-grid'), 'data-total')).toBe(String(pick!.total))
    await expect
      .poll(() => page.textContent(tid('grid-count')))
      .toContain(`${pick!.total} of ${album.imageCount} images`)
    await page.click(tid('grid-content-clear'))
    await expect.poll(() => page.getAttribute(tid('album-grid'), 'data-total')).toBe(String(album.imageCount))
  })

  it('renames an album', async () => {
    await openAlbum(scratch.id)
    await albumMenu('album-rename')
    await page.fill(tid('album-rename-input'), 'Scratch renamed')
    await page.click(tid('album-rename-submit'))
    await expect.poll(() => page.textContent(tid('grid-title'))).toBe('Scratch renamed')
    await expect.poll(() => page.textContent(tid(`album-${scratch.id}`))).toContain('Scratch renamed')
    expect((await api<Album[]>('listAlbums', {})).find((a) => a.id === scratch.id)?.name).toBe(
      'Scratch renamed',
    )
  })

  it('deletes an album only after the confirmation that says what goes', async () => {
    await openAlbum(scratch.id)
    const preview = await api<AlbumDeletion>('albumDeletionPreview', { albumId: scratch.id })
    expect(preview).toMatchObject({ images: 3, runs: 0, copiedOriginals: 3 })
    await albumMenu('album-delete')
    await expect
      .poll(() => page.textContent(tid('album-delete-summary')))
      .toBe('Deletes "Scratch renamed": 3 images, 0 masks, 0 runs.')
    await page.click(tid('album-delete-cancel'))
    expect((await api<Album[]>('listAlbums', {})).some((a) => a.id === scratch.id)).toBe(true)

    await albumMenu('album-delete')
    await page.waitForSelector(`${tid('album-delete-confirm')}:not([disabled])`)
    await page.click(tid('album-delete-confirm'))
    await expect.poll(() => page.locator(tid(`album-${scratch.id}`)).count()).toBe(0)
    expect((await api<Album[]>('listAlbums', {})).some((a) => a.id === scratch.id)).toBe(false)
    // The other albums are untouched.
    expect((await api<Album[]>('listAlbums', {})).find((a) => a.id === album.id)).toMatchObject({
      imageCount: album.imageCount,
      maskedCount: album.maskedCount,
    })
  })
})
