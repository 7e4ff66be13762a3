/**
 * miou_paper and the ceilings in the methods bench's output: the per-seed / per-user aggregation with
 * users that have no object class, the methods table's columns and legend, the ceilings read from the
 * albums' validation GT files, the `ceilings` key of the --json object and its text lines.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { toBenchJson } from '../../../src/main/cli/commands/bench'
import { benchTable, ceilingLines, MIOU_LEGEND } from '../../../src/main/cli/commands/bench-tables'
import { encodeLabelPng } from '../../../src/main/media/label-png'
import {
  benchCeilings,
  ceilingsJson,
  OUTPUT_STRIDE,
} from '../../../src/main/engine/pipelines/methods-ceilings'
import { aggregate, summarize, type RawScore } from '../../../src/main/engine/pipelines/methods-stats'
import type { PisAlbum } from '../../../src/main/engine/pipelines/pis-albums'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true })
})

const raw = (seed: number, user: string, fiou: number, paper: number | null): RawScore => ({
  seed,
  method: 'm',
  user,
  scores: { fiou, miou_all21: fiou / 10, miou_present: null, miou_paper: paper },
})

describe('miou_paper in the bench summaries', () => {
  it('is averaged like miou_present: over the samples where it is defined', () => {
    const a = aggregate([
      raw(1, 'u1', 10, 40).scores,
      raw(1, 'u2', 20, null).scores,
      raw(1, 'u3', 30, 60).scores,
    ])
    expect(a.miou_paper).toBe(50)
    expect(a.std.miou_paper).toBeCloseTo(Math.sqrt(200), 12) // sample std of 40, 60
    expect(a.fiou).toBe(20)
    expect(aggregate([raw(1, 'u', 1, null).scores]).miou_paper).toBeNull()
  })

  it('per seed the mean over users, then mean ± std over seeds; per user over seeds', () => {
    const s = summarize(
      [raw(1, 'u1', 10, 40), raw(1, 'u2', 20, 20), raw(2, 'u1', 30, 60), raw(2, 'u2', 40, null)],
      'm',
      [1, 2],
      ['u1', 'u2'],
    )!
    // seed 1: (40 + 20) / 2 = 30; seed 2: 60 (u2 undefined). Mean 45, std √450.
    expect(s.miou_paper).toBe(45)
    expect(s.std.miou_paper).toBeCloseTo(Math.sqrt(450), 12)
    expect(s.perUser['u1']!.miou_paper).toBe(50)
    expect(s.perUser['u2']!.miou_paper).toBe(20)
  })

  it('the methods table shows MIoU(paper) next to the other two and says what each is', () => {
    const s = summarize([raw(1, 'u1', 10, 40)], 'm', [1], ['u1'])!
    const lines = benchTable({ methods: { noda: s } })
    expect(lines[0]).toMatch(/FIoU +MIoU\(paper\) +MIoU\(all21\) +MIoU\(present\)$/)
    expect(lines[1]).toMatch(/^noda +u1 +10\.00 ± 0\.00 +40\.00 ± 0\.00 +1\.00 ± 0\.00 +– +± –/)
    expect(lines.at(-1)).toBe(MIOU_LEGEND)
    expect(MIOU_LEGEND).toContain("released code's printout, not the paper's tables")
  })
})

/** A PIS-layout album whose validation masks are the given label maps. */
function album(id: string, maps: { width: number; height: number; labels: number[] }[]): PisAlbum {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pss-ceilings-'))
  dirs.push(dir)
  fs.mkdirSync(path.join(dir, 'SegmentationClass'))
  const valNames = maps.map((m, k) => {
    const name = `v${k}`
    fs.writeFileSync(
      path.join(dir, 'SegmentationClass', `${name}.png`),
      encodeLabelPng({ width: m.width, height: m.height, labels: Uint8Array.from(m.labels) }),
    )
    return name
  })
  return { id, dir, images: [], valNames: [...valNames, 'no_such_mask'] }
}

