/**
 * Model-assisted click masks (issue 16 item 5) in real Chromium (browser mode), on a project whose model
 * can see objects after a short training on 2 CPU cores: a VOC source set and a PIS album of outdoor scenes
 * (helpers/scenes.ts: large people, dogs, cars, plants, birds with their exact label maps; the tiny demo
 * preset's objects are too small for a model trained this briefly to predict), and a finished No-DA run
 * (`pss-studio run`):
 *   - on a validation image with a human mask the tool is picked only through the ground-truth unlock
 *     (dismissing the question leaves the brush);
 *   - on the album's unlabelled photos (the editor starts empty, so what a click paints is all the tool's
 *     doing) the click point is chosen from the model's own prediction: over the scenes' ground-truth
 *     objects, the one that the model's region of its class covers best (the map's top-1 plane, at the
 *     photo's size); a click there in the editor gives a mask whose IoU with that ground-truth object is
 *     ≥ 0.5; it is one undo step, saved as a machine version named after the model, and undo takes it back.
 * Needs a build (`npx electron-vite build`) and /usr/bin/chromium. Screenshot: test-results/screenshots/click-mask.png.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { encodeLabelPng } from '../../src/main/media/label-png'
import type { ClickMaskMapReady } from '../../src/shared/click-mask'
import type { Album, ImagePage } from '../../src/shared/domain'
import type { AnnotationQueue } from '../../src/shared/annotation'
import { annotateAttr, annotatorLabels, annotatorPoint } from './helpers/annotator'
import {
  callApi,
  openBrowser,
  runToEnd,
  screenshotsDir,
  tid,
  type BrowserSession,
} from './helpers/browser-session'
import { makeScene } from './helpers/scenes'
import { cli, serve, type Served } from './helpers/serve'

const SW = 320
const SH = 240
const SOURCE_SCENES = 48
const ALBUM_SCENES = 8
/**
 * Source-model iterations at 64 px: after 300 the model's best region of a ground-truth object here has
 * IoU 0.71 with it (measured 2026-12-07); the tiny demo preset's No-DA at 200 iterations predicted no
 * object at all, which is why this test draws its own scenes.
 */
const ITERATIONS = 300

let tmp: string
let server: Served
let session: BrowserSession
let page: Page
let album: Album
/** The album's photos (file name) → their exact labels. */
const truth = new Map<string, Uint8Array>()
/** Album photos with a mask in the PIS layout (validation ground truth). */
const validation = new Set<string>()

async function writeSources(root: string): Promise<void> {
  for (const d of ['JPEGImages', 'SegmentationClass', join('ImageSets', 'Segmentation')])
    mkdirSync(join(root, d), { recursive: true })
  const ids: string[] = []
  for (let i = 0; i < SOURCE_SCENES; i++) {
    const id = `2008_${String(i + 1).padStart(6, '0')}`
    const scene = await makeScene(1000 + i, SW, SH)
    writeFileSync(join(root, 'JPEGImages', `${id}.jpg`), scene.jpeg)
    writeFileSync(
      join(root, 'SegmentationClass', `${id}.png`),
      encodeLabelPng({ width: SW, height: SH, labels: scene.labels }),
    )
    ids.push(id)
  }
  writeFileSync(join(root, 'ImageSets', 'Segmentation', 'train.txt'), ids.join('\n') + '\n')
}

async function writeAlbum(root: string): Promise<void> {
  const user = join(root, 'personal', 'id1')
  mkdirSync(join(user, 'JPEGImages'), { recursive: true })
  mkdirSync(join(user, 'SegmentationClass'), { recursive: true })
  const val: string[] = []
  for (let i = 0; i < ALBUM_SCENES; i++) {
    const stem = `2021_${String(i + 1).padStart(4, '0')}`
    const scene = await makeScene(i + 1, SW, SH)
    writeFileSync(join(user, 'JPEGImages', `${stem}.jpg`), scene.jpeg)
    truth.set(`${stem}.jpg`, scene.labels)
    // Two photos are the validation split, with their masks; the rest have none.
    if (i < 2) {
      writeFileSync(
        join(user, 'SegmentationClass', `${stem}.png`),
        encodeLabelPng({ width: SW, height: SH, labels: scene.labels }),
      )
      val.push(`/JPEGImages/${stem}.jpg /SegmentationClass/${stem}.png 0`)
      validation.add(`${stem}.jpg`)
    }
  }
  writeFileSync(join(user, 'val_all.txt'), val.join('\n') + '\n')
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'pss-e2e-click-mask-'))
  const env = { ...process.env, PSS_STUDIO_HOME: join(tmp, 'home'), PSS_BACKEND: 'wasm' }
  const dir = join(tmp, 'project')
  await writeSources(join(tmp, 'voc'))
  await writeAlbum(join(tmp, 'pis'))
  await cli(['create', '--project', dir], env)
  await cli(['import', '--project', dir, '--voc', join(tmp, 'voc')], env)
  await cli(['import', '--project', dir, '--pis', join(tmp, 'pis')], env)
  server = await serve(['--project', dir], env)
  album = (await callApi<Album[]>(server, 'listAlbums', {}))[0]!
  const started = await callApi<{ runId: number }>(server, 'startRun', {
    albumId: album.id,
    method: 'noda',
    iterations: ITERATIONS,
    size: 64,
  })
  await runToEnd(server, started.runId, 840_000)
  session = await openBrowser({ resultsDir: resolve('test-results/click-mask-e2e') })
  page = session.page
}, 900_000)

