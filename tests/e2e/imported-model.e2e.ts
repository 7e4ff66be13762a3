/**
 * Adapting an imported PyTorch model from the run form, in real Chromium (browser mode), on the tiny demo
 * project: a torchvision LR-ASPP (random weights, written by Debian's torchvision) is added with
 * `pss-studio model add`; the run form offers it next to "train a source model"; an AdvEnt run started
 * from it finishes, and its run page names the model, its architecture and its sha256, and says which aux
 * terms the run left out (LR-ASPP has no aux head).
 *
 * Needs a build (`npx electron-vite build`), /usr/bin/chromium, and /usr/bin/python3 with python3-torch
 * and python3-torchvision (skipped, with the reason, without them).
 */
import { createHash } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Album } from '../../src/shared/domain'
import type { RunDetail } from '../../src/shared/runs'
import type { SourceModel } from '../../src/shared/source-models'
import { torchUnavailable } from '../unit/engine/torch/python-fixtures'
import {
  callApi,
  openBrowser,
  runToEnd,
  tid,
  type BrowserSession,
  openAlbumTab,
} from './helpers/browser-session'
import { cli, serve, type Served } from './helpers/serve'

const RESULTS = resolve('test-results/imported-model-e2e')
const noTorch = torchUnavailable()
let tmp = ''
let server: Served
let session: BrowserSession
let page: Page
let album: Album
let model: SourceModel
let sha256 = ''

const api = <T>(method: string, args: unknown): Promise<T> => callApi<T>(server, method, args)

beforeAll(async () => {
  if (noTorch) return
  tmp = mkdtempSync(join(tmpdir(), 'pss-e2e-imported-'))
  const env = {
    ...process.env,
    PSS_STUDIO_HOME: join(tmp, 'home'),
    PSS_DEMO_PRESET: 'tiny',
    PSS_BACKEND: 'wasm',
  }
  mkdirSync(RESULTS, { recursive: true })
  const pth = join(tmp, 'lraspp-e2e.pth')
  execFileSync(
    '/usr/bin/python3',
    [
      '-c',
      'import sys, torch; from torchvision.models import segmentation as s; torch.manual_seed(5); ' +
        'torch.save(s.lraspp_mobilenet_v3_large(weights=None, weights_backbone=None, num_classes=21).state_dict(), sys.argv[1])',
      pth,
    ],
    { stdio: 'pipe', timeout: 120_000 },
  )
  sha256 = createHash('sha256').update(readFileSync(pth)).digest('hex')
  const dir = join(tmp, 'demo')
  await cli(['demo-project', '--dir', dir], env)
  await cli(['model', 'add', '--project', dir, '--pth', pth], env)
  const info = JSON.parse(await cli(['info', '--project', dir, '--json'], env)) as { albums: Album[] }
  album = info.albums.find((a) => a.validationMaskedCount >= 1)!
  server = await serve(['--project', dir], env)
  const models = await api<SourceModel[]>('listSourceModels', {})
  expect(models).toHaveLength(1)
  model = models[0]!
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

describe.skipIf(noTorch !== null)(
  'adapting an imported PyTorch model from the run form (browser mode)',
  () => {
    it('offers the imported model, runs AdvEnt from it and names it with its sha256 on the run page', async () => {
      expect(model).toMatchObject({ name: 'lraspp-e2e', arch: 'lraspp_mobilenet_v3_large', sha256 })
      await openAlbumTab(page, server.url, album.id, 'runs')
      const choice = page.locator(tid('run-source-model'))
      await choice.waitFor({ timeout: 30_000 })
      expect(await choice.locator('option').allTextContents()).toEqual([
        'train a source model',
        'lraspp-e2e (lraspp_mobilenet_v3_large)',
      ])
      await page.selectOption(tid('run-method'), 'advent')
      await choice.selectOption(String(model.id))
      // Nothing is trained from scratch: the source-training iterations are not asked for.
      expect(await page.locator(tid('run-iterations')).count()).toBe(0)
      await page.fill(tid('run-adapt-iterations'), '2')
      await page.fill(tid('run-size'), '32')
      await page.click(tid('run-start'))

      let run: RunDetail | undefined
      for (let i = 0; i < 60 && !run; i++) {
        run = (await api<RunDetail[]>('listRuns', { albumId: album.id })).find((r) => r.method === 'advent')
        if (!run) await new Promise((r) => setTimeout(r, 500))
      }
      expect(run, 'the form started no AdvEnt run').toBeDefined()
      const done = await runToEnd(server, run!.id, 400_000)
      expect(done.config.sourceModel).toEqual({ id: model.id, name: model.name, arch: model.arch, sha256 })

      await page.waitForSelector(`${tid('run-detail')}[data-run-id="${done.id}"][data-status="done"]`, {
        timeout: 60_000,
      })
      const record = page.locator(tid('record-source-model'))
      await record.waitFor({ timeout: 30_000 })
      const text = (await record.textContent()) ?? ''
      expect(text).toContain('imported “lraspp-e2e” · lraspp_mobilenet_v3_large')
      expect(text).toContain(`sha256 ${sha256.slice(0, 12)}…`)
      expect(await record.locator('span.mono').getAttribute('title')).toBe(sha256)
      expect(await page.locator(tid('record-source-model-notice')).textContent()).toMatch(
        /LR-ASPP MobileNetV3-Large has no aux head, so the run leaves out the aux source cross-entropy and the aux discriminator/,
      )
      await page.screenshot({ path: join(RESULTS, 'imported-model-run.png') })
    }, 600_000)
  },
)
