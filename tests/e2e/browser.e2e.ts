/**
 * The studio in real Chromium through browser mode: the built CLI serves a temp project, and the test
 * drives the UI like a curator — start page, create a project, import a folder with bad files, browse
 * the virtual grid, open the viewer, import a PIS dataset with masks and look at the overlay.
 *
 * Needs a build (`npx electron-vite build`; PSS_E2E_OUT points at another build folder) and
 * /usr/bin/chromium. Screenshots go to test-results/screenshots/ (to docs/screenshots/ with
 * PSS_UPDATE_SCREENSHOTS=1, which refreshes the README's figures); traces of failures to test-results/.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join, resolve } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { vocColor } from '../../src/shared/voc'
import { makePhotoFolder, makePisDataset, type PhotoFolder, type PisFixture } from './helpers/fixtures'
import { openBrowser, screenshotsDir, tid, type BrowserSession } from './helpers/browser-session'
import { cli, serve, type Served } from './helpers/serve'

const SHOTS = screenshotsDir()
const RESULTS = resolve('test-results/browser-e2e')
const PHOTO_COUNT = 80
const PIS_COUNT = 24

let tmp: string
let env: NodeJS.ProcessEnv
let server: Served
let session: BrowserSession
let page: Page
let photos: PhotoFolder
let pis: PisFixture

// Page-side shapes used inside evaluate() (this file is type-checked without the DOM library).
interface LoadedImage {
  complete: boolean
  naturalWidth: number
}
interface CanvasLike {
  width: number
  height: number
  style: { display: string }
  getContext(
    kind: '2d',
  ): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null
}

async function gridReady(): Promise<void> {
  await page.waitForSelector(`${tid('album-grid')}[data-state="ready"]`)
}

async function viewerReady(): Promise<void> {
  await page.waitForSelector(`${tid('image-viewer')}[data-state="ready"]`)
}

/** Waits for the job with this kind to end; returns its element's status. */
async function waitForJobEnd(kind: string): Promise<string> {
  const job = page.locator(`[data-kind="${kind}"]`).first()
  await job.waitFor()
  await expect
    .poll(async () => job.getAttribute('data-status'), { timeout: 120_000, interval: 200 })
    .toMatch(/^(done|failed|cancelled)$/)
  return (await job.getAttribute('data-status')) ?? ''
}

/** Closes every toast (some fade out by themselves meanwhile). */
async function dismissToasts(): Promise<void> {
  const buttons = page.locator(tid('toast-dismiss'))
  await expect
    .poll(async () => {
      if ((await buttons.count()) > 0)
        await buttons
          .first()
          .click({ timeout: 1000 })
          .catch(() => {})
      return buttons.count()
    })
    .toBe(0)
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'pss-e2e-browser-'))
  env = { ...process.env, PSS_STUDIO_HOME: join(tmp, 'home') }
  mkdirSync(RESULTS, { recursive: true })
  photos = await makePhotoFolder(join(tmp, 'inputs', 'trip-2024'), PHOTO_COUNT)
  pis = await makePisDataset(join(tmp, 'inputs', 'pis'), PIS_COUNT)
  await cli(['create', '--project', join(tmp, 'first-project')], env)
  // A recent project whose folder is gone since: listed, greyed, not openable.
  await cli(['create', '--project', join(tmp, 'holiday-2019'), '--name', 'Holiday 2019'], env)
  rmSync(join(tmp, 'holiday-2019'), { recursive: true, force: true })
  server = await serve(['--project', join(tmp, 'first-project')], env)
  session = await openBrowser({ resultsDir: RESULTS })
  page = session.page
})

afterEach(async (ctx) => {
  await session?.recordFailure(ctx.task, server)
})

afterAll(async () => {
  await session?.close()
  await server?.stop()
  if (tmp) rmSync(tmp, { recursive: true, force: true })
})

