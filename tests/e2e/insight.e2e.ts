/**
 * Insight screens in real Chromium (browser mode) on the tiny demo project: three quick No-DA runs
 * (different seeds) started through the API; the cluster view (cards, mean FIoU, the embedding map
 * computed by a job, a lasso that selects every point, queueing for annotation); a cluster narrowing the
 * grid; the grid ordered by gain with badges that match the stored metrics; the compare view (three run
 * columns, per-image FIoU equal to the stored one, zoom that every pane follows, reordering) and the
 * exported figure PNG (non-empty, the size figureLayout gives). Then the project results page: three more
 * runs (No-DA on a second album, MinEnt on both) make a 2 users × 2 methods table whose copied Markdown
 * must equal the stored metrics (in both MIoU conventions, with a picked older run), the training curves
 * overlaid, and the embedding map laid out on the source model's encoder features.
 *
 * Needs a build (`npx electron-vite build`) and /usr/bin/chromium. Screenshots: test-results/screenshots/
 * {clusters,compare,results}.png (docs/screenshots/ with PSS_UPDATE_SCREENSHOTS=1).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { decode } from 'fast-png'
import type { Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Album } from '../../src/shared/domain'
import type { AlbumEmbedding, ClusterOverview, InsightPage, ProjectResults } from '../../src/shared/insight'
import type { RunDetail, RunImageMetric, StartedRun } from '../../src/shared/runs'
import { callApi, openBrowser, screenshotsDir, tid, type BrowserSession } from './helpers/browser-session'
import { cli, serve, type Served } from './helpers/serve'

const SHOTS = screenshotsDir()
const RESULTS = resolve('test-results/insight-e2e')
/** Three quick runs: few iterations, tiny crops, different seeds (so their predictions differ). */
const RUNS = [
  { iterations: 20, seed: 1 },
  { iterations: 30, seed: 2 },
  { iterations: 40, seed: 3 },
]
const SIZE = 32

let tmp: string
let server: Served
let session: BrowserSession
let page: Page
let album: Album
let albums: Album[] = []
let runIds: number[] = []

const api = <T>(method: string, args: unknown): Promise<T> => callApi<T>(server, method, args)

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

const pct = (v: number | null | undefined): string =>
  v === null || v === undefined ? '—' : (v * 100).toFixed(2)

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'pss-e2e-insight-'))
  const env = {
    ...process.env,
    PSS_STUDIO_HOME: join(tmp, 'home'),
    PSS_DEMO_PRESET: 'tiny',
    PSS_BACKEND: 'wasm',
  }
  mkdirSync(RESULTS, { recursive: true })
  const dir = join(tmp, 'demo')
  await cli(['demo-project', '--dir', dir], env)
  const info = JSON.parse(await cli(['info', '--project', dir, '--json'], env)) as { albums: Album[] }
  albums = info.albums.filter((a) => a.validationMaskedCount > 0)
  album = albums[0]!
  server = await serve(['--project', dir], env)
  // The runs go one after another in the run queue; start all three now.
  runIds = []
  for (const r of RUNS) {
    const started = await api<StartedRun>('startRun', {
      albumId: album.id,
      method: 'noda',
      iterations: r.iterations,
      size: SIZE,
      seed: r.seed,
    })
    runIds.push(started.runId)
  }
  for (const id of runIds) {
    const run = await waitFor(
      `run ${id}`,
      () => api<RunDetail>('getRun', { runId: id }),
      (x) => x.status !== 'queued' && x.status !== 'running',
      240_000,
    )
    if (run.status !== 'done') throw new Error(`run ${id} ended ${run.status}: ${run.error}`)
  }
  session = await openBrowser({ resultsDir: RESULTS, acceptDownloads: true })
  page = session.page
}, 600_000)

afterEach(async (ctx) => {
  await session?.recordFailure(ctx.task, server)
})

afterAll(async () => {
  await session?.close()
  await server?.stop()
  if (tmp) rmSync(tmp, { recursive: true, force: true })
})

async function clean(): Promise<void> {
  for (const b of await page.locator(tid('toast-dismiss')).all())
    await b.click({ timeout: 1000 }).catch(() => {})
  if (
    await page
      .locator(tid('jobs-panel'))
      .isVisible()
      .catch(() => false)
  )
    await page.click(tid('jobs-toggle'))
}

