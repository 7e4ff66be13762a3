/**
 * Ground truth that cannot be lost by a click, and every class from the keyboard, in real Chromium
 * (browser mode). A PIS album is imported (human validation masks, a validation split); a finished No-DA
 * run's prediction of a validation image says "all background" — the proposal that overwrote a mask in
 * the reported bug. On that image: "Start from this" and the Accept key need an unlock (refused → the
 * mask is untouched); once unlocked, autosave and D hold the machine edit instead of storing it; Save
 * stores it as the model's version; Ctrl+Z takes the stored version back too (by id, as a new version
 * with the same pixels), so runs scored on the original stay comparable with runs scored on the
 * restored copy; a hand edit autosaved and undone does the same; Restore asks and restores exactly the
 * version named. Then every class 0–20 (and ignore) is picked from the keyboard, shortcuts stay out of
 * the class search, and Esc hands the keys back to the canvas.
 * Needs a build (`npx electron-vite build`) and /usr/bin/chromium.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Dialog, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeLabelPng, encodeLabelPng } from '../../src/main/media/label-png'
import { Project } from '../../src/main/project/project'
import { RunsRepo } from '../../src/main/project/runs-repo'
import type { RunSummary } from '../../src/shared/runs'
import { comparableRuns } from '../../src/shared/runs'
import { makePisDataset, type PisFixture } from './helpers/fixtures'
import { callApi, openBrowser, screenshotsDir, tid, type BrowserSession } from './helpers/browser-session'
import { cli, serve, type Served } from './helpers/serve'
import { annotatorLabels, annotateAttr, annotatorPoint, type AnnotatorHook } from './helpers/annotator'

const SHOTS = screenshotsDir()

let tmp: string
let project: string
let pis: PisFixture
let server: Served
let session: BrowserSession
let page: Page
/** The validation image the test edits, the other validation image, and the album. */
let valId = 0
let otherValId = 0
let albumId = 0
/** Run A scored on the imported masks (v1), B on v3 of valId (not stored yet), C on v2 of valId. */
const runIds = { a: 0, b: 0, c: 0 }
let width = 0
let height = 0

const attr = (name: string): Promise<string | null> => annotateAttr(page, name)
const pageLabels = (): Promise<Uint8Array> => annotatorLabels(page)
const stored = (version: number): Uint8Array =>
  decodeLabelPng(readFileSync(join(project, 'masks', String(valId), `v${version}.png`))).labels
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b))
const autosaveNow = (): Promise<void> =>
  page.evaluate(() =>
    (globalThis as unknown as { __pssAnnotator: AnnotatorHook }).__pssAnnotator.autosaveNow(),
  )
const focusedTestId = (): Promise<string | null> =>
  page.evaluate(
    () =>
      (
        globalThis as unknown as {
          document: { activeElement: { getAttribute(n: string): string | null } | null }
        }
      ).document.activeElement?.getAttribute('data-testid') ?? null,
  )

/** Runs `act`, answering the one confirm() it raises; returns the dialog's text. */
async function answering(answer: 'accept' | 'dismiss', act: () => Promise<void>): Promise<string> {
  let message = ''
  page.once('dialog', (d: Dialog) => {
    message = d.message()
    void (answer === 'accept' ? d.accept() : d.dismiss())
  })
  await act()
  await expect.poll(() => message).not.toBe('')
  return message
}

