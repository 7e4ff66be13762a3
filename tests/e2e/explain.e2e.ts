/**
 * The Explain panel in real Chromium (browser mode) on the tiny demo project: a tiny SegSort run started
 * through the API; in the compare view a click on the SegSort prediction pane opens the panel for the
 * image pixel under the pointer, which shows that segment's label and its retrieved bank segments (each a
 * crop of its image) — the very neighbours, labels and similarities explainRegion answers for that pixel.
 *
 * Needs a build (`npx electron-vite build`) and /usr/bin/chromium. Screenshot: test-results/screenshots/explain.png.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Album } from '../../src/shared/domain'
import type { ExplainedRegion } from '../../src/shared/explain'
import type { InsightPage } from '../../src/shared/insight'
import type { RunDetail, StartedRun } from '../../src/shared/runs'
import { callApi, openBrowser, screenshotsDir, tid, type BrowserSession } from './helpers/browser-session'
import { cli, serve, type Served } from './helpers/serve'

const RESULTS = resolve('test-results/explain-e2e')

let tmp: string
let server: Served
let session: BrowserSession
let album: Album
let runId = 0

async function waitFor<T>(
  what: string,
  get: () => Promise<T>,
  done: (v: T) => boolean,
  ms: number,
): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = await get()
    if (done(v)) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v).slice(0, 400)}`)
    await new Promise((r) => setTimeout(r, 500))
  }
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'pss-e2e-explain-'))
  const env = {
    ...process.env,
    PSS_STUDIO_HOME: join(tmp, 'home'),
    PSS_DEMO_PRESET: 'tiny',
    PSS_BACKEND: 'wasm',
  }
  const dir = join(tmp, 'demo')
  await cli(['demo-project', '--dir', dir], env)
  const info = JSON.parse(await cli(['info', '--project', dir, '--json'], env)) as { albums: Album[] }
  album = info.albums.find((a) => a.validationMaskedCount > 0)!
  server = await serve(['--project', dir], env)
  const started = await callApi<StartedRun>(server, 'startRun', {
    albumId: album.id,
    method: 'segsort',
    iterations: 8,
    adaptIterations: 4,
    size: 32,
  })
  runId = started.runId
  const run = await waitFor(
    `run ${runId}`,
    () => callApi<RunDetail>(server, 'getRun', { runId }),
    (x) => x.status !== 'queued' && x.status !== 'running',
    480_000,
  )
  if (run.status !== 'done') throw new Error(`run ${runId} ended ${run.status}: ${run.error}`)
  session = await openBrowser({ resultsDir: RESULTS })
}, 600_000)

afterEach(async (ctx) => {
  await session?.recordFailure(ctx.task, server)
})

afterAll(async () => {
  await session?.close()
  await server?.stop()
  if (tmp) rmSync(tmp, { recursive: true, force: true })
})

describe('Explain panel (browser mode)', () => {
  it('opens for a clicked region of a SegSort prediction and shows its retrieved segments', async () => {
    const { page } = session
    await page.goto(server.url)
    await page.waitForSelector(`${tid('project-view')}[data-state="ready"]`)
    await page.click(tid(`album-${album.id}`))
    await page.click(tid('tab-compare'))
    await page.waitForSelector(`${tid('compare-view')}[data-state="ready"]`)
    expect(await page.locator(tid('explain-panel')).count()).toBe(0)
    // Nothing but this caption says a SegSort pane can be clicked.
    expect(await page.locator(tid('explain-hint')).first().textContent()).toBe('Click a region to explain it')

    // The first row's image, as the compare view orders it (the SegSort run is the only column).
    const first = page.locator(tid('compare-row')).first()
    const imageId = Number(await first.getAttribute('data-image-id'))
    const images = await callApi<InsightPage>(server, 'insightImages', {
      albumId: album.id,
      runId,
      only: 'scored',
      order: 'fiou-asc',
      limit: 1000,
    })
    const image = images.items.find((i) => i.id === imageId)!
    // At the fitted view the pane's centre shows the image's centre pixel.
    const pane = page.locator(`${tid('compare-pane')}[data-kind="run"][data-run-id="${runId}"]`).first()
    await pane.click()
    await page.waitForSelector(`${tid('explain-panel')}[data-state="ready"]`)
    const expected = await callApi<ExplainedRegion>(server, 'explainRegion', {
      runId,
      imageId,
      x: Math.floor(image.width / 2),
      y: Math.floor(image.height / 2),
    })
    expect(expected.neighbours.length).toBeGreaterThan(0)
    expect(await page.locator(tid('explain-segment-label')).textContent()).toBe(expected.segment.labelName)
    const cards = page.locator(tid('explain-neighbour'))
    await expect.poll(() => cards.count()).toBe(expected.neighbours.length)
    const shown = await cards.evaluateAll((els) =>
      els.map((e) => ({
        imageId: Number(e.getAttribute('data-image-id')),
        label: Number(e.getAttribute('data-label')),
      })),
    )
    expect(shown).toEqual(expected.neighbours.map((n) => ({ imageId: n.imageId, label: n.label })))
    const sims = await page.locator(tid('explain-similarity')).allInnerTexts()
    expect(sims).toEqual(expected.neighbours.map((n) => `#${n.rank} · cos ${n.similarity.toFixed(3)}`))
    // Each retrieved segment is drawn: a crop of its image around its box.
    await expect
      .poll(() =>
        page
          .locator(tid('explain-crop'))
          .evaluateAll((els) => els.filter((c) => (c as unknown as { width: number }).width > 1).length),
      )
      .toBe(expected.neighbours.length)
    await page.screenshot({ path: join(screenshotsDir(), 'explain.png') })

    // The panel's Close and the project's Close are apart: a second click never closes the project.
    const closeBox = (await page.locator(tid('explain-close')).boundingBox())!
    const projectClose = (await page.locator(tid('close-project')).boundingBox())!
    expect(closeBox.y, 'Explain Close below the project bar').toBeGreaterThanOrEqual(
      projectClose.y + projectClose.height,
    )
    await page.click(tid('explain-close'))
    expect(await page.locator(tid('explain-panel')).count()).toBe(0)
    expect(await page.locator(tid('project-view')).count()).toBe(1)
    expect(session.pageErrors).toEqual([])
  }, 120_000)
})