describe('PSS Studio in the browser', () => {
  it('opens on the project it serves and takes the token out of the address bar', async () => {
    await page.goto(server.url)
    await page.waitForSelector('body[data-ready="true"]')
    await page.waitForSelector(`${tid('project-view')}[data-state="ready"]`)
    await expect.poll(() => page.locator(tid('project-name')).textContent()).toBe('first-project')
    expect(page.url()).not.toContain('token=')
    // After a reload the page still gets in (cookie + the token kept for this tab).
    await page.reload()
    await page.waitForSelector(`${tid('project-view')}[data-state="ready"]`)
  })

  it('shows the start page after closing the project, and a clear error for a bad path', async () => {
    await page.click(tid('close-project'))
    await page.waitForSelector(tid('start-view'))
    await expect.poll(() => page.locator(tid('recent-project')).count()).toBe(2)
    const first = page.locator(tid('recent-project')).filter({ hasText: 'first-project' })
    expect(await first.isEnabled()).toBe(true)
    const gone = page.locator(tid('recent-project')).filter({ hasText: 'Holiday 2019' })
    expect(await gone.isDisabled()).toBe(true)
    expect(await gone.locator(tid('recent-missing')).count()).toBe(1)
    await page.screenshot({ path: join(SHOTS, 'start.png') })

    const missing = join(tmp, 'no-such-project')
    await page.fill(tid('open-path'), missing)
    await page.click(tid('open-submit'))
    const toast = page.locator(tid('toast-error')).first()
    await toast.waitFor()
    expect(await toast.textContent()).toContain('Could not open the project')
    expect((await toast.locator(tid('toast-message')).textContent())?.trim().length).toBeGreaterThan(0)
    await dismissToasts()
  })

  it('creates a project from the start page', async () => {
    await page.fill(tid('create-path'), join(tmp, 'summer'))
    await page.fill(tid('create-name'), 'Summer photos')
    await page.click(tid('create-submit'))
    await page.waitForSelector(`${tid('project-view')}[data-state="ready"]`)
    expect(await page.locator(tid('project-name')).textContent()).toBe('Summer photos')
    await page.waitForSelector(tid('library-empty'))
  })

  it('imports a folder, names the refused files, and shows the good ones', async () => {
    await page.click(tid('import-folder'))
    await page.waitForSelector(tid('import-dialog-folder'))
    await page.fill(tid('import-path'), photos.dir)
    // The album name follows the folder until typed over.
    expect(await page.inputValue(tid('import-album-name'))).toBe(basename(photos.dir))
    await page.fill(tid('import-album-name'), 'Trip 2024')
    await page.click(tid('import-submit'))
    await page.waitForSelector(tid('jobs-panel'))

    expect(await waitForJobEnd('import-folder')).toBe('done')
    const job = page.locator('[data-kind="import-folder"]').first()
    expect(await job.locator(tid('job-problems-toggle')).textContent()).toContain('2 files not imported')
    const problems = await job.locator(tid('job-problem')).allTextContents()
    expect(problems).toHaveLength(2)
    for (const bad of photos.bad) expect(problems.some((p) => p.includes(bad))).toBe(true)
    expect(await page.locator(tid('toast-warning')).first().textContent()).toContain(
      `Imported ${PHOTO_COUNT} images`,
    )

    // "Show album" on the finished job opens the new album; it holds exactly the good photos.
    await job.locator(tid('job-show')).click()
    await expect.poll(() => page.locator(tid('grid-title')).textContent()).toBe('Trip 2024')
    const album = page.locator('[data-kind="album"]').filter({ hasText: 'Trip 2024' })
    await gridReady()
    // Library events during the import refresh the grid with a coalescing delay: wait for the last one.
    await expect.poll(() => page.getAttribute(tid('album-grid'), 'data-total')).toBe(String(PHOTO_COUNT))
    await expect.poll(() => page.locator(tid('grid-count')).textContent()).toBe(`${PHOTO_COUNT} images`)
    await expect.poll(() => album.locator(tid('album-count')).textContent()).toBe(String(PHOTO_COUNT))
    const names = await page
      .locator(tid('thumb'))
      .evaluateAll((els) => els.map((e) => e.getAttribute('title') ?? ''))
    expect(names.some((n) => n.startsWith('broken.jpg') || n.startsWith('photo.jpg'))).toBe(false)
    await page.click(tid('jobs-close'))
    await dismissToasts()
  })

  it('keeps only visible cells in the grid while scrolling to the end', async () => {
    const rendered = await page.locator(tid('thumb')).count()
    expect(rendered).toBeGreaterThan(10)
    expect(rendered).toBeLessThan(PHOTO_COUNT)
    expect(await page.locator(tid('thumb')).first().getAttribute('title')).toContain(photos.good[0]!)

    await page.locator(tid('grid-scroller')).evaluate((el) => (el.scrollTop = el.scrollHeight))
    await expect.poll(() => page.locator(`${tid('thumb')}[title^="${photos.good.at(-1)!}"]`).count()).toBe(1)
    await gridReady()
    expect(await page.locator(`${tid('thumb')}[title^="${photos.good[0]!}"]`).count()).toBe(0)
    expect(await page.locator(tid('thumb')).count()).toBeLessThan(PHOTO_COUNT)

    // Search narrows the set by name.
    await page.fill(tid('grid-search'), 'IMG_105')
    await expect.poll(() => page.getAttribute(tid('album-grid'), 'data-total')).toBe('10')
    expect(await page.locator(tid('grid-count')).textContent()).toContain(`10 of ${PHOTO_COUNT} images`)
    await page.fill(tid('grid-search'), '')
    await expect.poll(() => page.getAttribute(tid('album-grid'), 'data-total')).toBe(String(PHOTO_COUNT))
    await gridReady()
  })

  it('opens an image in the viewer and steps with D and A', async () => {
    await page.locator(tid('grid-scroller')).evaluate((el) => (el.scrollTop = 0))
    await page.locator(`${tid('thumb')}[title^="${photos.good[0]!}"]`).click()
    await viewerReady()
    expect(await page.locator(tid('viewer-name')).textContent()).toBe(photos.good[0])
    expect(await page.locator(tid('viewer-position')).textContent()).toBe(`1 / ${PHOTO_COUNT}`)
    await page.waitForSelector(tid('viewer-no-mask'))

    await page.keyboard.press('d')
    await expect.poll(() => page.locator(tid('viewer-name')).textContent()).toBe(photos.good[1])
    await viewerReady()
    expect(await page.locator(tid('viewer-position')).textContent()).toBe(`2 / ${PHOTO_COUNT}`)
    await page.keyboard.press('a')
    await expect.poll(() => page.locator(tid('viewer-name')).textContent()).toBe(photos.good[0])
    await page.keyboard.press('Escape')
    await gridReady()
  })

  it('imports a PIS dataset and shows its masks in the grid and the viewer', async () => {
    await page.click(tid('import-pis'))
    await page.fill(tid('import-path'), pis.root)
    await page.click(tid('import-submit'))
    expect(await waitForJobEnd('import-pis')).toBe('done')
    await page.click(tid('jobs-close'))
    await dismissToasts()

    const album = page.locator('[data-kind="album"]').filter({ hasText: pis.userId })
    await album.click()
    await gridReady()
    expect(await page.getAttribute(tid('album-grid'), 'data-total')).toBe(String(PIS_COUNT))
    expect(await page.locator(tid('badge-mask')).count()).toBe(pis.masked.length)
    expect(await page.locator(tid('badge-val')).count()).toBe(pis.validation.length)
    expect(await album.textContent()).toContain(`${pis.masked.length} of ${PIS_COUNT} masked`)

    await page.click(tid('filter-masked'))
    await expect
      .poll(() => page.getAttribute(tid('album-grid'), 'data-total'))
      .toBe(String(pis.masked.length))
    await page.click(tid('filter-all'))
    await expect.poll(() => page.getAttribute(tid('album-grid'), 'data-total')).toBe(String(PIS_COUNT))
    await gridReady()
    // Mask tints on the thumbnails: one per masked photo in view.
    await page.check(tid('grid-show-masks'))
    await expect.poll(() => page.locator(tid('thumb-mask')).count()).toBe(pis.masked.length)
    // Every visible cell shows its loaded thumbnail (and its mask tint) before the picture is taken.
    const thumbs = await page.locator(tid('thumb')).count()
    await expect.poll(() => page.locator(`${tid('thumb')} img:not(.mask)`).count()).toBe(thumbs)
    await expect
      .poll(() =>
        page
          .locator(`${tid('thumb')} img`)
          .evaluateAll((imgs) =>
            imgs.every(
              (i) => (i as unknown as LoadedImage).complete && (i as unknown as LoadedImage).naturalWidth > 0,
            ),
          ),
      )
      .toBe(true)
    await page.mouse.move(130, 800) // no hover highlight in the picture
    await page.screenshot({ path: join(SHOTS, 'grid.png') })
  })

  it('draws the mask overlay in VOC colours over a transparent background, and T toggles it', async () => {
    // The labelled photo with the most classes (not the last one, so D has somewhere to go).
    const candidates = pis.masked.filter((n) => n !== pis.images.at(-1))
    const first = candidates.reduce((a, b) =>
      (pis.classes.get(b)?.length ?? 0) > (pis.classes.get(a)?.length ?? 0) ? b : a,
    )
    await page.locator(`${tid('thumb')}[title^="${first}"]`).click()
    await viewerReady()
    expect(await page.locator(tid('viewer-name')).textContent()).toBe(first)
    const legendClasses = await page
      .locator(`${tid('info-legend')} [data-class]`)
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-class'))))
    for (const c of pis.classes.get(first)!) expect(legendClasses).toContain(c)
    expect(await page.locator(tid('info-legend')).count()).toBe(1)
    expect(await page.locator(`${tid('info-tags')} [data-class]`).count()).toBeGreaterThan(0)
    expect(await page.getAttribute(tid('image-viewer'), 'data-overlay')).toBe('on')

    // The mask layer is Konva's second canvas: class colours where objects are, transparent elsewhere.
    const expected = pis.classes.get(first)!.map((c) => vocColor(c))
    expect(expected.length).toBeGreaterThan(0)
    const layer = await page
      .locator(`${tid('viewer-canvas')} canvas`)
      .nth(1)
      .evaluate((el, colours: [number, number, number][]) => {
        const c = el as unknown as CanvasLike
        const ctx = c.getContext('2d')!
        const d = ctx.getImageData(0, 0, c.width, c.height).data
        let drawn = 0
        let matching = 0
        for (let i = 0; i < d.length; i += 4) {
          if (d[i + 3]! === 0) continue
          drawn++
          if (
            colours.some(
              ([r, g, b]) =>
                Math.abs(d[i]! - r) <= 4 && Math.abs(d[i + 1]! - g) <= 4 && Math.abs(d[i + 2]! - b) <= 4,
            )
          )
            matching++
        }
        return { drawn, matching, total: d.length / 4, display: c.style.display }
      }, expected)
    expect(layer.matching).toBeGreaterThan(200)
    expect(layer.drawn).toBeLessThan(layer.total * 0.5)
    await page.mouse.move(700, 500)
    await page.screenshot({ path: join(SHOTS, 'viewer.png') })

    // Wheel zooms around the pointer; F fits again.
    const fitted = await page.locator(tid('viewer-zoom')).textContent()
    await page.mouse.wheel(0, -400)
    await expect.poll(() => page.locator(tid('viewer-zoom')).textContent()).not.toBe(fitted)
    const zoomed = Number((await page.locator(tid('viewer-zoom')).textContent())?.replace('%', ''))
    expect(zoomed).toBeGreaterThan(Number(fitted?.replace('%', '')))
    await page.keyboard.press('f')
    await expect.poll(() => page.locator(tid('viewer-zoom')).textContent()).toBe(fitted)

    await page.keyboard.press('t')
    expect(await page.getAttribute(tid('image-viewer'), 'data-overlay')).toBe('off')
    expect(
      await page
        .locator(`${tid('viewer-canvas')} canvas`)
        .nth(1)
        .evaluate((c) => (c as unknown as CanvasLike).style.display),
    ).toBe('none')
    await page.keyboard.press('t')
    expect(await page.getAttribute(tid('image-viewer'), 'data-overlay')).toBe('on')

    await page.keyboard.press('d')
    await expect
      .poll(() => page.locator(tid('viewer-name')).textContent())
      .toBe(pis.images[pis.images.indexOf(first) + 1])
    await viewerReady()
  })

  it('comes back to the same image after a reload', async () => {
    const id = await page.getAttribute(tid('image-viewer'), 'data-image-id')
    await page.reload()
    await viewerReady()
    expect(await page.getAttribute(tid('image-viewer'), 'data-image-id')).toBe(id)
    expect(session.pageErrors).toEqual([])
  })
})
