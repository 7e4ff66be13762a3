/**
 * A No-DA run started from the studio in real Chromium (browser mode), on the tiny demo project: open an
 * album's "Runs & results" tab, start a run with few iterations, watch its live progress (phase,
 * iteration, loss), and check that the metrics table that appears shows exactly the stored numbers
 * (read back through the HTTP API's getRun), and that "Copy as Markdown" copies the same numbers.
 *
 * Needs a build (`npx electron-vite build`) and /usr/bin/chromium. Screenshot: test-results/screenshots/
 * runs.png (docs/screenshots/ with PSS_UPDATE_SCREENSHOTS=1).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { CosegJobResult } from '../../src/shared/coseg'
import type { Album, JobRecord } from '../../src/shared/domain'
import type { RunSummary, RunDetail } from '../../src/shared/runs'
import {
  callApi,
  openBrowser,
  screenshotsDir,
  tid,
  type BrowserSession,
  openAlbumTab,
} from './helpers/browser-session'
import { cli, serve, type Served } from './helpers/serve'

const SHOTS = screenshotsDir()
const RESULTS = resolve('test-results/runs-e2e')
const ITERATIONS = 80
const SIZE = 32

let tmp: string
let server: Served
let session: BrowserSession
let page: Page
let album: Album

const api = <T>(method: string, args: unknown): Promise<T> => callApi<T>(server, method, args)

const pct = (v: number | null): string => (v === null ? '—' : (v * 100).toFixed(2))

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'pss-e2e-runs-'))
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
  album = info.albums.find((a) => a.validationMaskedCount > 0)!
  server = await serve(['--project', dir], env)
  session = await openBrowser({ resultsDir: RESULTS, clipboardOrigin: new URL(server.url).origin })
  page = session.page
}, 180_000)

afterEach(async (ctx) => {
  await session?.recordFailure(ctx.task, server)
})

afterAll(async () => {
  await session?.close()
  await server?.stop()
  if (tmp) rmSync(tmp, { recursive: true, force: true })
})

describe('runs in the studio (browser mode)', () => {
  it('starts a No-DA run from the album, shows its progress, then the stored metrics', async () => {
    await openAlbumTab(page, server.url, album.id, 'runs')
    await page.waitForSelector(`${tid('runs-view')}[data-state="ready"]`)
    expect(page.url()).toContain(`#/album/${album.id}/runs`)
    await page.waitForSelector(tid('runs-empty'))

    await page.fill(tid('run-iterations'), String(ITERATIONS))
    await page.fill(tid('run-size'), String(SIZE))
    await page.click(tid('run-start'))

    // Live progress: the training phase with its iteration counter and loss, and a cancel button.
    await page.waitForSelector(`${tid('run-progress')}[data-phase="source"] ${tid('run-loss')}`, {
      timeout: 60_000,
    })
    expect(await page.locator(tid('run-phase')).textContent()).toContain('Training the source model')
    expect(await page.locator(tid('run-counter')).textContent()).toMatch(new RegExp(`^\\d+ / ${ITERATIONS}$`))
    expect(await page.locator(tid('run-loss')).textContent()).toMatch(/^loss \d+\.\d{4}$/)
    expect(await page.locator(tid('run-cancel')).isVisible()).toBe(true)

    // The run ends and its metrics table appears.
    await page.waitForSelector(`${tid('run-detail')}[data-status="done"] ${tid('metrics-table')}`, {
      timeout: 90_000,
    })
    const runId = Number(await page.locator(tid('run-detail')).getAttribute('data-run-id'))
    const stored = await api<RunDetail>('getRun', { runId })
    expect(stored.status).toBe('done')
    expect(stored.metrics).not.toBeNull()
    const m = stored.metrics!
    expect(await page.locator(tid('metric-fiou')).textContent()).toBe(pct(m.fiou))
    expect(await page.locator(tid('metric-miou-paper')).textContent()).toBe(pct(m.miouPaper))
    expect(await page.locator(tid('metric-miou-all21')).textContent()).toBe(pct(m.miouAll21))
    expect(await page.locator(tid('metric-miou-present')).textContent()).toBe(pct(m.miouPresent))
    expect(await page.locator(tid('metric-images')).textContent()).toBe(String(m.images))
    const rows = page.locator(tid('class-row'))
    expect(await rows.count()).toBe(21)
    for (const c of stored.perClass) {
      const cells = await rows.nth(c.classId).locator('td').allTextContents()
      expect(cells.map((t) => t.trim())).toEqual([c.name, pct(c.iou), pct(c.iouPresent), String(c.images)])
    }
    // The record and the loss curve.
    expect(await page.locator(tid('record-backend')).textContent()).toBe(stored.backend)
    expect(await page.locator(tid('record-split')).textContent()).toContain(`version ${stored.splitVersion}`)
    expect(Number(await page.locator(tid('loss-chart')).getAttribute('data-points'))).toBe(ITERATIONS)
    expect(stored.lossCurve.length).toBe(ITERATIONS)
    const item = page.locator(`${tid('run-item')}[data-run-id="${runId}"]`)
    expect(await item.getAttribute('data-status')).toBe('done')

    // Copy as Markdown: the same numbers as stored.
    await page.click(tid('copy-markdown'))
    await page.waitForSelector(tid('copied-text'), { state: 'attached' })
    const copied = await page.evaluate(() =>
      (
        globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }
      ).navigator.clipboard.readText(),
    )
    expect(copied).toContain(
      `| #${runId} | noda | v${stored.splitVersion} | ${m.images} | ${pct(m.fiou)} | ${pct(m.miouPaper)} | ${pct(m.miouAll21)} | ${pct(m.miouPresent)} |`,
    )
    for (const c of stored.perClass)
      expect(copied).toContain(`| ${c.name} | ${pct(c.iou)} | ${pct(c.iouPresent)} | ${c.images} |`)
    expect(await page.locator(tid('copied-text')).inputValue()).toBe(copied)

    // A clean figure: toasts dismissed, the jobs drawer closed.
    for (const b of await page.locator(tid('toast-dismiss')).all())
      await b.click({ timeout: 1000 }).catch(() => {})
    if (
      await page
        .locator(tid('jobs-panel'))
        .isVisible()
        .catch(() => false)
    )
      await page.click(tid('jobs-toggle'))
    await page.screenshot({ path: join(SHOTS, 'runs.png') })
    expect(session.pageErrors).toEqual([])
  }, 180_000)

  it('makes tag proposals with the No-DA run from its record; the co-segmentation job stores them', async () => {
    const runId = Number(await page.locator(tid('run-detail')).getAttribute('data-run-id'))
    await page.click(tid('coseg-start'))
    const started = await page.locator(tid('coseg-started')).textContent()
    const jobId = Number(/#(\d+)/.exec(started ?? '')?.[1])
    expect(jobId).toBeGreaterThan(0)
    let job: JobRecord | undefined
    for (let i = 0; i < 240; i++) {
      job = (await api<JobRecord[]>('listJobs', { limit: 50 })).find((j) => j.id === jobId)
      if (job && job.status !== 'queued' && job.status !== 'running') break
      await new Promise((r) => setTimeout(r, 500))
    }
    expect(job?.status).toBe('done')
    const result = job!.result as CosegJobResult
    expect(result.runId).toBe(runId)
    expect(result.tagged).toBeGreaterThan(0)
    expect(result.proposed).toBe(result.tagged - result.unreadable)
    expect(session.pageErrors).toEqual([])
  }, 180_000)

  it('personalizes the album with PSS in one click; its metrics appear next to No-DA', async () => {
    await page.selectOption(tid('run-method'), 'pss')
    await page.fill(tid('run-adapt-iterations'), '3')
    await page.fill(tid('run-iterations'), String(ITERATIONS))
    await page.fill(tid('run-size'), String(SIZE))
    expect((await page.locator(tid('run-start')).textContent())?.trim()).toBe('Personalize')
    await page.click(tid('run-start'))
    // The adaptation phase shows its stage (the source model is reused from the No-DA run).
    await page.waitForSelector(`${tid('run-progress')}[data-phase="adapt"]`, { timeout: 120_000 })
    await page.waitForSelector(`${tid('run-detail')}[data-status="done"] ${tid('metrics-table')}`, {
      timeout: 240_000,
    })
    const runId = Number(await page.locator(tid('run-detail')).getAttribute('data-run-id'))
    const stored = await api<RunDetail>('getRun', { runId })
    expect(stored).toMatchObject({ method: 'pss', status: 'done' })
    expect(await page.locator(tid('metric-fiou')).textContent()).toBe(pct(stored.metrics!.fiou))
    // Both runs are listed for the album, each with its stored FIoU.
    const runs = await api<RunSummary[]>('listRuns', { albumId: album.id })
    expect(runs.map((r) => r.method).sort()).toEqual(['noda', 'pss'])
    for (const r of runs) {
      const item = page.locator(`${tid('run-item')}[data-run-id="${r.id}"]`)
      expect(await item.getAttribute('data-status')).toBe('done')
    }
    expect(session.pageErrors).toEqual([])
  }, 300_000)
})
