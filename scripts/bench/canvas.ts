/**
 * `npm run bench:canvas [-- --json] [-- --keep]`
 *
 * The annotation editor's costs on a 4032×3024 photo, measured inside the page in real Chromium (browser
 * mode, headless, software rendering: --disable-gpu) on a real project:
 *   - brush: per pointer event of a stroke (real mouse events through Playwright), the time from the event
 *     reaching the page (a window capture listener, before the editor's) to the end of the editor's
 *     handler plus a synchronous draw of the label layer (a bubbling window listener, after the editor's).
 *     The app draws once per frame however many events a frame has, so this counts at least one full
 *     redraw per event; p95 over all events. Brush radius 40 image pixels.
 *   - save: Ctrl+S to the page showing the new version (MutationObserver on data-version): encode the
 *     palette PNG in the page, send it, the server validates, re-encodes and writes it atomically with
 *     its row. Median of 5 saves (each after a brush stroke).
 *   - undo of a full-image flood fill: the magic wand on a uniform photo fills all 12.2 M pixels (one
 *     undo step); Ctrl+Z keydown to the end of the handler plus a synchronous label-layer draw. Median of
 *     5 (a redo between them).
 *   - click mask (model-assisted, issue 16 item 5): the project is the tiny demo project with a No-DA
 *     run (6 iterations, 32 px — the bench measures the editor, not the model); a second 4032×3024 photo,
 *     a demo album photo with objects scaled up, is in the bench album, which has no run, so the source
 *     model answers. `clickMaskForwardMs`: the one-time forward pass (the API call that computes and caches
 *     the image's top-2 map, engine worker). `clickMaskFirstMs`: the first click in the page, from the
 *     click to the mask on the canvas (the cached map's transfer and decode, the SLIC superpixels of the
 *     12-megapixel photo, the region). `clickMaskMs`: p50/p95 of 10 further clicks on the object the
 *     model predicts (an undo between them) as the tool times them — pointer release to the region
 *     painted and redrawn (upsample, superpixel snap, connected part, paint, undo patch).
 *     `clickMaskLargeMs`: the same for 5 clicks on the background, whose region is most of the photo
 *     (the costliest click), with its pixel count.
 * Needs a build (`npx electron-vite build`) and /usr/bin/chromium. `--json` prints
 * {brushP95Ms, saveMs, undoFloodMs, clickMaskMs, clickMaskLargeMs, clickMaskFirstMs, clickMaskForwardMs}
 * as the last line.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import sharp from 'sharp'
import { ensureDemoProject } from '../../src/main/app/demo-project'
import { Studio } from '../../src/main/app/studio'
import type { ClickMaskMapReady } from '../../src/shared/click-mask'
import { launchChromium, serveProject } from './browser-mode'

const W = 4032
const H = 3024

interface Options {
  json: boolean
  keep: boolean
  /** Print the page's top self-time functions (CDP CPU profile) during the saves and undos. */
  profile: boolean
}

function parseOptions(argv: string[]): Options {
  const o: Options = { json: false, keep: false, profile: false }
  for (const a of argv) {
    if (a === '--json') o.json = true
    else if (a === '--keep') o.keep = true
    else if (a === '--profile') o.profile = true
    else throw new Error(`unknown option ${a}; allowed: --json, --keep, --profile`)
  }
  return o
}

const round = (v: number): number => Math.round(v * 100) / 100
function percentile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b)
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))]! : NaN
}

/** Page-side timers as strings (tsx would wrap inner functions in a helper the page lacks). */
const INSTALL = `(() => {
  const hook = window.__pssAnnotator
  window.__bench = { t0: 0, samples: [], on: null }
  const b = window.__bench
  const host = document.querySelector('[data-testid="annotate-canvas"]')
  window.addEventListener('pointermove', () => { if (b.on === 'brush') b.t0 = performance.now() }, true)
  host.addEventListener('pointermove', () => {}, false)
  window.addEventListener('pointermove', () => {
    if (b.on !== 'brush') return
    hook.drawNow()
    b.samples.push(performance.now() - b.t0)
  }, false)
  window.addEventListener('keydown', () => { if (b.on === 'undo') b.t0 = performance.now() }, true)
  window.addEventListener('keydown', (e) => {
    if (b.on !== 'undo' || !(e.ctrlKey && e.key.toLowerCase() === 'z' && !e.shiftKey)) return
    hook.drawNow()
    b.samples.push(performance.now() - b.t0)
  }, false)
})()`

