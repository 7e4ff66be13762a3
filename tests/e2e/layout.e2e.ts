/**
 * Layout that fits, in real Chromium (browser mode) on the tiny demo project with a finished No-DA run and
 * a clustering: at 1280×800, 1440×900 and 1920×1080 every screen (start, grid, clusters, editor with each
 * tool, runs with each method, compare, results) has no sideways page scroll, and each primary action is
 * really on screen — inside the viewport, not clipped by a scrolling toolbar, not covered, labels not cut.
 * Then the jobs drawer: closed during a run it stays closed (job events, a reload), and it never covers
 * the editor's shortcut sheet. And leaving the editor with unsaved edits asks first.
 *
 * Needs a build (`npx electron-vite build`) and /usr/bin/chromium. Screenshots:
 * test-results/screenshots/layout-<screen>-<width>.png.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { MaskVersion } from '../../src/shared/annotation'
import type { Album, ImagePage, JobRecord } from '../../src/shared/domain'
import type { RunDetail, StartedRun } from '../../src/shared/runs'
import { callApi, openBrowser, tid, type BrowserSession } from './helpers/browser-session'
import { cli, serve, type Served } from './helpers/serve'
import { makePhotoFolder } from './helpers/fixtures'
import { screenFit } from './helpers/on-screen'

const RESULTS = resolve('test-results/layout-e2e')
const SHOTS = resolve('test-results/screenshots')
const SIZES = [
  { width: 1280, height: 800 },
  { width: 1440, height: 900 },
  { width: 1920, height: 1080 },
] as const
const SIZE = 32

let tmp: string
let server: Served
let session: BrowserSession
let page: Page
let album: Album
let imageId: number

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

const jobEnded = (j: JobRecord | undefined): boolean =>
  j !== undefined && j.status !== 'queued' && j.status !== 'running'

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'pss-e2e-layout-'))
  const env = {
    ...process.env,
    PSS_STUDIO_HOME: join(tmp, 'home'),
    PSS_DEMO_PRESET: 'tiny',
    PSS_BACKEND: 'wasm',
  }
  mkdirSync(RESULTS, { recursive: true })
  mkdirSync(SHOTS, { recursive: true })
  const dir = join(tmp, 'demo')
  await cli(['demo-project', '--dir', dir], env)
  const info = JSON.parse(await cli(['info', '--project', dir, '--json'], env)) as { albums: Album[] }
  album = info.albums.find((a) => a.validationMaskedCount > 0)!
  server = await serve(['--project', dir], env)
  // Screens with content: a clustering (clusters view) and a finished run (runs, compare, results).
  const clustered = await api<{ jobId: number }>('clusterAlbum', { albumId: album.id })
  const run = await api<StartedRun>('startRun', {
    albumId: album.id,
    method: 'noda',
    iterations: 20,
    size: SIZE,
  })
  await waitFor(
    'clustering',
    async () => (await api<JobRecord[]>('listJobs', { limit: 50 })).find((j) => j.id === clustered.jobId),
    jobEnded,
    120_000,
  )
  const done = await waitFor(
    'the No-DA run',
    () => api<RunDetail>('getRun', { runId: run.runId }),
    (r) => r.status !== 'queued' && r.status !== 'running',
    240_000,
  )
  if (done.status !== 'done') throw new Error(`run ${run.runId} ended ${done.status}: ${done.error}`)
  imageId = (await api<ImagePage>('listImages', { albumId: album.id, limit: 1 })).items[0]!.id
  session = await openBrowser({ resultsDir: RESULTS, viewport: SIZES[1] })
  page = session.page
  page.on('dialog', (d) => void d.dismiss())
}, 600_000)

afterEach(async (ctx) => {
  await session?.recordFailure(ctx.task, server)
})

afterAll(async () => {
  await session?.close()
  await server?.stop()
  if (tmp) rmSync(tmp, { recursive: true, force: true })
})

async function expectFits(
  screen: string,
  size: { width: number; height: number },
  selectors: string[],
): Promise<void> {
  const f = await screenFit(page, selectors)
  const where = `${screen} at ${size.width}×${size.height}`
  // Soft: one run lists every screen and size that does not fit.
  expect.soft(f.scrollWidth, `${where}: the page scrolls sideways`).toBeLessThanOrEqual(f.innerWidth)
  expect.soft(f.problems, `${where}: primary actions not on screen`).toEqual([])
}

async function shot(screen: string, size: { width: number }): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `layout-${screen}-${size.width}.png`) })
}

async function clean(): Promise<void> {
  for (const b of await page.locator(tid('toast-dismiss')).all())
    await b.click({ timeout: 1000 }).catch(() => {})
  if (
    await page
      .locator(tid('jobs-panel'))
      .isVisible()
      .catch(() => false)
  )
    await page.click(tid('jobs-close'))
}

async function goto(hash: string, ready: string): Promise<void> {
  await page.evaluate(
    (h) => ((globalThis as unknown as { location: { hash: string } }).location.hash = h),
    hash,
  )
  await page.waitForSelector(ready, { timeout: 60_000 })
  await clean()
}

/** The top bar's actions, on every project screen. */
const TOPBAR = [
  'project-name',
  'open-results',
  'import-folder',
  'import-pis',
  'import-voc',
  'jobs-toggle',
  'close-project',
].map(tid)

