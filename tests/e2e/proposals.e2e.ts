/**
 * Mask proposals in the editor, in real Chromium (browser mode): a finished No-DA run's prediction of the
 * image (a run row plus its prediction PNG, written through the store the way a run leaves them — training
 * a model here would only slow the test down) is listed as a proposal, shown as its own layer, one
 * component is accepted with a click, another rejected, and the saved PNG read back in Node holds the
 * component's pixels with the proposal's label and every other pixel unchanged. Hand pixels count 0
 * (the accepted pixels are machine-made) until a brush stroke adds some. Then the annotation queue the
 * embedding map's lasso fills: with "Queued first", D opens the queued image rather than the next one.
 * Needs a build (`npx electron-vite build`) and /usr/bin/chromium.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { encodeLabelPng, decodeLabelPng } from '../../src/main/media/label-png'
import { Project } from '../../src/main/project/project'
import { RunsRepo } from '../../src/main/project/runs-repo'
import { makePhotoFolder } from './helpers/fixtures'
import { openBrowser, screenshotsDir, tid, type BrowserSession } from './helpers/browser-session'
import { cli, serve, type Served } from './helpers/serve'
import { annotatorLabels, annotateAttr, annotatorPoint, type AnnotatorHook } from './helpers/annotator'

const SHOTS = screenshotsDir()
const W = 480
const H = 360

let tmp: string
let project: string
let server: Served
let session: BrowserSession
let page: Page
let runId = 0

/** The prediction: class 12 (dog) in two separate blocks, class 15 (person) in a third, the rest 255. */
function prediction(): Uint8Array {
  const p = new Uint8Array(W * H).fill(255)
  const block = (x0: number, y0: number, x1: number, y1: number, v: number) => {
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) p[y * W + x] = v
  }
  block(40, 40, 160, 140, 12)
  block(300, 60, 420, 160, 12)
  block(100, 220, 260, 320, 15)
  return p
}

const pageLabels = (): Promise<Uint8Array> => annotatorLabels(page)

const at = (x: number, y: number): Promise<{ x: number; y: number }> => annotatorPoint(page, x, y)

const attr = (name: string): Promise<string | null> => annotateAttr(page, name)

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'pss-e2e-proposals-'))
  const env = { ...process.env, PSS_STUDIO_HOME: join(tmp, 'home') }
  const photos = await makePhotoFolder(join(tmp, 'photos'), 3)
  project = join(tmp, 'project')
  await cli(['create', '--project', project], env)
  await cli(['import', '--project', project, '--folder', photos.dir, '--album', 'Trip'], env)
  // A finished No-DA run with its prediction of image 1, as a run leaves them.
  const p = Project.open(project)
  try {
    const runs = new RunsRepo(p.db, p.paths)
    runId = runs.create({
      kind: 'album',
      method: 'noda',
      albumId: 1,
      config: {},
      seed: 1,
      backend: 'cpu',
      codeVersion: null,
      splitId: null,
      jobId: null,
    })
    const dir = join(runs.dir(runId), 'predictions')
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, '1.png'), encodeLabelPng({ width: W, height: H, labels: prediction() }))
    runs.markRunning(runId)
    runs.finish(runId, 'done', null)
  } finally {
    p.close()
  }
  server = await serve(['--project', project], env)
  session = await openBrowser({ resultsDir: resolve('test-results/proposals-e2e') })
  page = session.page
}, 120_000)

afterAll(async () => {
  await session?.close()
  await server?.stop()
  if (tmp) rmSync(tmp, { recursive: true, force: true })
})

