/**
 * A Personalize run that adaptation could not improve, on its run page in real Chromium (browser mode), on
 * the tiny demo project: a MinEnt run forced to collapse (absurd entropy weight and learning rate, as in
 * tests/unit/runs/studio-collapse.test.ts) is started through the API; its page shows the plain notice that
 * adaptation did not help on the held-out half and the source model was kept — not an ordinary result —
 * with the collapse detector's message, and the snapshot panel names the source model as the one used.
 *
 * Needs a build (`npx electron-vite build`) and /usr/bin/chromium.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Album } from '../../src/shared/domain'
import type { RunDetail, StartedRun } from '../../src/shared/runs'
import {
  callApi,
  openBrowser,
  runToEnd,
  tid,
  type BrowserSession,
  openAlbumTab,
} from './helpers/browser-session'
import { cli, serve, type Served } from './helpers/serve'

const RESULTS = resolve('test-results/kept-source-e2e')
let tmp: string
let server: Served
let session: BrowserSession
let page: Page
let album: Album
let run: RunDetail

const api = <T>(method: string, args: unknown): Promise<T> => callApi<T>(server, method, args)

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'pss-e2e-kept-source-'))
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
  album = info.albums.find((a) => a.validationMaskedCount >= 6)!
  server = await serve(['--project', dir], env)
  const started = await api<StartedRun>('startRun', {
    albumId: album.id,
    method: 'minent',
    iterations: 150,
    size: 64,
    seed: 3,
    adaptIterations: 8,
    selection: 'heldout',
    methodConfig: { entMain: 50, entAux: 50, seg: { lr: 0.25 } },
  })
  run = await runToEnd(server, started.runId, 400_000)
  session = await openBrowser({ resultsDir: RESULTS })
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

describe('a Personalize run that kept its source model (browser mode)', () => {
  it('says so plainly on the run page, with the collapse message', async () => {
    await openAlbumTab(page, server.url, album.id, 'runs')
    await page.waitForSelector(`${tid('run-detail')}[data-run-id="${run.id}"][data-status="done"]`)
    const notice = page.locator(`${tid('adaptation-notice')}[data-kept-source="true"]`)
    await notice.waitFor({ timeout: 30_000 })
    expect(await notice.locator(tid('kept-source-notice')).textContent()).toContain(
      'adaptation did not help on the held-out half; kept the source model',
    )
    expect(await notice.locator(tid('collapse-stop')).textContent()).toMatch(
      /^stage minent stopped at step \d+ of 8: predictions collapsed to background/,
    )
    const choice = page.locator(tid('snapshot-choice'))
    await choice.waitFor({ timeout: 30_000 })
    expect(await choice.textContent()).toMatch(
      /Uses snapshot 0 — the source model the adaptation started from/,
    )
    await page.screenshot({ path: join(RESULTS, 'kept-source.png') })
  }, 120_000)
})