afterEach(async (ctx) => {
  await session?.recordFailure(ctx.task, server)
})

afterAll(async () => {
  await session?.close()
  await server?.stop()
  if (tmp) rmSync(tmp, { recursive: true, force: true })
})

/** The 4-connected component of `labels` equal to labels[seed] around seed, as a set of pixel indices. */
function component(labels: ArrayLike<number>, w: number, h: number, seed: number): Set<number> {
  const v = labels[seed]
  const out = new Set<number>([seed])
  const stack = [seed]
  while (stack.length > 0) {
    const i = stack.pop()!
    const x = i % w
    const near = [x > 0 ? i - 1 : -1, x + 1 < w ? i + 1 : -1, i >= w ? i - w : -1, i + w < w * h ? i + w : -1]
    for (const j of near) {
      if (j < 0 || out.has(j) || labels[j] !== v) continue
      out.add(j)
      stack.push(j)
    }
  }
  return out
}

function iou(a: Set<number>, b: Set<number>): number {
  let inter = 0
  for (const i of a) if (b.has(i)) inter++
  return inter / (a.size + b.size - inter)
}

interface Choice {
  imageId: number
  name: string
  x: number
  y: number
  cls: number
  gt: Set<number>
  modelIou: number
}

/**
 * The click point, from the model's own prediction: over the ground-truth objects (components of object
 * classes), the model's top-1 component of the same class under the object's pixels that overlaps it
 * best; the click goes to the pixel of that overlap nearest its centroid.
 */
function chooseClick(imageId: number, name: string, map: ClickMaskMapReady): Choice | null {
  const labels = truth.get(name)
  if (!labels) throw new Error(`${name}: not one of the album's scenes`)
  if (map.width !== SW || map.height !== SH)
    throw new Error(
      `${name}: the map is ${map.width}×${map.height}, the photo ${SW}×${SH} (under the 512-pixel bound)`,
    )
  const w = SW
  const h = SH
  const top1 = Buffer.from(map.top2Base64, 'base64').subarray(0, w * h)
  let best: Choice | null = null
  const seen = new Set<number>()
  for (let i = 0; i < w * h; i++) {
    const c = labels[i]!
    if (c === 0 || c === 255 || seen.has(i)) continue
    const gt = component(labels, w, h, i)
    for (const j of gt) seen.add(j)
    const tried = new Set<number>()
    for (const j of gt) {
      if (top1[j] !== c || tried.has(j)) continue
      const pred = component(top1, w, h, j)
      for (const k of pred) tried.add(k)
      const score = iou(pred, gt)
      if (best && score <= best.modelIou) continue
      const both = [...pred].filter((k) => gt.has(k))
      const cx = both.reduce((a, k) => a + (k % w), 0) / both.length
      const cy = both.reduce((a, k) => a + Math.floor(k / w), 0) / both.length
      const d = (k: number): number => ((k % w) - cx) ** 2 + (Math.floor(k / w) - cy) ** 2
      const at = both.reduce((a, k) => (d(k) < d(a) ? k : a))
      best = { imageId, name, x: at % w, y: Math.floor(at / w), cls: c, gt, modelIou: score }
    }
  }
  return best
}

async function openEditor(albumId: number, imageId: number): Promise<void> {
  await page.evaluate(
    (h) => ((globalThis as unknown as { location: { hash: string } }).location.hash = h),
    `#/album/${albumId}/annotate/${imageId}`,
  )
  await page.waitForSelector(`${tid('annotate-view')}[data-state="ready"][data-image-id="${imageId}"]`, {
    timeout: 60_000,
  })
}