describe('mask proposals in the editor', () => {
  it('picks the prediction, accepts one component with a click, rejects another, saves exactly that', async () => {
    await page.goto(server.url)
    await page.waitForSelector('body[data-ready="true"]')
    await page.evaluate(
      () =>
        ((globalThis as unknown as { location: { hash: string } }).location.hash = '#/album/1/annotate/1'),
    )
    await page.waitForSelector(`${tid('annotate-view')}[data-state="ready"][data-image-id="1"]`, {
      timeout: 30_000,
    })
    // a hand-painted stripe first (class 3), so "others unchanged" has labelled pixels to keep
    await page.keyboard.press('3')
    await page.keyboard.press('b')
    const a = await at(20, 200)
    const b = await at(460, 200)
    await page.mouse.move(a.x, a.y)
    await page.mouse.down()
    await page.mouse.move(b.x, b.y, { steps: 8 })
    await page.mouse.up()
    const before = await pageLabels()
    const handBefore = await page.evaluate(() =>
      (globalThis as unknown as { __pssAnnotator: AnnotatorHook }).__pssAnnotator.handPixels(),
    )
    expect(await attr('data-undo'), `labels painted: ${before.filter((v) => v === 3).length}`).toBe('1')
    expect(handBefore).toBeGreaterThan(0)

    const options = await page.locator(`${tid('proposal-select')} option`).allTextContents()
    expect(options).toEqual(['— none —', 'No-DA #1']) // the project's first album run
    await page.locator(tid('proposal-select')).selectOption(`pred:${runId}`)
    await page.waitForSelector(`${tid('proposals-panel')}[data-proposal-state="ready"]`)
    expect(await page.locator(tid('proposal-classes')).textContent()).toMatch(/dog.*person/)
    // shown, not in the mask
    expect(Buffer.from(await pageLabels()).equals(Buffer.from(before))).toBe(true)
    expect(await attr('data-tool')).toBe('prediction')

    // reject the right-hand dog block, then accept the left one with a click
    await page.locator(tid('tool-reject')).click()
    const right = await at(350, 100)
    await page.mouse.click(right.x, right.y)
    await expect
      .poll(() => page.locator(tid('proposal-rejected')).textContent())
      .toContain(`${(120 * 100).toLocaleString('en-US')} px hidden`)
    await page.locator(tid('tool-accept')).click()
    const undoBefore = Number(await attr('data-undo'))
    const left = await at(100, 90)
    await page.mouse.click(left.x, left.y)
    await expect.poll(async () => Number(await attr('data-undo'))).toBe(undoBefore + 1)
    await page.screenshot({ path: join(SHOTS, 'annotate-proposal.png') })
    // clicking the rejected block does nothing
    await page.mouse.click(right.x, right.y)
    expect(Number(await attr('data-undo'))).toBe(undoBefore + 1)

    const pred = prediction()
    const expected = before.slice()
    for (let y = 40; y < 140; y++) for (let x = 40; x < 160; x++) expected[y * W + x] = 12
    const now = await pageLabels()
    expect(Buffer.from(now).equals(Buffer.from(expected))).toBe(true)
    expect(now[100 * W + 350]).toBe(before[100 * W + 350]) // the rejected component was not copied
    expect(now[270 * W + 180]).toBe(before[270 * W + 180]) // nor the person component nobody clicked
    expect(pred[270 * W + 180]).toBe(15)
    // accepted pixels are machine-made: the hand count is what the brush changed, minus stripe pixels
    // the accepted block covered (they now hold the machine's label)
    let stripeUnderBlock = 0
    for (let y = 40; y < 140; y++)
      for (let x = 40; x < 160; x++) if (before[y * W + x] !== 255) stripeUnderBlock++
    const hand = await page.evaluate(() =>
      (globalThis as unknown as { __pssAnnotator: AnnotatorHook }).__pssAnnotator.handPixels(),
    )
    expect(hand).toBe(handBefore - stripeUnderBlock)

    await page.keyboard.press('Control+s')
    await expect.poll(() => attr('data-version')).toBe('1')
    const saved = decodeLabelPng(readFileSync(join(project, 'masks', '1', 'v1.png')))
    expect([saved.width, saved.height]).toEqual([W, H])
    for (let i = 0; i < W * H; i++) {
      const inBlock = i % W >= 40 && i % W < 160 && Math.floor(i / W) >= 40 && Math.floor(i / W) < 140
      if (saved.labels[i] !== (inBlock ? pred[i] : before[i]))
        throw new Error(`pixel ${i % W},${Math.floor(i / W)}: ${saved.labels[i]}`)
    }
    const versions = await page.locator(tid('mask-versions')).textContent()
    expect(versions).toContain('from No-DA #1')
    expect(versions).toContain(`${hand} px by hand`)

    // undo takes the accepted component back out as one step
    await page.keyboard.press('Control+z')
    expect(Buffer.from(await pageLabels()).equals(Buffer.from(before))).toBe(true)
    expect(session.pageErrors).toEqual([])
  }, 180_000)

  it('D/A with "Queued first" follow the queue the embedding map filled', async () => {
    // The lasso's queue lives in localStorage per project path and album (embedding/annotation-queue.ts).
    const info = (await (
      await page.request.post(`${new URL(server.url).origin}/api/appInfo`, { data: {} })
    ).json()) as { result: { project: { path: string } } }
    const key = `${info.result.project.path}#1`
    await page.evaluate(
      (k) =>
        (
          globalThis as unknown as { localStorage: { setItem(a: string, b: string): void } }
        ).localStorage.setItem('pss.annotationQueue', JSON.stringify({ [k]: [3] })),
      key,
    )
    await page.reload()
    await page.waitForSelector(`${tid('annotate-view')}[data-state="ready"][data-image-id="1"]`, {
      timeout: 30_000,
    })
    expect(await page.locator(tid('queued-summary')).textContent()).toContain('1 of 1 left')
    await page.locator(tid('nav-order')).selectOption('queued')
    await page.locator(tid('annotate-canvas')).focus()
    await page.keyboard.press('d') // split order would open image 2
    await page.waitForSelector(`${tid('annotate-view')}[data-state="ready"][data-image-id="3"]`, {
      timeout: 30_000,
    })
    // marking it done takes it off the queue; D then falls back to the split order (3 → 1)
    await page.locator(tid('annotate-status')).selectOption('done')
    await expect.poll(() => page.locator(tid('queued-summary')).count()).toBe(0)
    await page.keyboard.press('d')
    await page.waitForSelector(`${tid('annotate-view')}[data-state="ready"][data-image-id="1"]`, {
      timeout: 30_000,
    })
    expect(session.pageErrors).toEqual([])
  }, 120_000)
})
