/**
 * `npm run bench:ui [-- --count N] [-- --json] [-- --keep] [-- --seconds S]`
 *
 * Frame times of the two large-collection screens, measured in real Chromium (browser mode, headless,
 * software rendering: --disable-gpu) on a real project:
 *   - a synthetic large album: N (default 10,000) tiny generated 48×36 JPEGs imported through the Studio
 *     API (real thumbnails, real SQLite), a synthetic 20-group clustering stored through the project's
 *     groupings repository, and a synthetic 2-D layout of the N images (20 Gaussian blobs, seeded) written
 *     as the album's cached embedding (the same file `computeEmbedding` writes) — so the map draws N points
 *     coloured by 20 clusters without spending minutes on UMAP;
 *   - the embedding map (Clusters tab): scripted wheel zooms and drag pans through Playwright's mouse;
 *   - the thumbnail grid (Photos tab): scrolled by 60 px per frame from the page.
 * Frame time = the delta between consecutive requestAnimationFrame callbacks while the interaction runs;
 * p95 is reported (60 Hz vsync makes 16.7 ms the floor of a smooth run). The map's own draw cost per redraw
 * (performance.now around its draw, exposed as data-draw-ms) is reported too.
 *
 * Needs a build (`npx electron-vite build`) and /usr/bin/chromium. `--json` prints
 * {embeddingMapP95FrameMs, gridScrollP95FrameMs, …} as the last line.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { Studio } from '../../src/main/app/studio'
import { embeddingFile } from '../../src/main/app/insight-handlers'
import { mulberry32 } from '../../src/shared/stratified-sample'
import { launchChromium, serveProject } from './browser-mode'

interface Options {
  count: number
  json: boolean
  keep: boolean
  seconds: number
}

function parseOptions(argv: string[]): Options {
  const o: Options = { count: 10_000, json: false, keep: false, seconds: 4 }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--json') o.json = true
    else if (a === '--keep') o.keep = true
    else if (a === '--count') o.count = Number(argv[++i])
    else if (a === '--seconds') o.seconds = Number(argv[++i])
    else throw new Error(`unknown option ${a}; allowed: --count N, --seconds S, --json, --keep`)
  }
  if (!Number.isInteger(o.count) || o.count < 10) throw new Error('--count must be an integer ≥ 10')
  if (!(o.seconds > 0)) throw new Error('--seconds must be positive')
  return o
}

const rng = mulberry32

const photoName = (i: number): string => `IMG_${String(i).padStart(5, '0')}.jpg`

/** Tiny photo-like JPEGs (a random 4×3 colour field, smoothly upsampled): cheap to make and to import. */
async function ensurePhotos(dir: string, count: number, log: (s: string) => void): Promise<void> {
  mkdirSync(dir, { recursive: true })
  const have = new Set(readdirSync(dir))
  const todo = Array.from({ length: count }, (_, i) => i).filter((i) => !have.has(photoName(i)))
  if (todo.length === 0) return
  log(`generating ${todo.length} tiny photos in ${dir} (cached)…`)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < todo.length) {
      const i = todo[next++]!
      const r = rng(i + 1)
      const base = Buffer.from(Array.from({ length: 4 * 3 * 3 }, () => Math.floor(r() * 255)))
      await sharp(base, { raw: { width: 4, height: 3, channels: 3 } })
        .resize(48, 36, { kernel: 'cubic' })
        .jpeg({ quality: 80 })
        .toFile(join(dir, photoName(i)))
    }
  }
  await Promise.all(Array.from({ length: Math.max(2, cpus().length) }, worker))
}

function percentile(sorted: number[], q: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : NaN
}
const round = (v: number): number => Math.round(v * 100) / 100