describe('model-assisted click masks', () => {
  it('asks before picking the tool on a locked ground-truth mask', async () => {
    await page.goto(server.url)
    await page.waitForSelector('body[data-ready="true"]')
    const queue = await callApi<AnnotationQueue>(server, 'annotationQueue', { albumId: album.id })
    const locked = queue.items.find((i) => i.maskVersion !== null)!
    await openEditor(album.id, locked.imageId)
    expect(await annotateAttr(page, 'data-locked')).toBe('true')
    const questions: string[] = []
    page.once('dialog', (d) => void (questions.push(d.message()), d.dismiss()))
    await page.locator(tid('annotate-canvas')).focus()
    await page.keyboard.press('m')
    await expect.poll(() => questions.length).toBe(1)
    expect(questions[0]).toMatch(/Unlock it for machine edits/)
    expect(await annotateAttr(page, 'data-tool')).toBe('brush')
    page.once('dialog', (d) => void d.accept())
    await page.locator(tid('tool-clickMask')).click()
    await expect.poll(() => annotateAttr(page, 'data-tool')).toBe('clickMask')
    expect(session.pageErrors).toEqual([])
  }, 120_000)

  it("a click inside an object gives a mask of it (IoU ≥ 0.5 with the ground-truth object), one undo step, saved as the model's", async () => {
    const images = await callApi<ImagePage>(server, 'listImages', {
      albumId: album.id,
      offset: 0,
      limit: 100,
    })
    let choice: Choice | null = null
    let model = ''
    for (const img of images.items) {
      if (validation.has(img.name)) continue
      const map = await callApi<ClickMaskMapReady>(server, 'clickMaskMap', { imageId: img.id })
      expect(map.available, JSON.stringify(map).slice(0, 300)).toBe(true)
      expect(map.model.kind).toBe('album-run')
      model = map.model.label
      const c = chooseClick(img.id, img.name, map)
      if (c && (!choice || c.modelIou > choice.modelIou)) choice = c
    }
    if (!choice || choice.modelIou < 0.5)
      throw new Error(
        `the model predicts no ground-truth object well enough to test on (best IoU ${choice?.modelIou ?? 'none'})`,
      )
    console.log(
      `click mask e2e: ${choice.name} class ${choice.cls} at ${choice.x},${choice.y}; the model's own region IoU ${choice.modelIou.toFixed(3)}`,
    )

    await openEditor(album.id, choice.imageId)
    expect(await annotateAttr(page, 'data-locked')).toBe('false')
    expect((await annotatorLabels(page)).every((v) => v === 255)).toBe(true)
    await page.locator(tid('annotate-canvas')).focus()
    await page.keyboard.press('m')
    await expect.poll(() => annotateAttr(page, 'data-tool')).toBe('clickMask')
    const at = await annotatorPoint(page, choice.x, choice.y)
    await page.mouse.click(at.x, at.y)
    await page.waitForSelector(`${tid('click-mask-hint')}[data-clicks="1"]`, { timeout: 60_000 })
    expect(await annotateAttr(page, 'data-undo')).toBe('1')
    expect(await page.locator(tid('click-mask-hint')).textContent()).toContain(model)
    await page.screenshot({ path: join(screenshotsDir(), 'click-mask.png') })

    const labels = await annotatorLabels(page)
    const painted = new Set<number>()
    for (let i = 0; i < labels.length; i++) if (labels[i] !== 255) painted.add(i)
    expect([...painted].every((i) => labels[i] === choice!.cls)).toBe(true)
    const score = iou(painted, choice.gt)
    console.log(
      `click mask e2e: the editor's mask IoU ${score.toFixed(3)} (${painted.size} px; ground-truth object ${choice.gt.size} px)`,
    )
    expect(
      score,
      `click at ${choice.x},${choice.y} of ${choice.name} (class ${choice.cls})`,
    ).toBeGreaterThanOrEqual(0.5)

    // Saved, it is the model's version (machine pixels, named after the model), not hand-made ground truth.
    await page.keyboard.press('Control+s')
    await expect.poll(() => annotateAttr(page, 'data-version')).not.toBe('')
    expect(await page.locator(tid('mask-versions')).textContent()).toContain(
      `machine, from Click mask · ${model}`,
    )

    // One click, one undo step.
    await page.keyboard.press('Control+z')
    expect((await annotatorLabels(page)).every((v) => v === 255)).toBe(true)
    expect(await annotateAttr(page, 'data-undo')).toBe('0')
    expect(session.pageErrors).toEqual([])
  }, 300_000)
})