async function ready(imageId: number): Promise<void> {
  await page.waitForSelector(`${tid('annotate-view')}[data-state="ready"][data-image-id="${imageId}"]`, {
    timeout: 30_000,
  })
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'pss-e2e-gt-'))
  const env = { ...process.env, PSS_STUDIO_HOME: join(tmp, 'home') }
  pis = await makePisDataset(join(tmp, 'pis'), 6)
  project = join(tmp, 'project')
  await cli(['create', '--project', project], env)
  await cli(['import', '--project', project, '--pis', pis.root], env)
  const p = Project.open(project)
  try {
    const ids = new Map(
      (
        p.db.prepare('SELECT id, name, album_id, width, height FROM images').all() as {
          id: number
          name: string
          album_id: number
          width: number
          height: number
        }[]
      ).map((r) => [r.name, r]),
    )
    const first = ids.get(pis.validation[0]!)!
    valId = first.id
    otherValId = ids.get(pis.validation[1]!)!.id
    albumId = first.album_id
    width = first.width
    height = first.height
    const splitId = (
      p.db.prepare('SELECT id FROM splits WHERE album_id = ? ORDER BY version DESC LIMIT 1').get(albumId) as {
        id: number
      }
    ).id
    const runs = new RunsRepo(p.db, p.paths)
    const make = (): number =>
      runs.create({
        kind: 'album',
        method: 'noda',
        albumId,
        config: {},
        seed: 1,
        backend: 'cpu',
        codeVersion: null,
        splitId,
        jobId: null,
      })
    runIds.a = make()
    // Run A's prediction of the validation image: all background (the No-DA proposal of the report).
    const dir = join(runs.dir(runIds.a), 'predictions')
    mkdirSync(dir, { recursive: true })
    writeFileSync(
      join(dir, `${valId}.png`),
      encodeLabelPng({ width, height, labels: new Uint8Array(width * height) }),
    )
    runIds.b = make()
    runIds.c = make()
    runs.setMasks(runIds.a, [
      { imageId: valId, maskVersion: 1 },
      { imageId: otherValId, maskVersion: 1 },
    ])
    runs.setMasks(runIds.b, [
      { imageId: valId, maskVersion: 3 },
      { imageId: otherValId, maskVersion: 1 },
    ])
    runs.setMasks(runIds.c, [
      { imageId: valId, maskVersion: 2 },
      { imageId: otherValId, maskVersion: 1 },
    ])
    for (const id of Object.values(runIds)) {
      runs.markRunning(id)
      runs.finish(id, 'done', null)
    }
  } finally {
    p.close()
  }
  server = await serve(['--project', project], env)
  session = await openBrowser({ resultsDir: resolve('test-results/ground-truth-e2e') })
  page = session.page
}, 120_000)

afterAll(async () => {
  await session?.close()
  await server?.stop()
  if (tmp) rmSync(tmp, { recursive: true, force: true })
})

async function runSets(): Promise<Map<number, RunSummary>> {
  const list = await callApi<RunSummary[]>(server, 'listRuns', { albumId })
  return new Map(list.map((r) => [r.id, r]))
}

