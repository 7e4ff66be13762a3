/**
 * The annotation studio in real Chromium (browser mode): paint with hotkey-selected classes, polygon
 * fill, magic wand, erase, undo/redo across 20+ steps, save, reload, D/A between images — and the
 * saved PNG, decoded in Node, equals the page's label bitmap and independently expected pixels.
 * Needs a build (`npx electron-vite build`) and /usr/bin/chromium.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeLabelPng } from '../../src/main/media/label-png'
import { makePhotoFolder } from './helpers/fixtures'
import { openBrowser, screenshotsDir, tid, type BrowserSession } from './helpers/browser-session'
import { cli, serve, type Served } from './helpers/serve'
import { annotatorLabels, annotateAttr, annotatorPoint, type AnnotatorHook } from './helpers/annotator'

const SHOTS = screenshotsDir()

let tmp: string
let project: string
let server: Served
let session: BrowserSession
let page: Page

const pageLabels = (): Promise<Uint8Array> => annotatorLabels(page)

const at = (x: number, y: number): Promise<{ x: number; y: number }> => annotatorPoint(page, x, y)

async function stroke(points: [number, number][]): Promise<void> {
  const first = await at(...points[0]!)
  await page.mouse.move(first.x, first.y)
  await page.mouse.down()
  for (const p of points.slice(1)) {
    const s = await at(...p)
    await page.mouse.move(s.x, s.y, { steps: 4 })
  }
  await page.mouse.up()
}

async function ready(imageId?: number): Promise<void> {
  const sel =
    imageId === undefined
      ? `${tid('annotate-view')}[data-state="ready"]`
      : `${tid('annotate-view')}[data-state="ready"][data-image-id="${imageId}"]`
  await page.waitForSelector(sel, { timeout: 30_000 })
}

const attr = (name: string): Promise<string | null> => annotateAttr(page, name)

/** The newest stored version number of an image's mask (masks/<id>/v<N>.png). */
function latestVersion(imageId: number): number {
  const versions = readdirSync(join(project, 'masks', String(imageId)))
    .map((f) => /^v(\d+)\.png$/.exec(f)?.[1])
    .filter((v): v is string => v !== undefined)
    .map(Number)
  return Math.max(0, ...versions)
}

function savedMask(imageId: number, version: number): Uint8Array {
  return decodeLabelPng(readFileSync(join(project, 'masks', String(imageId), `v${version}.png`))).labels
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'pss-e2e-annotate-'))
  const env = { ...process.env, PSS_STUDIO_HOME: join(tmp, 'home') }
  const photos = await makePhotoFolder(join(tmp, 'photos'), 3)
  project = join(tmp, 'project')
  await cli(['create', '--project', project], env)
  await cli(['import', '--project', project, '--folder', photos.dir, '--album', 'Trip'], env)
  server = await serve(['--project', project], env)
  session = await openBrowser({ resultsDir: resolve('test-results/annotate-e2e') })
  page = session.page
}, 120_000)

afterAll(async () => {
  await session?.close()
  await server?.stop()
  if (tmp) rmSync(tmp, { recursive: true, force: true })
})