describe('layout at 1280×800, 1440×900 and 1920×1080', () => {
  it('grid, clusters, runs, compare and results show every primary action without sideways scroll', async () => {
    await page.goto(server.url)
    await page.waitForSelector(`${tid('project-view')}[data-state="ready"]`)
    const a = `#/album/${album.id}`
    const screens: {
      name: string
      hash: string
      ready: string
      primary: string[]
      each?: () => AsyncGenerator<string>
    }[] = [
      {
        name: 'grid',
        hash: a,
        ready: `${tid('album-grid')}[data-state="ready"]`,
        primary: [...TOPBAR, tid('tab-runs'), tid('grid-search'), tid('grid-sort'), tid('thumb-size-L')],
      },
      {
        name: 'clusters',
        hash: `${a}/clusters`,
        ready: `${tid('clusters-view')}[data-state="ready"]`,
        primary: [
          ...TOPBAR,
          tid('cluster-album'),
          tid('cluster-k'),
          tid('embed-method'),
          tid('embed-features'),
          tid('embed-compute'),
          tid('map-queue'),
          tid('map-show-in-grid'),
        ],
      },
      {
        name: 'runs',
        hash: `${a}/runs`,
        ready: `${tid('runs-view')}[data-state="ready"] ${tid('run-detail')}`,
        primary: [
          ...TOPBAR,
          tid('run-method'),
          tid('run-iterations'),
          tid('run-start'),
          tid('run-delete'),
          tid('copy-markdown'),
        ],
        // Every method: "Personalize", "Run SegSort" (with its wide bank menu), …
        async *each() {
          const methods = await page
            .locator(`${tid('run-method')} option`)
            .evaluateAll((os) => os.map((o) => (o as unknown as { value: string }).value))
          expect(methods).toContain('pss')
          expect(methods).toContain('segsort')
          for (const m of methods) {
            await page.selectOption(tid('run-method'), m)
            yield m
          }
          await page.selectOption(tid('run-method'), 'noda')
        },
      },
      {
        name: 'compare',
        hash: `${a}/compare`,
        ready: tid('compare-export'),
        primary: [...TOPBAR, tid('compare-export')],
      },
      {
        name: 'results',
        hash: '#/results',
        ready: `${tid('results-view')}[data-state="ready"]`,
        primary: [...TOPBAR, tid('results-copy-markdown'), tid('results-copy-csv')],
      },
    ]
    for (const s of screens) {
      await goto(s.hash, s.ready)
      for (const size of SIZES) {
        await page.setViewportSize(size)
        await shot(s.name, size)
        if (s.each) {
          for await (const variant of s.each()) await expectFits(`${s.name} (${variant})`, size, s.primary)
        } else await expectFits(s.name, size, s.primary)
      }
    }
    expect(session.pageErrors).toEqual([])
  }, 300_000)

  it('the editor shows Save, "?" and the file name, and its sliders with their labels, for every tool', async () => {
    await goto(`#/album/${album.id}/annotate/${imageId}`, `${tid('annotate-view')}[data-state="ready"]`)
    const tools = await page
      .locator('[data-testid^="tool-"]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')!))
    expect(tools).toContain('tool-brush')
    expect(tools).toContain('tool-superpixel')
    const sliders: Record<string, string> = {
      'tool-brush': 'brush-size',
      'tool-eraser': 'brush-size',
      'tool-wand': 'wand-tolerance',
      'tool-superpixel': 'superpixel-size',
    }
    for (const size of SIZES) {
      await page.setViewportSize(size)
      for (const t of tools) {
        if (!(await page.locator(tid(t)).isVisible())) continue // a proposal tool shows only with a proposal
        await page.click(tid(t))
        const primary = [
          ...TOPBAR,
          tid('annotate-back'),
          tid('annotate-name'),
          tid('annotate-undo'),
          tid('annotate-save'),
          tid('annotate-help'),
          tid('brush-mode'),
          tid(t),
        ]
        const slider = sliders[t]
        // The slider's whole label ("Size", the range, the value) must show.
        if (slider) primary.push(`label:has(> ${tid(slider)})`, tid(slider))
        await expectFits(`editor (${t})`, size, primary)
      }
      // A file name squeezed to nothing says nothing: it keeps a readable width.
      const nameWidth = await page
        .locator(tid('annotate-name'))
        .evaluate((el) => el.getBoundingClientRect().width)
      expect(nameWidth).toBeGreaterThanOrEqual(60)
      await page.click(tid('tool-brush'))
      await shot('editor', size)
    }
    expect(session.pageErrors).toEqual([])
  }, 180_000)
})

