/**
 * Throughput of the import pipeline (probe + full-decode thumbnail + sha256) on 200 generated
 * 1024×768 JPEGs at the importers' concurrency. Opt-in, since it takes a while and its number depends on
 * the machine: `PSS_BENCH_IMPORT=1 npx vitest run --project unit tests/unit/media/import-throughput`.
 * The foundation target is ≥ 40 images/s on the 2-core reference machine.
 */
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { IMPORT_CONCURRENCY, importFolder } from '../../../src/main/datasets'
import { Project } from '../../../src/main/project'
import { recordingContext } from '../datasets/recording-target'
import { makeTempDir } from './helpers'

const COUNT = 200
/** Optional override to compare settings; the importers' default is what the target is about. */
const CONCURRENCY = Number(process.env.PSS_BENCH_CONCURRENCY ?? IMPORT_CONCURRENCY)
const W = 1024
const H = 768

/** Gradient plus per-pixel noise: entropy closer to a photo than a flat test pattern. */
function photoLike(seed: number): Buffer {
  const raw = Buffer.alloc(W * H * 3)
  let s = (seed * 2654435761) >>> 0
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = (y * W + x) * 3
      s = (s * 1664525 + 1013904223) >>> 0
      const n = (s >>> 24) / 8 - 16
      raw[i] = Math.max(0, Math.min(255, (x / W) * 200 + 30 + n))
      raw[i + 1] = Math.max(0, Math.min(255, (y / H) * 180 + 40 + n))
      raw[i + 2] = Math.max(0, Math.min(255, ((x + y + seed * 13) % 256) * 0.6 + n))
    }
  }
  return raw
}

describe.runIf(process.env.PSS_BENCH_IMPORT === '1')('import throughput', () => {
  let tmp: ReturnType<typeof makeTempDir>
  let totalBytes = 0
  beforeAll(async () => {
    tmp = makeTempDir('pss-bench-')
    for (let i = 0; i < COUNT; i++) {
      const jpg = await sharp(photoLike(i), { raw: { width: W, height: H, channels: 3 } })
        .jpeg({ quality: 85 })
        .toBuffer()
      totalBytes += jpg.length
      writeFileSync(join(tmp.dir, `photo-${String(i).padStart(4, '0')}.jpg`), jpg)
    }
  }, 300_000)
  afterAll(() => tmp.cleanup())

  it(`imports ${COUNT} 1024×768 JPEGs (probe + thumbnail + hash) at concurrency ${CONCURRENCY}`, async () => {
    const rec = recordingContext()
    const t0 = performance.now()
    const summary = await importFolder(
      rec.ctx,
      { dir: tmp.dir, albumName: 'bench', copy: false, recursive: false },
      { concurrency: CONCURRENCY },
    )
    const seconds = (performance.now() - t0) / 1000
    const rate = COUNT / seconds
    console.log(
      `import throughput: ${rate.toFixed(1)} images/s (${COUNT} images, ${(totalBytes / COUNT / 1024).toFixed(0)} KiB each on average, ${seconds.toFixed(2)} s, concurrency ${CONCURRENCY})`,
    )
    expect(summary.imported).toBe(COUNT)
    expect(rec.problems).toEqual([])
  }, 300_000)

  it('the same into a real project (SQLite rows + thumbnail files, originals referenced)', async () => {
    const project = Project.create(join(tmp.dir, '..', `${tmp.dir.split('/').pop()}-project`))
    try {
      const problems: unknown[] = []
      const t0 = performance.now()
      const summary = await importFolder(
        {
          target: project.importTarget,
          progress: () => {},
          problem: (p) => problems.push(p),
          cancelled: () => false,
        },
        { dir: tmp.dir, albumName: 'bench', copy: false, recursive: false },
        { concurrency: CONCURRENCY },
      )
      const seconds = (performance.now() - t0) / 1000
      console.log(
        `import throughput into a project: ${(COUNT / seconds).toFixed(1)} images/s (${seconds.toFixed(2)} s)`,
      )
      expect(summary.imported).toBe(COUNT)
      expect(problems).toEqual([])
    } finally {
      project.close()
      rmSync(project.root, { recursive: true, force: true })
    }
  }, 300_000)
})