async function screenPoint(page: Page, x: number, y: number): Promise<{ x: number; y: number }> {
  const v = (await page.evaluate('window.__pssAnnotator.view()')) as { scale: number; x: number; y: number }
  const box = (await page.locator('[data-testid="annotate-canvas"]').boundingBox())!
  return { x: box.x + v.x + (x + 0.5) * v.scale, y: box.y + v.y + (y + 0.5) * v.scale }
}

async function stroke(
  page: Page,
  from: [number, number],
  to: [number, number],
  steps: number,
): Promise<void> {
  const a = await screenPoint(page, ...from)
  const b = await screenPoint(page, ...to)
  await page.mouse.move(a.x, a.y)
  await page.mouse.down()
  await page.mouse.move(b.x, b.y, { steps })
  await page.mouse.up()
}

interface CpuProfile {
  nodes: {
    id: number
    callFrame: { functionName: string; url: string; lineNumber: number }
    hitCount?: number
  }[]
  samples: number[]
  timeDeltas: number[]
}

/** Self time per function of a CDP CPU profile, biggest first. */
function topSelf(p: CpuProfile, n: number): string[] {
  const byNode = new Map<number, number>()
  p.samples.forEach((id, i) => byNode.set(id, (byNode.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)))
  const byName = new Map<string, number>()
  for (const node of p.nodes) {
    const t = byNode.get(node.id) ?? 0
    const f = node.callFrame
    const name = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop() ?? ''}:${f.lineNumber + 1}`
    byName.set(name, (byName.get(name) ?? 0) + t)
  }
  return [...byName]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, us]) => `${(us / 1000).toFixed(1).padStart(8)} ms  ${k}`)
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2))
  const log = (s: string): void => (opts.json ? console.error(s) : console.log(s))
  const root = new URL('../..', import.meta.url).pathname
  const cliJs = join(root, 'out', 'main', 'cli.js')
  if (!existsSync(cliJs)) throw new Error('no build: run `npx electron-vite build` first')
  const work = mkdtempSync(join(tmpdir(), 'pss-bench-canvas-'))
  const projectDir = join(work, 'project')
  const photos = join(work, 'photos')
  mkdirSync(photos)
  // A uniform photo: the magic wand then fills every pixel (the "full-image flood fill").
  await sharp({ create: { width: W, height: H, channels: 3, background: { r: 96, g: 128, b: 160 } } })
    .jpeg({ quality: 90 })
    .toFile(join(photos, 'IMG_4032x3024.jpg'))
  const env = {
    ...process.env,
    PSS_STUDIO_HOME: join(work, 'home'),
    PSS_BACKEND: process.env.PSS_BACKEND ?? 'wasm',
  }
  process.env.PSS_BACKEND = env.PSS_BACKEND
  const studio = new Studio({ mode: 'cli', homeDir: join(work, 'home') })
  let albumId = 0
  let imageId = 0
  let sceneId = 0
  try {
    // The tiny demo project: a source dataset to train the click-mask model on, and photos with objects.
    log('creating the tiny demo project and a No-DA run for the click mask…')
    await ensureDemoProject(projectDir, { preset: 'tiny' })
    await studio.openProjectPath(projectDir)
    const demoAlbum = (await studio.api.listAlbums({})).find((a) => a.validationMaskedCount > 0)!
    const scene = (
      await studio.api.listImages({ albumId: demoAlbum.id, offset: 0, limit: 1, filter: 'masked' })
    ).items[0]!
    const project = studio.currentProject()
    await sharp(project.originalPath(project.images.row(scene.id)))
      .resize(W, H, { fit: 'fill' })
      .jpeg({ quality: 90 })
      .toFile(join(photos, 'SCENE_4032x3024.jpg'))
    const run = await studio.api.startRun({ albumId: demoAlbum.id, method: 'noda', iterations: 6, size: 32 })
    const ran = await studio.currentJobs().settled(run.jobId)
    if (ran.status !== 'done') throw new Error(`the No-DA run ${ran.status}: ${ran.error ?? ''}`)
    const { jobId } = await studio.api.importFolder({ dir: photos, albumName: 'bench-canvas', copy: true })
    const job = await studio.currentJobs().settled(jobId)
    if (job.status !== 'done') throw new Error(`import ${job.status}: ${job.error ?? ''}`)
    const album = (await studio.api.listAlbums({})).find((a) => a.name === 'bench-canvas')!
    albumId = album.id
    const items = (await studio.api.listImages({ albumId, offset: 0, limit: 2 })).items
    imageId = items.find((i) => i.name.startsWith('IMG_'))!.id
    sceneId = items.find((i) => i.name.startsWith('SCENE_'))!.id
  } finally {
    await studio.close()
  }

  const { url, child } = await serveProject(cliJs, projectDir, env)
  const browser = await launchChromium()
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 })
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(url)
    await page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 })
    await page.evaluate(`location.hash = '#/album/${albumId}/annotate/${imageId}'`)
    await page.waitForSelector(
      `[data-testid="annotate-view"][data-state="ready"][data-image-id="${imageId}"]`,
      { timeout: 120_000 },
    )
    const size = (await page.evaluate('window.__pssAnnotator.size()')) as { width: number; height: number }
    if (size.width !== W || size.height !== H)
      throw new Error(`the editor shows ${size.width}×${size.height}, expected ${W}×${H}`)
    await page.evaluate(INSTALL)
    const view = page.locator('[data-testid="annotate-view"]')
    const undoDepth = async (): Promise<number> => Number(await view.getAttribute('data-undo'))

    // 1. Brush strokes.
    await page.keyboard.press('7')
    await page.keyboard.press('b')
    await page.locator('[data-testid="brush-size"]').fill('40')
    await page.waitForTimeout(300)
    await page.evaluate(`window.__bench.on = 'brush'`)
    for (let i = 0; i < 6; i++) await stroke(page, [300 + i * 500, 300], [800 + i * 450, 2700 - i * 200], 60)
    const brush = (await page.evaluate(
      `(() => { window.__bench.on = null; const s = window.__bench.samples; window.__bench.samples = []; return s })()`,
    )) as number[]
    log(
      `brush: ${brush.length} pointer events, p50 ${round(percentile(brush, 0.5))} ms, p95 ${round(percentile(brush, 0.95))} ms, max ${round(Math.max(...brush))} ms`,
    )

    const cdp = opts.profile ? await page.context().newCDPSession(page) : null
    if (cdp) {
      await cdp.send('Profiler.enable')
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 })
    }
    const profiled = async (what: string, f: () => Promise<void>): Promise<void> => {
      if (!cdp) return f()
      await cdp.send('Profiler.start')
      await f()
      const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: CpuProfile }
      log(`page CPU profile (${what}), self time:\n${topSelf(profile, 14).join('\n')}`)
    }

    // 2. Saves (each after one more stroke, so there is something to save).
    const saves: number[] = []
    for (let i = 0; i < 5; i++) {
      await stroke(page, [200 + i * 700, 2900], [600 + i * 700, 2500], 10)
      const before = await view.getAttribute('data-version')
      const ms = page.evaluate<number>(`new Promise((done) => {
        const el = document.querySelector('[data-testid="annotate-view"]')
        const before = el.dataset.version
        let t0 = 0
        const onKey = () => { t0 = performance.now(); window.removeEventListener('keydown', onKey, true) }
        window.addEventListener('keydown', onKey, true)
        const obs = new MutationObserver(() => {
          if (el.dataset.version !== before && el.dataset.state === 'ready') { obs.disconnect(); done(performance.now() - t0) }
        })
        obs.observe(el, { attributes: true })
      })`)
      await page.waitForTimeout(50)
      await profiled(`save ${i + 1}`, async () => {
        await page.keyboard.press('Control+s')
        saves.push(await ms)
      })
      if ((await view.getAttribute('data-version')) === before)
        throw new Error('the save did not make a new version')
    }
    log(`save: ${saves.map(round).join(', ')} ms (median ${round(percentile(saves, 0.5))})`)

    // 3. Undo of a full-image flood fill.
    await page.locator('[data-testid="class-3"]').click()
    await page.locator('[data-testid="tool-wand"]').click()
    await page.locator('[data-testid="annotate-canvas"]').focus()
    const depth = await undoDepth()
    const centre = await screenPoint(page, W / 2, H / 2)
    await page.mouse.click(centre.x, centre.y)
    for (let t = 0; (await undoDepth()) === depth; t++) {
      if (t > 600) throw new Error('the flood fill did not finish in 60 s')
      await page.waitForTimeout(100)
    }
    const filled = (await page.evaluate(
      `(() => { const b = atob(window.__pssAnnotator.labels()); let n = 0; for (let i = 0; i < b.length; i++) if (b.charCodeAt(i) === 3) n++; return n })()`,
    )) as number
    if (filled !== W * H) throw new Error(`the flood fill covered ${filled} of ${W * H} pixels`)
    await page.evaluate(`window.__bench.on = 'undo'`)
    for (let i = 0; i < 5; i++) {
      await profiled(`undo ${i + 1}`, async () => {
        await page.keyboard.press('Control+z')
        await page.waitForTimeout(100)
      })
      await page.evaluate(`window.__bench.on = null`)
      await page.keyboard.press('Control+Shift+z')
      await page.waitForTimeout(100)
      await page.evaluate(`window.__bench.on = 'undo'`)
    }
    const undos = (await page.evaluate(
      `(() => { window.__bench.on = null; return window.__bench.samples })()`,
    )) as number[]
    if (undos.length !== 5) throw new Error(`measured ${undos.length} undos, expected 5`)
    log(
      `undo of the full-image flood fill: ${undos.map(round).join(', ')} ms (median ${round(percentile(undos, 0.5))})`,
    )

    // 4. Click masks on the scene photo.
    await page.keyboard.press('Control+s')
    for (let t = 0; (await view.getAttribute('data-dirty')) !== 'false'; t++) {
      if (t > 600) throw new Error('the save before the click masks did not finish in 60 s')
      await page.waitForTimeout(100)
    }
    const click = await clickMaskBench(page, url, sceneId, albumId, log)
    if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`)

    const result = {
      brushP95Ms: round(percentile(brush, 0.95)),
      saveMs: round(percentile(saves, 0.5)),
      undoFloodMs: round(percentile(undos, 0.5)),
      ...click,
    }
    log(
      `load average ${loadavg()
        .map((v) => v.toFixed(2))
        .join(' ')}; targets: brush p95 ≤ 8 ms, save ≤ 200 ms, undo ≤ 50 ms, click mask ≤ 300 ms`,
    )
    if (opts.json) console.log(JSON.stringify(result))
    else console.log(result)
  } finally {
    await browser.close()
    child.kill('SIGINT')
    if (!opts.keep) rmSync(work, { recursive: true, force: true })
    else log(`kept ${work}`)
  }
}