interface FrameStats {
  frames: number
  p50: number
  p95: number
  max: number
}
function stats(deltas: number[]): FrameStats {
  const s = [...deltas].sort((a, b) => a - b)
  return {
    frames: s.length,
    p50: round(percentile(s, 0.5)),
    p95: round(percentile(s, 0.95)),
    max: round(s[s.length - 1] ?? NaN),
  }
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2))
  const log = (s: string): void => (opts.json ? console.error(s) : console.log(s))
  const root = new URL('../..', import.meta.url).pathname
  const cliJs = join(root, 'out', 'main', 'cli.js')
  if (!existsSync(cliJs)) throw new Error('no build: run `npx electron-vite build` first')
  const photos = join(root, '.tmp', `bench-ui-photos-${opts.count}`)
  await ensurePhotos(photos, opts.count, log)

  const work = mkdtempSync(join(tmpdir(), 'pss-bench-ui-'))
  const projectDir = join(work, 'project')
  const env = { ...process.env, PSS_STUDIO_HOME: join(work, 'home') }
  let albumId = 0
  // 1. The synthetic large album, through the real Studio API.
  const studio = new Studio({ mode: 'cli', homeDir: join(work, 'home') })
  try {
    await studio.api.createProject({ path: projectDir, name: 'bench-ui' })
    log(`importing ${opts.count} images…`)
    const t0 = performance.now()
    const { jobId } = await studio.api.importFolder({ dir: photos, albumName: 'bench-ui', copy: true })
    const job = await studio.currentJobs().settled(jobId)
    if (job.status !== 'done') throw new Error(`import ${job.status}: ${job.error ?? ''}`)
    log(`imported in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
    const album = (await studio.api.listAlbums({})).find((a) => a.name === 'bench-ui')!
    albumId = album.id
    const ids: number[] = []
    for (let offset = 0; offset < album.imageCount; offset += 1000)
      ids.push(...(await studio.api.listImages({ albumId, offset, limit: 1000 })).items.map((i) => i.id))
    // 20 Gaussian blobs; an image's cluster is its blob.
    const r = rng(7)
    const gauss = (): number => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r())
    const centres = Array.from({ length: 20 }, () => [r(), r()] as const)
    const groups = new Map<number, number>()
    const x: number[] = []
    const y: number[] = []
    ids.forEach((id, i) => {
      const g = i % 20
      groups.set(id, g)
      x.push(centres[g]![0] + 0.045 * gauss())
      y.push(centres[g]![1] + 0.045 * gauss())
    })
    const norm = (v: number[]): number[] => {
      const lo = Math.min(...v)
      const hi = Math.max(...v)
      return v.map((t) => (t - lo) / (hi - lo))
    }
    studio.currentProject().groupings.addClustering(albumId, 'bench:ui synthetic blobs', groups, {
      method: 'synthetic (bench:ui)',
    })
    const file = embeddingFile(studio.currentProject(), albumId)
    mkdirSync(join(file, '..'), { recursive: true })
    writeFileSync(
      file,
      JSON.stringify({
        albumId,
        method: 'pca',
        seed: 7,
        features: 'synthetic layout (bench:ui)',
        createdAt: new Date().toISOString(),
        seconds: 0,
        ids,
        x: norm(x),
        y: norm(y),
      }),
    )
  } finally {
    await studio.close()
  }

  // 2. Browser mode on that project, measured in Chromium.
  const { url, child } = await serveProject(cliJs, projectDir, env)
  const browser = await launchChromium()
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 })
    // Page scripts as strings: tsx's transform would wrap inner functions in a helper the page lacks.
    const startFrames = (): Promise<void> =>
      page.evaluate(`(() => {
        window.__frames = []
        window.__drawMs = []
        window.__stop = false
        let last = 0
        let draws = null
        const tick = (t) => {
          window.__frames.push(t - last)
          last = t
          // The map's own cost per redraw (its data-draw-ms), sampled whenever data-draws moved on.
          const map = document.querySelector('[data-testid="embedding-map"]')
          if (map && map.dataset.draws !== draws) {
            if (draws !== null) window.__drawMs.push(Number(map.dataset.drawMs))
            draws = map.dataset.draws
          }
          if (!window.__stop) requestAnimationFrame(tick)
        }
        requestAnimationFrame((t) => {
          last = t
          requestAnimationFrame(tick)
        })
      })()`)
    const stopFrames = (): Promise<number[]> =>
      page.evaluate(`(() => { window.__stop = true; return window.__frames })()`)

    // Embedding map.
    const base = url.split('#')[0]!
    await page.goto(`${base}#/album/${albumId}/clusters`)
    const map = page.locator('[data-testid="embedding-map"]')
    await map.waitFor({ timeout: 120_000 })
    const points = Number(await map.getAttribute('data-points'))
    if (points !== opts.count) throw new Error(`the map shows ${points} points, expected ${opts.count}`)
    const box = (await map.boundingBox())!
    const cx = box.x + box.width / 2
    const cy = box.y + box.height / 2
    await page.waitForTimeout(500)
    const drawsBefore = Number(await map.getAttribute('data-draws'))
    await startFrames()
    const end = Date.now() + opts.seconds * 1000
    let step = 0
    while (Date.now() < end) {
      // Zoom in and out around moving points, with drag pans in between.
      const px = cx + Math.cos(step / 3) * box.width * 0.25
      const py = cy + Math.sin(step / 3) * box.height * 0.25
      await page.mouse.move(px, py)
      for (let k = 0; k < 4; k++) await page.mouse.wheel(0, step % 2 === 0 ? -120 : 120)
      await page.mouse.down()
      await page.mouse.move(px + 80, py + 40, { steps: 8 })
      await page.mouse.move(px, py, { steps: 8 })
      await page.mouse.up()
      step++
    }
    const mapFrames = await stopFrames()
    const drawCosts = (await page.evaluate('window.__drawMs')) as number[]
    const draws = Number(await map.getAttribute('data-draws')) - drawsBefore

    // Thumbnail grid.
    await page.goto(`${base}#/album/${albumId}`)
    await page.waitForSelector(`[data-testid="album-grid"][data-state="ready"][data-total="${opts.count}"]`, {
      timeout: 120_000,
    })
    await page.waitForTimeout(500)
    await startFrames()
    const scrolled = await page.evaluate<number>(`(async () => {
      const el = document.querySelector('[data-testid="grid-scroller"]')
      const t0 = performance.now()
      await new Promise((done) => {
        const tick = () => {
          el.scrollTop += 60
          if (performance.now() - t0 < ${opts.seconds * 1000} && el.scrollTop + el.clientHeight < el.scrollHeight) requestAnimationFrame(tick)
          else done()
        }
        requestAnimationFrame(tick)
      })
      return el.scrollTop
    })()`)
    const gridFrames = await stopFrames()

    const map_ = stats(mapFrames)
    const grid = stats(gridFrames)
    const result = {
      embeddingMapP95FrameMs: map_.p95,
      gridScrollP95FrameMs: grid.p95,
      embeddingMap: {
        points,
        ...map_,
        redraws: draws,
        drawCostMs: { p50: stats(drawCosts).p50, p95: stats(drawCosts).p95, max: stats(drawCosts).max },
      },
      gridScroll: { images: opts.count, ...grid, scrolledPx: Math.round(scrolled) },
      chromium: execFileSync('/usr/bin/chromium', ['--version']).toString().trim(),
      headless: true,
      gpu: false,
      viewport: '1440x900',
      cores: cpus().length,
    }
    if (!opts.json) {
      log(
        `embedding map, ${points} points: p50 ${map_.p50} ms, p95 ${map_.p95} ms, max ${map_.max} ms over ${map_.frames} frames (${draws} redraws, draw cost p95 ${stats(drawCosts).p95} ms)`,
      )
      log(
        `grid scroll, ${opts.count} thumbnails: p50 ${grid.p50} ms, p95 ${grid.p95} ms, max ${grid.max} ms over ${grid.frames} frames`,
      )
    }
    console.log(JSON.stringify(result))
  } finally {
    await browser.close()
    await new Promise<void>((done) => {
      if (child.exitCode !== null) return done()
      child.once('exit', () => done())
      child.kill('SIGINT')
    })
    if (!opts.keep) rmSync(work, { recursive: true, force: true })
    else log(`kept ${work}`)
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err))
  process.exit(1)
})