describe('annotation studio in Chromium', () => {
  it('paints, fills, erases, undoes and redoes, saves exactly what the page holds, and keeps it across D/A and a reload', async () => {
    await page.goto(server.url)
    await page.waitForSelector('body[data-ready="true"]')
    await page.evaluate(
      () =>
        ((globalThis as unknown as { location: { hash: string } }).location.hash = '#/album/1/annotate/1'),
    )
    await ready(1)
    const { width, height } = await page.evaluate(() =>
      (globalThis as unknown as { __pssAnnotator: AnnotatorHook }).__pssAnnotator.size(),
    )
    expect([width, height]).toEqual([480, 360])
    expect([...(await pageLabels())].every((v) => v === 255)).toBe(true)

    // magic wand with class 2 on the top-left sky
    await page.keyboard.press('2')
    await page.keyboard.press('w')
    const sky = await at(5, 5)
    await page.mouse.click(sky.x, sky.y)
    expect(await attr('data-class')).toBe('2')
    expect((await pageLabels())[5 * width + 5]).toBe(2)
    // class by hotkey, then a brush stroke
    await page.keyboard.press('7')
    await page.keyboard.press('b')
    expect(await attr('data-class')).toBe('7')
    await stroke([
      [40, 40],
      [140, 45],
      [200, 90],
    ])
    // polygon fill with class 5
    await page.keyboard.press('5')
    await page.keyboard.press('p')
    for (const [x, y] of [
      [250, 150],
      [350, 150],
      [350, 250],
      [250, 250],
    ] as [number, number][]) {
      const s = await at(x, y)
      await page.mouse.click(s.x, s.y)
    }
    await page.keyboard.press('Enter')
    await expect.poll(() => attr('data-undo')).toBe('3')
    // eraser across the stroke
    await page.keyboard.press('e')
    await stroke([
      [90, 20],
      [90, 70],
    ])
    // more strokes with several classes: 20 steps in all
    await page.keyboard.press('b')
    for (let i = 0; i < 16; i++) {
      await page.keyboard.press(String((i % 9) + 1))
      await stroke([
        [20 + i * 25, 300],
        [30 + i * 25, 330],
      ])
    }
    await expect.poll(() => attr('data-undo')).toBe('20')
    const drawn = await pageLabels()
    // independent expectations: polygon interior = 5, stroke kept away from the eraser = 7, erased = 255
    expect(drawn[200 * width + 300]).toBe(5)
    expect(drawn[45 * width + 130]).toBe(7)
    expect(drawn[42 * width + 90]).toBe(255)
    expect(drawn[315 * width + 25]).toBe(1)

    for (let i = 0; i < 20; i++) await page.keyboard.press('Control+z')
    await expect.poll(() => attr('data-undo')).toBe('0')
    expect([...(await pageLabels())].every((v) => v === 255)).toBe(true)
    for (let i = 0; i < 20; i++) await page.keyboard.press('Control+Shift+z')
    await expect.poll(() => attr('data-redo')).toBe('0')
    expect(Buffer.from(await pageLabels()).equals(Buffer.from(drawn))).toBe(true)
    // view changes never clear redo
    await page.keyboard.press('Control+z')
    await page.keyboard.press('f')
    await page.mouse.move(700, 400)
    await page.keyboard.down('Control')
    await page.mouse.wheel(0, -200)
    await page.keyboard.up('Control')
    expect(await attr('data-redo')).toBe('1')
    await page.keyboard.press('Control+y')

    await page.keyboard.press('Control+s')
    await expect.poll(() => attr('data-dirty')).toBe('false')
    // The editor's 20 s autosave may have stored an earlier version on a slow machine: the saved mask is
    // the newest version, whatever its number.
    const saved = Number(await attr('data-version'))
    expect(saved).toBe(latestVersion(1))
    expect(Buffer.from(savedMask(1, saved)).equals(Buffer.from(drawn))).toBe(true)
    await page.screenshot({ path: join(SHOTS, 'annotate-editor.png') })

    // D: next image (saving nothing new), paint there, A: back (autosaves image 2)
    await page.keyboard.press('d')
    await ready(2)
    await page.keyboard.press('3')
    await page.keyboard.press('b')
    await stroke([
      [100, 100],
      [200, 120],
    ])
    const second = await pageLabels()
    await page.keyboard.press('a')
    await ready(1)
    expect(Buffer.from(await pageLabels()).equals(Buffer.from(drawn))).toBe(true)
    expect(Buffer.from(savedMask(2, latestVersion(2))).equals(Buffer.from(second))).toBe(true)

    // reload: the page loads the saved mask again
    await page.reload()
    await ready(1)
    expect(await attr('data-version')).toBe(String(saved))
    expect(Buffer.from(await pageLabels()).equals(Buffer.from(drawn))).toBe(true)
    expect(session.pageErrors).toEqual([])
  }, 180_000)
})