describe('insight screens (browser mode)', () => {
  it('shows clusters with the run’s mean FIoU, computes the embedding map, lassoes and queues', async () => {
    await page.goto(server.url)
    await page.waitForSelector(`${tid('project-view')}[data-state="ready"]`)
    await page.click(tid(`album-${album.id}`))
    await page.click(tid('tab-clusters'))
    await page.waitForSelector(`${tid('clusters-view')}[data-state="ready"]`)
    expect(page.url()).toContain(`#/album/${album.id}/clusters`)

    const lastRun = runIds[2]!
    await page.selectOption(tid('clusters-run'), String(lastRun))
    const overview = await api<ClusterOverview>('clusterOverview', { albumId: album.id, runId: lastRun })
    expect(overview.clusters.length).toBeGreaterThan(1)
    const cards = page.locator(tid('cluster-card'))
    await expect.poll(() => cards.count()).toBe(overview.clusters.length)
    expect(overview.clusters.reduce((n, c) => n + c.size, 0) + overview.unclustered).toBe(album.imageCount)
    for (const c of overview.clusters) {
      const card = page.locator(`${tid('cluster-card')}[data-cluster="${c.cluster}"]`)
      expect(await card.locator(tid('cluster-size')).textContent()).toBe(`${c.size} images`)
      await expect.poll(() => card.locator(tid('cluster-fiou')).textContent()).toBe(`FIoU ${pct(c.meanFiou)}`)
      expect(await card.locator(tid('cluster-coverage')).textContent()).toContain(
        `${c.validationMasked} / ${c.validation} validation masks`,
      )
    }

    // The embedding map: a job in the engine worker, then one point per image.
    await page.waitForSelector(tid('map-empty'))
    await page.click(tid('embed-compute'))
    const map = page.locator(tid('embedding-map'))
    await map.waitFor({ timeout: 120_000 })
    expect(Number(await map.getAttribute('data-points'))).toBe(album.imageCount)
    await clean() // the jobs drawer opened for the embedding job
    // A lasso around the whole map selects every point.
    await page.check(tid('map-lasso'))
    const box = (await map.boundingBox())!
    await page.mouse.move(box.x + 3, box.y + 3)
    await page.mouse.down()
    for (const [x, y] of [
      [box.width - 3, 3],
      [box.width - 3, box.height - 3],
      [3, box.height - 3],
      [3, 6],
    ] as const)
      await page.mouse.move(box.x + x, box.y + y, { steps: 4 })
    await page.mouse.up()
    await expect
      .poll(() => page.locator(tid('map-selection')).getAttribute('data-count'))
      .toBe(String(album.imageCount))
    await page.click(tid('map-queue'))
    await expect.poll(() => page.locator(tid('queue-count')).textContent()).toBe(`${album.imageCount} queued`)
    await clean()
    await page.screenshot({ path: join(SHOTS, 'clusters.png') })

    // A cluster narrows the grid to its images.
    const first = overview.clusters[0]!
    await page.click(`${tid('cluster-card')}[data-cluster="${first.cluster}"]`)
    await page.waitForSelector(`${tid('insight-chip-cluster')}[data-cluster="${first.cluster}"]`)
    await page.waitForSelector(`${tid('album-grid')}[data-state="ready"][data-total="${first.size}"]`)
    expect(await page.locator(tid('thumb')).count()).toBe(first.size)
    await page.click(tid('insight-clear-cluster'))
    await page.waitForSelector(`${tid('album-grid')}[data-state="ready"][data-total="${album.imageCount}"]`)
    expect(session.pageErrors).toEqual([])
  }, 240_000)

  it('orders the grid by gain, with badges equal to the stored metrics', async () => {
    const [base, , run] = runIds as [number, number, number]
    await page.selectOption(tid('insight-run'), String(run))
    await page.selectOption(tid('insight-base'), String(base))
    await page.selectOption(tid('insight-order'), 'gain-desc')
    await page.selectOption(tid('insight-only'), 'scored')
    const expected = await api<InsightPage>('insightImages', {
      albumId: album.id,
      runId: run,
      baseRunId: base,
      order: 'gain-desc',
      only: 'scored',
      limit: 1000,
    })
    expect(expected.total).toBe(album.validationMaskedCount)
    await page.waitForSelector(`${tid('album-grid')}[data-state="ready"][data-total="${expected.total}"]`)
    const ids = await page
      .locator(tid('thumb'))
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-image-id'))))
    expect(ids).toEqual(expected.items.map((i) => i.id))
    // Independent check of the order and the badge values from runImageMetrics of both runs.
    const a = new Map(
      (await api<RunImageMetric[]>('runImageMetrics', { runId: run })).map((m) => [m.imageId, m.fiou]),
    )
    const b = new Map(
      (await api<RunImageMetric[]>('runImageMetrics', { runId: base })).map((m) => [m.imageId, m.fiou]),
    )
    const gains = ids.map((id) => a.get(id)! - b.get(id)!)
    for (let i = 1; i < gains.length; i++) expect(gains[i]!).toBeLessThanOrEqual(gains[i - 1]! + 1e-12)
    const badges = await page
      .locator(tid('badge-gain'))
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-value'))))
    expect(badges.length).toBe(ids.length)
    badges.forEach((g, i) => expect(g).toBeCloseTo(gains[i]!, 12))
    const fious = await page.locator(tid('badge-fiou')).allTextContents()
    fious.forEach((t, i) => expect(t).toBe(pct(a.get(ids[i]!)!)))
  }, 120_000)

  it('compares the runs per image with synchronised zoom and exports the figure', async () => {
    await page.click(tid('tab-compare'))
    await page.waitForSelector(`${tid('compare-view')}[data-state="ready"]`)
    const columns = page.locator(tid('compare-column'))
    expect(await columns.count()).toBe(3)
    const colIds = (
      await columns.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-run-id'))))
    ).sort((x, y) => x - y)
    expect(colIds).toEqual([...runIds].sort((x, y) => x - y))

    // Per-image FIoU under each prediction = the stored per-image metric.
    const rows = page.locator(tid('compare-row'))
    const rowCount = await rows.count()
    expect(rowCount).toBeGreaterThan(0)
    const firstImage = Number(await rows.first().getAttribute('data-image-id'))
    for (const id of runIds) {
      const stored = (await api<RunImageMetric[]>('runImageMetrics', { runId: id })).find(
        (m) => m.imageId === firstImage,
      )!
      expect(
        await page
          .locator(`${tid('pane-fiou')}[data-run-id="${id}"]`)
          .first()
          .innerText(),
      ).toBe(`FIoU ${pct(stored.fiou)}`)
    }

    // Rows ordered by gain (most improved first), as the API orders them.
    await page.selectOption(tid('compare-order'), 'gain-desc')
    await page.waitForSelector(`${tid('compare-view')}[data-state="ready"]`)
    const gainsShown = await rows.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-gain'))))
    for (let i = 1; i < gainsShown.length; i++) expect(gainsShown[i]!).toBeLessThanOrEqual(gainsShown[i - 1]!)

    // Zoom on one pane: every pane follows (same scale for panes of the same image).
    const scalesBefore = await page
      .locator(tid('compare-pane'))
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-scale'))))
    const target = page.locator(`${tid('compare-pane')}[data-kind="run"]`).first()
    const tb = (await target.boundingBox())!
    await page.mouse.move(tb.x + tb.width / 3, tb.y + tb.height / 3)
    for (let i = 0; i < 4; i++) await page.mouse.wheel(0, -240)
    await expect
      .poll(async () => Number(await page.locator(tid('compare-view')).getAttribute('data-zoom')))
      .toBeGreaterThan(2)
    await page.waitForTimeout(200)
    const scalesAfter = await page
      .locator(tid('compare-pane'))
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-scale'))))
    expect(scalesAfter.length).toBe(scalesBefore.length)
    const zoom = Number(await page.locator(tid('compare-view')).getAttribute('data-zoom'))
    scalesAfter.forEach((s, i) => expect(s / scalesBefore[i]!).toBeCloseTo(zoom, 2))

    // The error overlay and the helped/hurt map render (a legend names the colours).
    await page.click(tid('compare-mode-errors'))
    expect(await page.locator(tid('compare-legend')).textContent()).toContain('false foreground')
    await page.click(tid('compare-mode-change'))
    expect(await page.locator(tid('compare-legend')).textContent()).toContain('helped')

    // Reorder: the first run column moves right.
    const before = await columns.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-run-id'))))
    await columns.first().locator(tid('compare-move-right')).click()
    const after = await columns.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-run-id'))))
    expect(after).toEqual([before[1], before[0], before[2]])
    await page.waitForSelector(`${tid('compare-view')}[data-state="ready"]`)

    await page.click(tid('compare-mode-errors'))
    await page.click(tid('compare-fit'))
    await expect.poll(() => page.locator(tid('compare-view')).getAttribute('data-zoom')).toBe('1.0000')
    await clean()
    await page.screenshot({ path: join(SHOTS, 'compare.png') })

    // Export the figure: a PNG of the size figureLayout gives for rows × (image, GT, 3 runs).
    const shownRows = await rows.count()
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(tid('compare-export'))])
    const file = join(RESULTS, 'figure.png')
    await download.saveAs(file)
    const png = decode(readFileSync(file))
    // The figure's documented geometry (figure-layout.ts): 256 px cells, gap 6, padding 12, header 28,
    // caption 20, and a legend line of 20 px (after a gap) holding the 4 error colours (260 px per entry,
    // 5 to a line here) — written out here rather than imported, so the test checks the code.
    const layout = {
      width: 2 * 12 + 5 * 256 + 4 * 6,
      height: 2 * 12 + 28 + shownRows * (256 + 20) + (shownRows - 1) * 6 + 6 + 20,
    }
    expect([png.width, png.height]).toEqual([layout.width, layout.height])
    expect(readFileSync(file).length).toBeGreaterThan(5000)
    expect(await page.locator(tid('compare-view')).getAttribute('data-figure-width')).toBe(
      String(layout.width),
    )
    // Not blank: the figure has many distinct colours.
    const colours = new Set<number>()
    for (let i = 0; i < png.data.length; i += png.channels * 7)
      colours.add((png.data[i]! << 16) | (png.data[i + 1]! << 8) | png.data[i + 2]!)
    expect(colours.size).toBeGreaterThan(50)
    expect(session.pageErrors).toEqual([])
  }, 180_000)

  it('shows the project results: users × methods, copied Markdown equal to the stored metrics, curves overlaid', async () => {
    const second = albums[1]!
    const [first] = RUNS
    // No-DA on a second user (the same source config: the source model is reused), MinEnt on both users.
    const more: StartedRun[] = [
      await api<StartedRun>('startRun', {
        albumId: second.id,
        method: 'noda',
        iterations: first!.iterations,
        size: SIZE,
        seed: first!.seed,
      }),
      await api<StartedRun>('startRun', {
        albumId: album.id,
        method: 'minent',
        iterations: first!.iterations,
        adaptIterations: 3,
        size: SIZE,
        seed: first!.seed,
      }),
      await api<StartedRun>('startRun', {
        albumId: second.id,
        method: 'minent',
        iterations: first!.iterations,
        adaptIterations: 3,
        size: SIZE,
        seed: first!.seed,
      }),
    ]
    const detail = new Map<number, RunDetail>()
    for (const { runId } of more) {
      const r = await waitFor(
        `run ${runId}`,
        () => api<RunDetail>('getRun', { runId }),
        (x) => x.status !== 'queued' && x.status !== 'running',
        300_000,
      )
      if (r.status !== 'done') throw new Error(`run ${runId} ended ${r.status}: ${r.error}`)
    }
    for (const id of [...runIds, ...more.map((m) => m.runId)])
      detail.set(id, await api<RunDetail>('getRun', { runId: id }))
    const [nodaB, minentA, minentB] = more.map((m) => m.runId) as [number, number, number]

    await page.click(tid('open-results'))
    await page.waitForSelector(`${tid('results-view')}[data-state="ready"]`)
    expect(page.url()).toContain('#/results')
    await expect.poll(() => page.locator(tid('results-row')).count()).toBe(2)
    expect(await page.locator(tid('results-method')).allTextContents()).toEqual([
      'No-DA (source only)',
      'ADVENT (MinEnt)',
    ])
    const stored = await api<ProjectResults>('projectResults', {})
    expect(stored.runs.map((r) => r.runId).sort((x, y) => x - y)).toEqual(
      [...runIds, nodaB, minentA, minentB].sort((x, y) => x - y),
    )

    // Copy as Markdown: every number is the stored one (getRun, read independently), in percent.
    const rowOf = (name: string, noda: number, minent: number, conv: 'all21' | 'present'): string => {
      const m = (id: number) => detail.get(id)!.metrics!
      const miou = (id: number) => pct(conv === 'all21' ? m(id).miouAll21 : m(id).miouPresent)
      return `| ${name} | v${detail.get(noda)!.splitVersion} | ${pct(m(noda).fiou)} | ${miou(noda)} | ${pct(m(minent).fiou)} | ${miou(minent)} |`
    }
    const mean = (a: number, b: number, c: number, d: number, conv: 'all21' | 'present'): string => {
      const m = (id: number) => detail.get(id)!.metrics!
      const mi = (id: number) => (conv === 'all21' ? m(id).miouAll21 : m(id).miouPresent!)
      return `| Mean |  | ${pct((m(a).fiou + m(b).fiou) / 2)} | ${pct((mi(a) + mi(b)) / 2)} | ${pct((m(c).fiou + m(d).fiou) / 2)} | ${pct((mi(c) + mi(d)) / 2)} |`
    }
    /** Copies and reads back what was copied, once it carries `marker` (the copy is asynchronous). */
    const copied = async (marker: string): Promise<string[]> => {
      await page.click(tid('results-copy-markdown'))
      const area = page.locator(tid('results-copied-text'))
      await expect
        .poll(async () => ((await area.count()) ? await area.inputValue() : '').includes(marker))
        .toBe(true)
      return (await area.inputValue()).split('\n')
    }
    const newestNodaA = Math.max(...runIds)
    // The page opens on the paper's convention; the released code's all-21 mean is one click away.
    expect(await page.locator(tid('results-miou-head')).first().textContent()).toBe('MIoU (paper)')
    await page.click(tid('results-conv-miou_all21'))
    let md = await copied('MIoU (all 21) |')
    expect(md).toContain(
      '| User | Split | No-DA (source only) FIoU | No-DA (source only) MIoU (all 21) | ADVENT (MinEnt) FIoU | ADVENT (MinEnt) MIoU (all 21) |',
    )
    expect(md).toContain(rowOf(album.name, newestNodaA, minentA, 'all21'))
    expect(md).toContain(rowOf(second.name, nodaB, minentB, 'all21'))
    expect(md).toContain(mean(newestNodaA, nodaB, minentA, minentB, 'all21'))
    expect(md.join('\n')).toContain('absent classes counted as 0')

    // Another No-DA run of the first user picked, and the mmsegmentation convention.
    const pickA = page.locator(`${tid('results-row')}[data-album-id="${album.id}"] ${tid('results-pick')}`)
    expect(await pickA.locator('option').count()).toBe(3)
    await pickA.selectOption(String(runIds[0]))
    await page.click(tid('results-conv-miou_present'))
    expect(await page.locator(tid('results-miou-head')).first().textContent()).toBe('MIoU (present)')
    expect(await page.locator(tid('results-convention-text')).textContent()).toContain('mmsegmentation')
    md = await copied('MIoU (present) |')
    expect(md).toContain(rowOf(album.name, runIds[0]!, minentA, 'present'))
    expect(md).toContain(mean(runIds[0]!, nodaB, minentA, minentB, 'present'))
    // Per-class rows carry the image counts of the users' validation masks.
    const bg = (id: number) => detail.get(id)!.perClass[0]!
    expect(md.find((l) => l.startsWith('| background |'))).toBe(
      `| background | ${pct(((bg(runIds[0]!).iouPresent ?? 0) + (bg(nodaB).iouPresent ?? 0)) / 2)} | ${pct(((bg(minentA).iouPresent ?? 0) + (bg(minentB).iouPresent ?? 0)) / 2)} | ${bg(runIds[0]!).images + bg(nodaB).images} |`,
    )

    // Training curves: the first user's runs are drawn; adding the second user's No-DA run adds a line.
    const chart = page.locator(`${tid('results-curves')} ${tid('loss-chart')}`)
    await expect.poll(async () => Number(await chart.getAttribute('data-series'))).toBe(2)
    await page.check(`${tid('curve-run')}[data-run-id="${nodaB}"]`)
    await expect.poll(async () => Number(await chart.getAttribute('data-series'))).toBe(3)
    expect(await chart.locator(tid('legend-item')).count()).toBe(3)
    await clean()
    // The figure for docs/: the paper's convention, a window tall enough for the tables and the curves.
    await page.click(tid('results-conv-miou_paper'))
    await page.setViewportSize({ width: 1440, height: 1560 })
    await page.locator(tid('results-view')).evaluate((el) => el.querySelector('.body')?.scrollTo(0, 0))
    await page.waitForTimeout(200)
    await page.screenshot({ path: join(SHOTS, 'results.png') })
    await page.setViewportSize({ width: 1440, height: 900 })

    // The embedding map on the source model's encoder features says which features it shows.
    await page.click(tid(`album-${album.id}`))
    await page.click(tid('tab-clusters'))
    await page.waitForSelector(`${tid('clusters-view')}[data-state="ready"]`)
    await page.selectOption(tid('embed-features'), 'encoder')
    await page.click(tid('embed-compute'))
    const emb = await waitFor(
      'the encoder map',
      () => api<AlbumEmbedding | null>('albumEmbedding', { albumId: album.id }),
      (e) => e?.featureKind === 'encoder',
      120_000,
    )
    expect(emb!.features).toMatch(/^encoder of source model #\d+ /)
    await expect
      .poll(() => page.locator(tid('map-features')).getAttribute('data-kind'), { timeout: 20_000 })
      .toBe('encoder')
    expect(await page.locator(tid('map-features')).textContent()).toBe(emb!.features)
    await clean()
    expect(session.pageErrors).toEqual([])
  }, 420_000)
})