describe('jobs drawer and unsaved edits', () => {
  it('docked open on the right or at the bottom, leaves every primary action on screen at 1280×800', async () => {
    await page.setViewportSize(SIZES[0])
    await page.goto(server.url)
    await page.waitForSelector(`${tid('project-view')}[data-state="ready"]`)
    const a = `#/album/${album.id}`
    const screens = [
      {
        name: 'runs',
        hash: `${a}/runs`,
        ready: `${tid('runs-view')}[data-state="ready"]`,
        primary: [...TOPBAR, tid('run-method'), tid('run-start')],
      },
      {
        name: 'compare',
        hash: `${a}/compare`,
        ready: tid('compare-export'),
        primary: [...TOPBAR, tid('compare-export')],
      },
      {
        name: 'clusters',
        hash: `${a}/clusters`,
        ready: `${tid('clusters-view')}[data-state="ready"]`,
        primary: [...TOPBAR, tid('cluster-album'), tid('embed-compute')],
      },
    ]
    for (const dock of ['right', 'bottom'] as const) {
      for (const s of screens) {
        await goto(s.hash, s.ready) // closes the drawer
        await page.click(tid('jobs-toggle'))
        await page.waitForSelector(tid('jobs-panel'))
        if ((await page.locator(tid('jobs-panel')).getAttribute('data-dock')) !== dock)
          await page.click(tid('jobs-dock'))
        await page.waitForSelector(`${tid('jobs-panel')}[data-dock="${dock}"]`)
        await expectFits(`${s.name} with the drawer docked ${dock}`, SIZES[0], [
          ...s.primary,
          tid('jobs-close'),
          tid('jobs-dock'),
        ])
        await shot(`${s.name}-drawer-${dock}`, SIZES[0])
      }
    }
    await page.click(tid('jobs-dock')) // back to the default side for the next tests
    await page.waitForSelector(`${tid('jobs-panel')}[data-dock="right"]`)
    await page.click(tid('jobs-close'))
    expect(session.pageErrors).toEqual([])
  }, 120_000)

  it('closes while a run is running and stays closed through its progress and a reload', async () => {
    await page.setViewportSize(SIZES[1])
    await goto(`#/album/${album.id}/runs`, `${tid('runs-view')}[data-state="ready"]`)
    await page.fill(tid('run-iterations'), '400')
    await page.fill(tid('run-size'), String(SIZE))
    await page.click(tid('run-start'))
    await page.waitForSelector(`${tid('run-progress')} ${tid('run-counter')}`, { timeout: 120_000 })
    // The user opens the drawer, then closes it with ✕ while the run goes on.
    if (!(await page.locator(tid('jobs-panel')).isVisible())) await page.click(tid('jobs-toggle'))
    await page.waitForSelector(`${tid('jobs-panel')}[data-active="1"]`)
    await page.click(tid('jobs-close'))
    await page.waitForSelector(tid('jobs-panel'), { state: 'detached' })
    const counter = async () =>
      Number(((await page.locator(tid('run-counter')).textContent()) ?? '0').split('/')[0])
    const before = await counter()
    await expect.poll(counter, { timeout: 60_000 }).toBeGreaterThan(before + 2)
    expect(await page.locator(tid('jobs-panel')).count()).toBe(0)
    await page.reload()
    await page.waitForSelector(`${tid('runs-view')}[data-state="ready"] ${tid('run-progress')}`)
    const after = await counter()
    await expect.poll(counter, { timeout: 60_000 }).toBeGreaterThan(after)
    expect(await page.locator(tid('jobs-panel')).count()).toBe(0)
    expect(await page.locator(tid('jobs-toggle')).getAttribute('class')).not.toContain('on')
    await page.click(tid('run-cancel'))
    await page.waitForSelector(`${tid('run-detail')}[data-status="cancelled"]`, { timeout: 60_000 })
    expect(session.pageErrors).toEqual([])
  }, 240_000)

  it('docks right or bottom (remembered), never covers the shortcut sheet or a dialog; leaving the editor with unsaved edits asks first', async () => {
    await goto(`#/album/${album.id}/annotate/${imageId}`, `${tid('annotate-view')}[data-state="ready"]`)
    await page.click(tid('jobs-toggle'))
    await page.waitForSelector(tid('jobs-panel'))
    await page.click(tid('annotate-help'))
    await page.waitForSelector(tid('shortcut-sheet'))
    // Docked on the right (the default) and then at the bottom, the drawer sits beside the editor: the
    // sheet is whole and on top, and the drawer's box never overlaps it.
    for (const dock of ['right', 'bottom']) {
      await page.waitForSelector(`${tid('jobs-panel')}[data-dock="${dock}"]`)
      const sheet = await screenFit(page, [tid('shortcut-sheet')])
      expect(sheet.problems, `the shortcut sheet with the drawer docked ${dock}`).toEqual([])
      const [d, h] = [
        (await page.locator(tid('jobs-panel')).boundingBox())!,
        (await page.locator(tid('shortcut-sheet')).boundingBox())!,
      ]
      const overlap =
        Math.max(0, Math.min(d.x + d.width, h.x + h.width) - Math.max(d.x, h.x)) *
        Math.max(0, Math.min(d.y + d.height, h.y + h.height) - Math.max(d.y, h.y))
      expect(overlap, `drawer docked ${dock} overlaps the sheet`).toBe(0)
      if (dock === 'right') await page.click(tid('jobs-dock'))
    }
    await page.click(tid('shortcut-sheet'), { position: { x: 5, y: 5 } })
    // The dock side is remembered across a reload, with the drawer's open state.
    await page.reload()
    await page.waitForSelector(`${tid('annotate-view')}[data-state="ready"]`)
    await page.waitForSelector(`${tid('jobs-panel')}[data-dock="bottom"]`)
    // A modal dialog is drawn over the docked drawer.
    await page.click(tid('import-folder'))
    await page.waitForSelector(tid('import-dialog-folder'))
    const covered = await screenFit(page, [tid('jobs-panel')])
    expect(covered.problems.join('\n'), 'the jobs drawer is drawn over a modal dialog').toMatch(
      /jobs-panel.*covered by/,
    )
    await page.click(tid('import-cancel'))
    await page.click(tid('jobs-dock'))
    await page.waitForSelector(`${tid('jobs-panel')}[data-dock="right"]`)
    await page.click(tid('jobs-close'))

    // Paint a stroke: the edit is unsaved.
    const box = (await page.locator(tid('annotate-canvas')).boundingBox())!
    await page.click(tid('tool-brush'))
    await page.mouse.move(box.x + box.width / 2 - 20, box.y + box.height / 2)
    await page.mouse.down()
    await page.mouse.move(box.x + box.width / 2 + 20, box.y + box.height / 2, { steps: 5 })
    await page.mouse.up()
    await expect.poll(() => page.locator(tid('annotate-view')).getAttribute('data-dirty')).toBe('true')
    const version = await page.locator(tid('annotate-view')).getAttribute('data-version')

    // Cancel: the user stays in the editor with the edit.
    const questions: string[] = []
    page.removeAllListeners('dialog')
    page.on('dialog', (d) => {
      questions.push(d.message())
      void (questions.length === 1 ? d.dismiss() : d.accept())
    })
    await page.click(tid('open-results'))
    await expect.poll(() => questions.length).toBe(1)
    expect(questions[0]).toContain('unsaved edits')
    expect(await page.locator(tid('annotate-view')).getAttribute('data-dirty')).toBe('true')
    expect(page.url()).toContain(`/annotate/${imageId}`)
    // OK: the edit is saved as a new version, then the results open.
    await page.click(tid('open-results'))
    await page.waitForSelector(tid('results-view'))
    expect(questions).toHaveLength(2)
    const versions = await api<MaskVersion[]>('listMaskVersions', { imageId })
    expect(Math.max(...versions.map((v) => v.version))).toBeGreaterThan(Number(version || 0))
    page.removeAllListeners('dialog')
    page.on('dialog', (d) => void d.dismiss())
    expect(session.pageErrors).toEqual([])
  }, 120_000)
})

