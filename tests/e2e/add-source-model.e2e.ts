/**
 * "Add a source model" in real Chromium (browser mode), on the tiny demo project: from the runs tab's form,
 * a truncated .pth is refused in the dialog with the reader's message naming the file (nothing added); an
 * LR-ASPP checkpoint is inspected (architecture, parameters, classes, sha256 shown before "Add"), added, and
 * the run form's Source list then offers it, selected; "Get torchvision model" starts a download job that
 * fails in the jobs drawer saying it cannot reach the server (the studio's base URL points at a closed
 * loopback port, as an offline machine cannot reach download.pytorch.org).
 *
 * Needs a build (`npx electron-vite build`) and /usr/bin/chromium. The checkpoints are written in torch.save's
 * format by tests/unit/engine/torch/torch-file-writer.ts (no Python needed).
 */
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Album } from '../../src/shared/domain'
import type { SourceModel } from '../../src/shared/source-models'
import { architectureSpec } from '../../src/main/engine/models/torch/architecture-specs'
import { writeSpecPth } from '../unit/engine/torch/torch-file-writer'
import { callApi, openBrowser, tid, type BrowserSession, openAlbumTab } from './helpers/browser-session'
import { cli, serve, type Served } from './helpers/serve'

const RESULTS = resolve('test-results/add-source-model-e2e')
let tmp = ''
let server: Served
let session: BrowserSession
let page: Page
let album: Album
let good = ''
let truncated = ''
let closedPort = 0

const api = <T>(method: string, args: unknown): Promise<T> => callApi<T>(server, method, args)

/** A loopback port nothing listens on (taken, then released). */
async function freePort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const port = (s.address() as AddressInfo).port
  await new Promise((r) => s.close(r))
  return port
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'pss-e2e-add-model-'))
  mkdirSync(RESULTS, { recursive: true })
  good = join(tmp, 'lraspp-voc.pth')
  writeSpecPth(good, architectureSpec('lraspp_mobilenet_v3_large', 21, false))
  truncated = join(tmp, 'truncated.pth')
  const bytes = readFileSync(good)
  writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)))
  closedPort = await freePort()
  const env = {
    ...process.env,
    PSS_STUDIO_HOME: join(tmp, 'home'),
    PSS_DEMO_PRESET: 'tiny',
    PSS_BACKEND: 'wasm',
    PSS_TORCHVISION_BASE_URL: `http://127.0.0.1:${closedPort}/models/`,
  }
  const dir = join(tmp, 'demo')
  await cli(['demo-project', '--dir', dir], env)
  const info = JSON.parse(await cli(['info', '--project', dir, '--json'], env)) as { albums: Album[] }
  album = info.albums.find((a) => a.validationMaskedCount >= 1)!
  server = await serve(['--project', dir], env)
  session = await openBrowser({ resultsDir: RESULTS })
  page = session.page
}, 300_000)

afterEach(async (ctx) => {
  await session?.recordFailure(ctx.task, server)
})

afterAll(async () => {
  await session?.close()
  await server?.stop()
  if (tmp) rmSync(tmp, { recursive: true, force: true })
})

describe('Add a source model (browser mode)', () => {
  it('refuses a bad file in the dialog, shows what a good one is before Add, and the run form offers it', async () => {
    await openAlbumTab(page, server.url, album.id, 'runs')
    await page.click(tid('run-add-source-model'))
    await page.waitForSelector(tid('add-source-model'))

    await page.fill(tid('add-model-path'), truncated)
    await page.click(tid('add-model-inspect'))
    const error = page.locator(tid('add-model-error'))
    await error.waitFor({ timeout: 30_000 })
    expect(await error.textContent()).toContain(truncated)
    expect(await page.locator(tid('add-model-submit')).isDisabled()).toBe(true)
    expect(await api<SourceModel[]>('listSourceModels', {})).toEqual([])

    await page.fill(tid('add-model-path'), good)
    await page.click(tid('add-model-inspect'))
    await page.waitForSelector(tid('add-model-found'), { timeout: 30_000 })
    expect(await page.locator(tid('add-model-arch')).textContent()).toContain('lraspp_mobilenet_v3_large')
    expect(await page.locator(tid('add-model-params')).textContent()).toBe('3,221,538')
    expect(await page.locator(tid('add-model-classes')).textContent()).toContain('21')
    const sha = createHash('sha256').update(readFileSync(good)).digest('hex')
    expect(await page.locator(tid('add-model-sha')).textContent()).toBe(sha)
    await page.screenshot({ path: join(RESULTS, 'add-source-model-found.png') })
    await page.click(tid('add-model-submit'))
    await page.waitForSelector(tid('add-source-model'), { state: 'detached', timeout: 30_000 })

    const models = await api<SourceModel[]>('listSourceModels', {})
    expect(models).toHaveLength(1)
    expect(models[0]).toMatchObject({ name: 'lraspp-voc', sha256: sha, originalPath: good })
    const choice = page.locator(tid('run-source-model'))
    await choice.waitFor({ timeout: 30_000 })
    expect(await choice.locator('option').allTextContents()).toEqual([
      'train a source model',
      'lraspp-voc (lraspp_mobilenet_v3_large)',
    ])
    expect(await choice.inputValue()).toBe(String(models[0]!.id))
  }, 300_000)

  it('starts a torchvision download whose job says it cannot reach the server', async () => {
    await page.click(tid('run-add-source-model'))
    await page.waitForSelector(tid('add-source-model'))
    await page.click(tid('add-model-tab-torchvision'))
    await page.click(tid('torchvision-get-deeplabv3_mobilenet_v3_large'))
    await page.waitForSelector(tid('add-source-model'), { state: 'detached', timeout: 30_000 })
    const job = page.locator('[data-kind="download-model"][data-status="failed"]')
    await job.waitFor({ timeout: 60_000 })
    expect(await job.locator(tid('job-outcome')).textContent()).toMatch(
      new RegExp(`cannot reach 127\\.0\\.0\\.1:${closedPort} \\(`),
    )
    await page.screenshot({ path: join(RESULTS, 'download-unreachable.png') })
    expect(await api<SourceModel[]>('listSourceModels', {})).toHaveLength(1)
  }, 120_000)
})