describe('ceilings of the bench', () => {
  it('reads each album’s validation GT, skips an unreadable one, and scores both ceilings', () => {
    // id1: one 16×16 mask, columns 0–4 person (15), column 5 void, 6–15 background; id2: all background.
    const half = Array.from({ length: 256 }, (_, k) => (k % 16 < 5 ? 15 : k % 16 === 5 ? 255 : 0))
    const albums = [
      album('id1', [{ width: 16, height: 16, labels: half }]),
      album('id2', [{ width: 4, height: 4, labels: new Array<number>(16).fill(0) }]),
    ]
    // The old squash geometry, asked for: the hand computation below is on its 2 × 2 lattice.
    const c = benchCeilings(albums, 16, 21, 'squash')!
    expect(OUTPUT_STRIDE).toBe(8)
    expect(c.strideIdeal).toMatchObject({ size: 16, stride: 8, grid: 2 })
    // Perfect: id1 FIoU = 80 / (80 + 16 void) = 5/6; id2 FIoU 0 (no foreground anywhere).
    expect(c.perfect.perUser['id1']!.fiou).toBeCloseTo(5 / 6, 14)
    expect(c.perfect.perUser['id2']!.fiou).toBe(0)
    expect(c.perfect.fiou).toBeCloseTo(5 / 12, 14)
    expect(c.perfect.images).toBe(2)
    // id2 has no object class: its miou_paper is undefined and left out of the mean.
    expect(Number.isNaN(c.perfect.perUser['id2']!.miouPaper)).toBe(true)
    expect(c.perfect.miouPaper).toBe(1)
    // Ideal stride 8 (2 node columns at x = 0 and 15): node 0 owns x = 0–7 (x/15 < ½): 5 person columns
    // against 2 background (column 5 is void) → person; node 1 background. Back at 16 columns the boundary
    // is where x/15 = ½: columns 0–7 person. FIoU = 80 / 128 = 5/8; IoU(person) = 80 / 112 = 5/7.
    expect(c.strideIdeal.perUser['id1']!.fiou).toBeCloseTo(5 / 8, 14)
    expect(c.strideIdeal.perUser['id1']!.miouPaper).toBeCloseTo(5 / 7, 14)
    expect(c.strideIdeal.fiou).toBeCloseTo(5 / 16, 14)
    expect(benchCeilings([album('id9', [])], 16, 21)).toBeNull()
  })

  it('is `ceilings` in the --json object (percent, null where undefined) and two lines under the table', () => {
    const half = Array.from({ length: 64 }, (_, k) => (k % 8 < 4 ? 3 : 0))
    const r = {
      methods: {},
      ablations: null,
      ceilings: benchCeilings([album('id1', [{ width: 8, height: 8, labels: half }])], 8, 21, 'squash'),
    }
    const meta = {
      wallSeconds: 1,
      preset: 'tiny' as const,
      seeds: 1,
      iterations: { source: 1, adapt: 1, contextWarmup: 0 },
      ndf: 4,
    }
    const json = JSON.parse(JSON.stringify(toBenchJson(r, meta))) as {
      ceilings: ReturnType<typeof ceilingsJson>
    }
    expect(json.ceilings.perfect).toMatchObject({
      fiou: 100,
      miou_paper: 100,
      miou_present: 100,
      users: 1,
      images: 1,
    })
    expect(json.ceilings.perfect.miou_all21).toBeCloseTo((2 / 21) * 100, 10)
    expect(json.ceilings.strideIdeal).toMatchObject({ stride: 8, size: 8, grid: 1, mode: 'squash' })
    // One node for the whole image: 32 pixels of class 3 against 32 of background, a tie → the lower
    // class, background everywhere: FIoU 0.
    expect(json.ceilings.strideIdeal.fiou).toBe(0)
    expect(json.ceilings.strideIdeal.miou_paper).toBe(0)
    expect(json.ceilings.strideIdeal.perUser['id1']).toMatchObject({ images: 1, fiou: 0 })
    const lines = ceilingLines(r)
    expect(lines[0]).toContain('Ceilings on the 1 validation masks (mean over 1 users')
    expect(lines[1]).toMatch(/perfect prediction +FIoU 100\.00 +MIoU\(paper\) 100\.00/)
    expect(lines[2]).toMatch(/ideal stride-8 predictor \(8×8 squashed input, 1×1 logits\) +FIoU +0\.00/)
    // The default: the geometry the studio predicts with, named as such — aspect kept, long side 1.5 × 8 = 12,
    // a 16 × 16 canvas, a 2 × 2 grid of which the image spans x·(11/7)·(1/15): node 0 owns columns 0–4 (4 of
    // class 3 against 1 background), node 1 columns 5–7; class 3 where x·11/105 < ½, columns 0–4:
    // FIoU 32 / 40.
    const aspect = { ceilings: benchCeilings([album('id1', [{ width: 8, height: 8, labels: half }])], 8, 21) }
    expect(aspect.ceilings!.strideIdeal).toMatchObject({ mode: 'aspect', size: 12, grid: 2 })
    expect(ceilingLines(aspect)[2]).toMatch(
      /ideal stride-8 predictor \(aspect kept, long side 12, 2-node long side\) +FIoU +80\.00/,
    )
    expect(ceilingLines({ ceilings: null })).toEqual([])
    expect(toBenchJson({ methods: {}, ablations: null }, meta)).not.toHaveProperty('ceilings')
  })
})
