/**
 * Prediction variants in real Chromium (browser mode) on the tiny demo project: one quick No-DA run
 * started through the API; in its record "… with CRF" makes the CRF variant (a job), whose row shows the
 * stored FIoU and its cost; in the compare view the variant is added as a column ("No-DA #N + CRF") whose
 * per-image FIoU equals the stored one.
 *
 * Needs a build (`npx electron-vite build`) and /usr/bin/chromium.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Album } from '../../src/shared/domain'
import type { RunDetail, RunSummary, StartedRun } from '../../src/shared/runs'
import { runDisplayNumbers, runName } from '../../src/shared/run-names'
import type { VariantInfo } from '../../src/shared/variants'
import {
  callApi,
  openBrowser,
  runToEnd,
  tid,
  type BrowserSession,
  openAlbumTab,
} from './helpers/browser-session'
import { cli, serve, type Served } from './helpers/serve'

const RESULTS = resolve('test-results/variants-e2e')
let tmp: string
let server: Served
let session: BrowserSession
let page: Page
let album: Album
let run: RunDetail

const api = <T>(method: string, args: unknown): Promise<T> => callApi<T>(server, method, args)
const pct = (v: number | null | undefined): string =>
  v === null || v === undefined ? '—' : (v * 100).toFixed(2)

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'pss-e2e-variants-'))
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
  const started = await api<StartedRun>('startRun', {
    albumId: album.id,
    method: 'noda',
    iterations: 6,
    size: 32,
  })
  run = await runToEnd(server, started.runId, 240_000)
  session = await openBrowser({ resultsDir: RESULTS })
  page = session.page
}, 400_000)

afterEach(async (ctx) => {
  await session?.recordFailure(ctx.task, server)
})

afterAll(async () => {
  await session?.close()
  await server?.stop()
  if (tmp) rmSync(tmp, { recursive: true, force: true })
})

describe('prediction variants (browser mode)', () => {
  it('makes a CRF variant from the run record and compares it as a column', async () => {
    await openAlbumTab(page, server.url, album.id, 'runs')
    await page.waitForSelector(`${tid('run-detail')}[data-run-id="${run.id}"][data-status="done"]`)
    const panel = page.locator(`${tid('variants-panel')}[data-run-id="${run.id}"]`)
    await panel.locator(tid('variant-start-crf')).click()
    const row = panel.locator(`${tid('variant-row')}[data-variant="crf"][data-status="done"]`)
    await row.waitFor({ timeout: 120_000 })
    const [stored] = (await api<VariantInfo[]>('listVariants', { runId: run.id })).filter(
      (v) => v.variant === 'crf',
    )
    expect(stored?.status).toBe('done')
    expect((await row.locator(tid('variant-fiou')).textContent())?.trim()).toMatch(
      new RegExp(`^${pct(stored!.metrics!.fiou).replace('.', '\\.')}\\b`),
    )
    expect(await row.locator(tid('variant-cost')).textContent()).toMatch(/s\/image/)

    await page.click(tid('tab-compare'))
    await page.waitForSelector(`${tid('compare-view')}[data-state="ready"]`)
    await page.selectOption(tid('compare-add-run'), `v:${run.id}/crf`)
    const head = page.locator(`${tid('compare-variant-column')}[data-variant-key="${run.id}/crf"]`)
    const name = runName(run, runDisplayNumbers(await api<RunSummary[]>('listRuns', {})))
    await expect.poll(() => head.textContent()).toContain(`${name} + CRF`)
    await page.waitForSelector(`${tid('compare-view')}[data-state="ready"]`)
    const byImage = new Map(stored!.perImage.map((m) => [m.imageId, m.fiou]))
    const rows = page.locator(tid('compare-row'))
    await expect
      .poll(() => page.locator(`${tid('pane-variant-fiou')}[data-variant-key="${run.id}/crf"]`).count())
      .toBe(await rows.count())
    const caps = page.locator(`${tid('pane-variant-fiou')}[data-variant-key="${run.id}/crf"]`)
    for (let i = 0; i < (await rows.count()); i++) {
      const imageId = Number(await rows.nth(i).getAttribute('data-image-id'))
      expect(await caps.nth(i).innerText()).toBe(`FIoU ${pct(byImage.get(imageId))}`)
    }
    expect(await page.locator(`${tid('compare-pane')}[data-kind="variant"]`).count()).toBe(await rows.count())
  }, 300_000)
})