describe('ground truth in the editor', () => {
  it('a locked validation mask survives "Start from this" and autosave unless unlocked; Save stores it as the model’s; undo takes the stored mask back', async () => {
    await page.goto(server.url)
    await page.waitForSelector('body[data-ready="true"]')
    await page.evaluate(
      (h) => ((globalThis as unknown as { location: { hash: string } }).location.hash = h),
      `#/album/${albumId}/annotate/${valId}`,
    )
    await ready(valId)
    const gt = stored(1)
    expect(gt.some((v) => v !== 0)).toBe(true) // the imported mask has objects the proposal lacks
    expect(same(await pageLabels(), gt)).toBe(true)
    expect(await attr('data-ground-truth')).toBe('true')
    expect(await attr('data-locked')).toBe('true')
    expect(await attr('data-version')).toBe('1')

    await page.locator(tid('proposal-select')).selectOption(`pred:${runIds.a}`)
    await page.waitForSelector(`${tid('proposals-panel')}[data-proposal-state="ready"]`)
    expect(await attr('data-tool')).toBe('brush') // shown, but Accept is not picked on a locked mask

    // refused: "Start from this" and the Accept key leave the mask alone
    const asked = await answering('dismiss', () => page.locator(tid('proposal-start')).click())
    expect(asked).toMatch(/ground-truth mask \(v1\).*Unlock/)
    await answering('dismiss', () => page.keyboard.press('r'))
    expect(await attr('data-tool')).toBe('brush')
    expect(await attr('data-undo')).toBe('0')
    expect(same(await pageLabels(), gt)).toBe(true)
    expect(await attr('data-locked')).toBe('true')

    // unlocked: the proposal replaces the mask on the canvas, but autosave and D hold it
    await answering('accept', () => page.locator(tid('proposal-start')).click())
    await expect.poll(() => attr('data-undo')).toBe('1')
    expect([...(await pageLabels())].every((v) => v === 0)).toBe(true)
    expect(await attr('data-locked')).toBe('false')
    await autosaveNow()
    await expect.poll(() => attr('data-held')).toBe('true')
    await page.locator(tid('annotate-canvas')).focus()
    await page.keyboard.press('d')
    await page.waitForTimeout(500)
    expect(await attr('data-image-id')).toBe(String(valId))
    expect(await attr('data-version')).toBe('1')
    expect(existsSync(join(project, 'masks', String(valId), 'v2.png'))).toBe(false)
    await page.screenshot({ path: join(SHOTS, 'annotate-gt-held.png') })

    // an explicit Save stores it, honestly: the model's, machine-made, from run A
    await page.keyboard.press('Control+s')
    await expect.poll(() => attr('data-version')).toBe('2')
    expect(await attr('data-held')).toBe('false')
    const v2 = page.locator(`${tid('mask-versions')} li[data-version="2"]`)
    expect(await v2.getAttribute('data-author')).toBe('model')
    expect(await v2.textContent()).toContain('machine, from No-DA #1') // run A, the project's first album run
    expect([...stored(2)].every((v) => v === 0)).toBe(true)

    // Ctrl+Z: the canvas and the stored mask go back (v3 = v1's pixels, by id, named as an undo)
    await page.keyboard.press('Control+z')
    await expect.poll(() => attr('data-version')).toBe('3')
    expect(same(await pageLabels(), gt)).toBe(true)
    expect(same(stored(3), gt)).toBe(true)
    expect(await attr('data-dirty')).toBe('false')
    const v3 = page.locator(`${tid('mask-versions')} li[data-version="3"]`)
    expect(await v3.getAttribute('data-author')).toBe('human')
    expect(await v3.textContent()).toContain('undo back to version 1')
    await autosaveNow()
    await page.waitForTimeout(300)
    expect(existsSync(join(project, 'masks', String(valId), 'v4.png'))).toBe(false)

    // runs scored on v1 and on the restored v3 are comparable; the one on the machine's v2 is not
    const sets = await runSets()
    const [a, b, c] = [sets.get(runIds.a)!, sets.get(runIds.b)!, sets.get(runIds.c)!]
    expect(a.maskSet).not.toBeNull()
    expect(b.maskSet).toBe(a.maskSet)
    expect(comparableRuns(a, b)).toBe(true)
    expect(comparableRuns(a, c)).toBe(false)
    expect(session.pageErrors).toEqual([])
  }, 180_000)

  it('undo after an autosave of a hand edit restores the stored mask too', async () => {
    const before = await pageLabels()
    await page.keyboard.press('b')
    await page.keyboard.press('7')
    const p0 = await annotatorPoint(page, 40, 40)
    const p1 = await annotatorPoint(page, 300, 60)
    await page.mouse.move(p0.x, p0.y)
    await page.mouse.down()
    await page.mouse.move(p1.x, p1.y, { steps: 6 })
    await page.mouse.up()
    expect(await attr('data-dirty')).toBe('true')
    await autosaveNow()
    await expect.poll(() => attr('data-version')).toBe('4')
    const v4 = page.locator(`${tid('mask-versions')} li[data-version="4"]`)
    expect(await v4.getAttribute('data-author')).toBe('human')
    expect(await v4.textContent()).toMatch(/by hand · [1-9]\d* px by hand/)
    expect(same(stored(4), await pageLabels())).toBe(true)
    expect(same(stored(4), before)).toBe(false)

    await page.keyboard.press('Control+z')
    await expect.poll(() => attr('data-version')).toBe('5')
    expect(same(await pageLabels(), before)).toBe(true)
    expect(same(stored(5), before)).toBe(true)
    // a copy of a copy names the first origin, not a nest of copies
    expect(await page.locator(`${tid('mask-versions')} li[data-version="5"]`).textContent()).toContain(
      'undo back to version 3 (PIS id1/',
    )
    // redo brings the autosaved stroke back as the stored mask as well
    await page.keyboard.press('Control+Shift+z')
    await expect.poll(() => attr('data-version')).toBe('6')
    expect(same(stored(6), stored(4))).toBe(true)
    expect(session.pageErrors).toEqual([])
  }, 120_000)

  it('Restore asks first and restores exactly the version it names', async () => {
    const msg = await answering('dismiss', () => page.locator(tid('restore-2')).click())
    expect(msg).toContain('Restore v2')
    await page.waitForTimeout(300)
    expect(await attr('data-version')).toBe('6')

    const yes = await answering('accept', () => page.locator(tid('restore-1')).click())
    expect(yes).toContain('Restore v1')
    await ready(valId)
    await expect.poll(() => attr('data-version')).toBe('7')
    expect(same(stored(7), stored(1))).toBe(true)
    expect(same(await pageLabels(), stored(1))).toBe(true)
    const v7 = page.locator(`${tid('mask-versions')} li[data-version="7"]`)
    expect(await v7.textContent()).toContain('restored from version 1 (PIS')
    // the restored original is still ground truth: locked again
    expect(await attr('data-locked')).toBe('true')
    expect(session.pageErrors).toEqual([])
  }, 120_000)

  it('reaches every class from the keyboard; shortcuts stay out of the class search; Esc returns to the canvas', async () => {
    await page.locator(tid('annotate-canvas')).focus()
    for (let d = 0; d <= 9; d++) {
      await page.keyboard.press(`Digit${d}`)
      expect(await attr('data-class')).toBe(String(d))
      await page.keyboard.press(`Shift+Digit${d}`)
      expect(await attr('data-class')).toBe(String(10 + d))
    }
    const toolBefore = await attr('data-tool')
    const overlayBefore = await page.locator(tid('overlay-toggle')).isChecked()
    // C opens the search; "bottle" holds b, t, l, e — brush, overlay, labels-only, eraser — and none fires
    await page.keyboard.press('c')
    expect(await focusedTestId()).toBe('class-search')
    await page.keyboard.type('bottle')
    expect(await page.inputValue(tid('class-search'))).toBe('bottle')
    expect(await attr('data-tool')).toBe(toolBefore)
    expect(await page.locator(tid('overlay-toggle')).isChecked()).toBe(overlayBefore)
    await page.keyboard.press('Enter')
    expect(await attr('data-class')).toBe('5')
    expect(await focusedTestId()).toBe('annotate-canvas')
    for (const [query, id] of [
      ['tv', 20],
      ['pers', 15],
      ['ign', 255],
      ['bo', 4],
    ] as const) {
      await page.keyboard.press('c')
      await page.keyboard.type(query)
      await page.keyboard.press('Enter')
      expect(await attr('data-class'), query).toBe(String(id))
    }
    // ↓ moves the pick: "bo" lists boat, bottle
    await page.keyboard.press('c')
    await page.keyboard.type('bo')
    await page.keyboard.press('ArrowDown')
    await page.keyboard.press('Enter')
    expect(await attr('data-class')).toBe('5')

    // Esc from any field: the search (cleared), a number field, a select — focus is back on the canvas, the view stays
    for (const field of ['class-search', 'brush-mode', 'nav-order']) {
      await page.locator(tid(field)).focus()
      if (field === 'class-search') await page.keyboard.type('dog')
      await page.keyboard.press('Escape')
      expect(await focusedTestId(), field).toBe('annotate-canvas')
      expect(await attr('data-image-id')).toBe(String(valId))
    }
    expect(await page.inputValue(tid('class-search'))).toBe('')
    await page.keyboard.press('3')
    expect(await attr('data-class')).toBe('3')

    // the help sheet shows the new keys
    await page.keyboard.press('?')
    const sheet = await page.locator(tid('shortcut-sheet')).textContent()
    expect(sheet).toContain('Pick a class by name')
    expect(sheet).toContain('Classes 10–19')
    await page.screenshot({ path: join(SHOTS, 'annotate-shortcuts.png') })
    await page.keyboard.press('Escape')
    expect(session.pageErrors).toEqual([])
  }, 120_000)
})