describe('clusters: one numbering everywhere, and "Cluster album" in the Clusters view', () => {
  it('clusters an album from its Clusters view; the card, the grid chip and the viewer name the same cluster', async () => {
    await page.setViewportSize(SIZES[1])
    // A folder of photos imported as an album has no clustering yet (PIS albums bring theirs).
    const photos = await makePhotoFolder(join(tmp, 'loose'), 24)
    const imported = await api<{ jobId: number }>('importFolder', {
      dir: photos.dir,
      albumName: 'Loose photos',
      copy: true,
      recursive: false,
    })
    await waitFor(
      'the import',
      async () => (await api<JobRecord[]>('listJobs', { limit: 50 })).find((j) => j.id === imported.jobId),
      jobEnded,
      120_000,
    )
    const other = (await api<Album[]>('listAlbums', {})).find((x) => x.name === 'Loose photos')!
    expect(other.imageCount).toBe(photos.good.length)
    await goto(`#/album/${other.id}/clusters`, `${tid('clusters-view')}[data-state="ready"]`)
    await page.waitForSelector(tid('clustering-none'))
    expect((await page.locator(tid('cluster-album')).textContent())?.trim()).toBe('Cluster album')
    await page.click(tid('cluster-album'))
    await page.waitForSelector(tid('clustering-name'), { timeout: 120_000 })
    const cards = page.locator(tid('cluster-card'))
    await expect.poll(() => cards.count()).toBeGreaterThan(1)
    // Stored cluster c is shown as "Cluster c+1" on its card.
    for (const card of await cards.all()) {
      const c = Number(await card.getAttribute('data-cluster'))
      expect(await card.locator('.name').textContent()).toBe(`Cluster ${c + 1}`)
    }
    const stored = (await api<ImagePage>('listImages', { albumId: other.id, limit: 200 })).items.find(
      (i) => i.cluster !== null,
    )!
    const card = page.locator(`${tid('cluster-card')}[data-cluster="${stored.cluster}"]`)
    const label = (await card.locator('.name').textContent())!
    // The same name on the grid's chip…
    await card.click()
    await page.waitForSelector(`${tid('insight-chip-cluster')}[data-cluster="${stored.cluster}"]`)
    expect(await page.locator(tid('insight-chip-cluster')).textContent()).toContain(label)
    // …and in the viewer's image info.
    await goto(`#/album/${other.id}/image/${stored.id}`, tid('info-cluster'))
    expect(`Cluster ${(await page.locator(tid('info-cluster')).textContent())?.trim()}`).toBe(label)
    expect(session.pageErrors).toEqual([])
  }, 180_000)
})

describe('layout of the start page', () => {
  // Last: closing the project ends the other screens.
  it('fits at the three sizes', async () => {
    await page.click(tid('close-project'))
    await page.waitForSelector(tid('start-view'))
    for (const size of SIZES) {
      await page.setViewportSize(size)
      await shot('start', size)
      await expectFits('start', size, [tid('create-submit'), tid('open-submit'), tid('create-name')])
    }
    expect(session.pageErrors).toEqual([])
  }, 60_000)
})
