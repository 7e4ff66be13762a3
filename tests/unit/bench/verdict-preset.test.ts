/**
 * The methods benchmark's `verdict` preset (issue 13): ≥ 30 validation masks per user, the oracle masks of
 * exactly the other album images outside the PIS album (so no importer or scorer ever sees them), a
 * ceiling far above the other presets' (no void band), and no oracle folder for a preset without them.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateSyntheticBenchmark, PRESETS } from '../../../src/main/datasets/synthetic'
import { benchCeilings } from '../../../src/main/engine/pipelines/methods-ceilings'
import { listPisAlbums } from '../../../src/main/engine/pipelines/pis-albums'
import { decodeLabelPng } from '../../../src/main/media/label-png'

let tmp = ''

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pss-verdict-'))
  await generateSyntheticBenchmark({ out: path.join(tmp, 'verdict'), preset: 'verdict', seed: 1 })
  await generateSyntheticBenchmark({ out: path.join(tmp, 'tiny'), preset: 'tiny', seed: 1 })
}, 120_000)

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true })
})

describe('verdict preset', () => {
  it('has ≥ 30 validation masks per user and oracle masks for exactly the other album images', () => {
    const root = path.join(tmp, 'verdict')
    const albums = listPisAlbums(root)
    expect(albums).toHaveLength(PRESETS.verdict.users)
    for (const a of albums) {
      expect(a.valNames.length).toBeGreaterThanOrEqual(30)
      const val = new Set(a.valNames)
      const others = a.images
        .map((i) => i.name)
        .filter((n) => !val.has(n))
        .sort()
      const oracle = fs.readdirSync(path.join(root, 'oracle', a.id)).sort()
      expect(oracle).toEqual(others.map((n) => `${n}.png`))
      // The album itself keeps masks of its validation images only.
      expect(fs.readdirSync(path.join(a.dir, 'SegmentationClass')).length).toBe(a.valNames.length)
      const img = a.images.find((i) => !val.has(i.name))!
      const m = decodeLabelPng(fs.readFileSync(path.join(root, 'oracle', a.id, `${img.name}.png`)))
      expect(Math.max(m.width, m.height)).toBe(PRESETS.verdict.longSide)
      expect(m.labels.some((v) => v > 0 && v < 255)).toBe(true)
    }
  })

  it('leaves a perfect-prediction ceiling of 100 FIoU (no void band) and writes no oracle folder elsewhere', () => {
    const c = benchCeilings(listPisAlbums(path.join(tmp, 'verdict')), 64, 21)!
    expect(c.perfect.fiou).toBe(1)
    expect(fs.existsSync(path.join(tmp, 'tiny', 'oracle'))).toBe(false)
  })
})
