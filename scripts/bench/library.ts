/**
 * `npm run bench:library [-- --count N] [-- --json]`
 *
 * Imports N (default 10,000) generated 1024×768 JPEGs as one folder album through the real Studio API
 * (probe + hash + thumbnail + copy + SQLite rows), then measures the grid's page query as the renderer
 * calls it (`listImages`, 200 per page, random offsets, every filter). Reports images/s, project size and
 * query latency percentiles. Generated photos are cached under .tmp/ so repeated runs time the import only.
 */
import { mkdirSync, existsSync, readdirSync, statSync, rmSync, mkdtempSync } from 'node:fs'
import { join } from 'node:path'
import { tmpdir, cpus } from 'node:os'
import { performance } from 'node:perf_hooks'
import sharp from 'sharp'
import { Studio } from '../../src/main/app/studio'

interface Options {
  count: number
  json: boolean
  keep: boolean
}

function parseOptions(argv: string[]): Options {
  const opts: Options = { count: 10_000, json: false, keep: false }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--json') opts.json = true
    else if (a === '--keep') opts.keep = true
    else if (a === '--count') opts.count = Number(argv[++i])
    else throw new Error(`unknown option ${a}; allowed: --count N, --json, --keep`)
  }
  if (!Number.isInteger(opts.count) || opts.count < 1) throw new Error('--count must be a positive integer')
  return opts
}

/** A photo-like 1024×768 image: smooth colour fields plus texture, so JPEG sizes are realistic (~100–200 kB). */
async function writePhoto(path: string, i: number): Promise<void> {
  const w = 1024
  const h = 768
  // Small random-coloured base upsampled (smooth gradients) + per-pixel noise for texture.
  const base = Buffer.alloc(8 * 6 * 3)
  let s = (i * 2654435761) >>> 0
  const rnd = (): number => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  for (let k = 0; k < base.length; k++) base[k] = Math.floor(rnd() * 255)
  const smooth = await sharp(base, { raw: { width: 8, height: 6, channels: 3 } })
    .resize(w, h, { kernel: 'cubic' })
    .raw()
    .toBuffer()
  for (let k = 0; k < smooth.length; k += 7)
    smooth[k] = Math.max(0, Math.min(255, smooth[k]! + Math.floor((rnd() - 0.5) * 60)))
  await sharp(smooth, { raw: { width: w, height: h, channels: 3 } })
    .jpeg({ quality: 85 })
    .toFile(path)
}

async function ensurePhotos(dir: string, count: number, log: (s: string) => void): Promise<void> {
  mkdirSync(dir, { recursive: true })
  const have = new Set(readdirSync(dir))
  const todo: number[] = []
  for (let i = 0; i < count; i++) if (!have.has(photoName(i))) todo.push(i)
  if (todo.length === 0) return
  log(`generating ${todo.length} photos in ${dir} (cached for later runs)…`)
  const t0 = performance.now()
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < todo.length) {
      const i = todo[next++]!
      await writePhoto(join(dir, photoName(i)), i)
    }
  }
  await Promise.all(Array.from({ length: Math.max(2, cpus().length) }, worker))
  log(`generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
}

function photoName(i: number): string {
  return `IMG_${String(i).padStart(5, '0')}.jpg`
}

function dirSize(dir: string): number {
  let total = 0
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    if (e.isDirectory()) total += dirSize(p)
    else if (e.isFile()) total += statSync(p).size
  }
  return total
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2))
  const log = (s: string): void => {
    if (!opts.json) console.log(s)
    else console.error(s)
  }
  const root = new URL('../..', import.meta.url).pathname
  const photos = join(root, '.tmp', `bench-library-photos-${opts.count}`)
  await ensurePhotos(photos, opts.count, log)

  const work = mkdtempSync(join(tmpdir(), 'pss-bench-library-'))
  const studio = new Studio({ mode: 'cli', homeDir: join(work, 'home') })
  try {
    const projectDir = join(work, 'project')
    await studio.api.createProject({ path: projectDir, name: 'bench' })
    log(`importing ${opts.count} images (copy + hash + thumbnail) into ${projectDir}…`)
    const t0 = performance.now()
    const { jobId } = await studio.api.importFolder({ dir: photos, albumName: 'bench', copy: true })
    const job = await studio.currentJobs().settled(jobId)
    const importSeconds = (performance.now() - t0) / 1000
    if (job.status !== 'done') throw new Error(`import ${job.status}: ${job.error ?? ''}`)
    const albums = await studio.api.listAlbums({})
    const album = albums.find((a) => a.name === 'bench')!
    if (album.imageCount !== opts.count)
      throw new Error(`imported ${album.imageCount} of ${opts.count} images`)

    // Page query latency as the grid issues it: 200-image pages at random offsets, every filter and sort.
    const filters = ['all', 'masked', 'unmasked', 'validation', 'train'] as const
    const sorts = ['name', 'imported'] as const
    const times: number[] = []
    for (let q = 0; q < 300; q++) {
      const offset = Math.floor(Math.random() * Math.max(1, opts.count - 200))
      const t = performance.now()
      await studio.api.listImages({
        albumId: album.id,
        offset,
        limit: 200,
        filter: filters[q % filters.length],
        sort: sorts[q % sorts.length],
      })
      times.push(performance.now() - t)
    }
    times.sort((a, b) => a - b)
    const projectBytes = dirSize(projectDir)
    const mediaBytes = existsSync(join(projectDir, 'media')) ? dirSize(join(projectDir, 'media')) : 0
    const result = {
      images: opts.count,
      imageSize: '1024x768 JPEG q85',
      importSeconds: Number(importSeconds.toFixed(2)),
      imagesPerSecond: Number((opts.count / importSeconds).toFixed(1)),
      projectMB: Number((projectBytes / 2 ** 20).toFixed(1)),
      projectWithoutOriginalsMB: Number(((projectBytes - mediaBytes) / 2 ** 20).toFixed(1)),
      pageQueryMs: {
        p50: Number(percentile(times, 0.5).toFixed(3)),
        p95: Number(percentile(times, 0.95).toFixed(3)),
        max: Number(times[times.length - 1]!.toFixed(3)),
      },
      cores: cpus().length,
    }
    if (opts.json) console.log(JSON.stringify(result))
    else console.log(result)
  } finally {
    await studio.close()
    if (!opts.keep) rmSync(work, { recursive: true, force: true })
  }
}

main().catch((e: unknown) => {
  console.error(`bench:library failed: ${(e as Error).message}`)
  process.exit(1)
})