/** The API of the served project (the URL carries the session token). */
async function callApi<T>(url: string, method: string, args: unknown): Promise<T> {
  const u = new URL(url)
  const res = await fetch(`${u.origin}/api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-pss-token': u.searchParams.get('token') ?? '' },
    body: JSON.stringify(args),
  })
  const body = (await res.json()) as { result?: T; error?: { message: string } }
  if (!res.ok || body.error) throw new Error(`${method}: ${body.error?.message ?? res.status}`)
  return body.result as T
}

/** Step 4: the one-time forward, the first click, then 10 timed clicks on the object the model predicts. */
async function clickMaskBench(
  page: Page,
  url: string,
  sceneId: number,
  albumId: number,
  log: (s: string) => void,
): Promise<{
  clickMaskMs: { p50: number; p95: number }
  clickMaskLargeMs: { p50: number; p95: number; pixels: number }
  clickMaskFirstMs: number
  clickMaskForwardMs: number
}> {
  const map = await callApi<ClickMaskMapReady>(url, 'clickMaskMap', { imageId: sceneId })
  if (!map.available || map.forwardMs === null)
    throw new Error('the click-mask map was not computed by this call')
  log(
    `click mask: ${map.model.reason}; forward pass (engine worker, ${map.width}×${map.height} map) ${round(map.forwardMs)} ms`,
  )
  // The click: the object pixel the model is surest of (top-1 probability), in photo pixels; when the
  // model sees no object there (a 6-iteration model may not), the centre — then the region is the
  // background's, most of the photo: the costliest click.
  const planes = Buffer.from(map.top2Base64, 'base64')
  const n = map.width * map.height
  let best = -1
  for (let i = 0; i < n; i++) if (planes[i]! > 0 && (best < 0 || planes[n + i]! > planes[n + best]!)) best = i
  if (best < 0) {
    best = Math.floor(map.height / 2) * map.width + Math.floor(map.width / 2)
    log(
      'click mask: the model predicts no object on the scene photo; clicking its centre (the background region)',
    )
  }
  const x = Math.round(((best % map.width) * (W - 1)) / (map.width - 1))
  const y = Math.round((Math.floor(best / map.width) * (H - 1)) / (map.height - 1))

  await page.evaluate(`location.hash = '#/album/${albumId}/annotate/${sceneId}'`)
  await page.waitForSelector(
    `[data-testid="annotate-view"][data-state="ready"][data-image-id="${sceneId}"]`,
    { timeout: 120_000 },
  )
  await page.locator('[data-testid="annotate-canvas"]').focus()
  await page.keyboard.press('m')
  await page.waitForSelector('[data-testid="click-mask-hint"]')
  const clicks = async (): Promise<number> =>
    Number(await page.locator('[data-testid="click-mask-hint"]').getAttribute('data-clicks'))
  const at = await screenPoint(page, x, y)
  const t0 = Date.now()
  await page.mouse.click(at.x, at.y)
  for (let t = 0; (await clicks()) !== 1; t++) {
    if (t > 30_000) throw new Error('the first click mask did not finish in 5 minutes')
    await page.waitForTimeout(10)
  }
  const first = Date.now() - t0
  const state = (await page.evaluate('window.__pssAnnotator.clickMask()')) as {
    last: { pixels: number; snapped: boolean; cls: number } | null
  }
  log(
    `click mask: first click ${first} ms (map transfer + decode, SLIC superpixels, region): ${state.last?.pixels ?? 0} px of class ${state.last?.cls ?? '?'}, snapped ${state.last?.snapped ?? false}`,
  )
  for (let i = 0; i < 10; i++) {
    await page.keyboard.press('Control+z')
    const before = await clicks()
    await page.mouse.click(at.x, at.y)
    for (let t = 0; (await clicks()) === before; t++) {
      if (t > 600) throw new Error('a click mask did not finish in 60 s')
      await page.waitForTimeout(100)
    }
  }
  const read = async (): Promise<{ timings: number[]; last: { pixels: number } | null }> =>
    (await page.evaluate('window.__pssAnnotator.clickMask()')) as {
      timings: number[]
      last: { pixels: number } | null
    }
  const timings = (await read()).timings.slice(1)
  log(
    `click mask: ${timings.map(round).join(', ')} ms (p50 ${round(percentile(timings, 0.5))}, p95 ${round(percentile(timings, 0.95))})`,
  )

  // The large case: a click on the background the model is surest of — its region is most of the photo.
  let bg = -1
  for (let i = 0; i < n; i++) if (planes[i] === 0 && (bg < 0 || planes[n + i]! > planes[n + bg]!)) bg = i
  let large: number[] = []
  let largePixels = 0
  if (bg >= 0) {
    const p = await screenPoint(
      page,
      Math.round(((bg % map.width) * (W - 1)) / (map.width - 1)),
      Math.round((Math.floor(bg / map.width) * (H - 1)) / (map.height - 1)),
    )
    for (let i = 0; i < 5; i++) {
      await page.keyboard.press('Control+z')
      const before = await clicks()
      await page.mouse.click(p.x, p.y)
      for (let t = 0; (await clicks()) === before; t++) {
        if (t > 600) throw new Error('a background click mask did not finish in 60 s')
        await page.waitForTimeout(100)
      }
    }
    const r = await read()
    large = r.timings.slice(-5)
    largePixels = r.last?.pixels ?? 0
    log(
      `click mask on the background (${largePixels} px, ${((100 * largePixels) / (W * H)).toFixed(0)}% of the photo): ${large.map(round).join(', ')} ms (p50 ${round(percentile(large, 0.5))}, p95 ${round(percentile(large, 0.95))})`,
    )
  }
  return {
    clickMaskMs: { p50: round(percentile(timings, 0.5)), p95: round(percentile(timings, 0.95)) },
    clickMaskLargeMs: {
      p50: round(percentile(large, 0.5)),
      p95: round(percentile(large, 0.95)),
      pixels: largePixels,
    },
    clickMaskFirstMs: first,
    clickMaskForwardMs: round(map.forwardMs),
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e)
  process.exit(1)
})
