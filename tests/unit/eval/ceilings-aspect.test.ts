/**
 * The ideal stride-s ceiling at the aspect-kept geometry (eval/ceilings.ts item 3; infer/geometry.ts), on
 * hand-computed 32 × 8 ground truths: long side 32 → resized 32 × 8 → canvas 32 × 16 → a 2 × 4 logit grid
 * whose second row lies in the padding; the image's rows sit at grid row y/15 ≤ 7/15, its columns at x·3/31.
 */
import { describe, expect, it } from 'vitest'
import { ceilings, gridMapping, strideIdealPrediction } from '../../../src/main/engine/eval/ceilings'
import type { LabelMap } from '../../../src/main/media/label-png'

function map(width: number, height: number, at: (x: number, y: number) => number): LabelMap {
  const labels = new Uint8Array(width * height)
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) labels[y * width + x] = at(x, y)
  return { width, height, labels }
}

const ASPECT = { size: 32, stride: 8, mode: 'aspect' as const }
const SQUASH = { size: 32, stride: 8, mode: 'squash' as const }

describe('ideal stride-8 ceiling with the aspect kept', () => {
  it('maps the image onto its own part of the padded grid', () => {
    const m = gridMapping(
      map(32, 8, () => 0),
      ASPECT,
    )
    expect(m).toEqual({ rows: 2, cols: 4, scaleY: 1 / 15, scaleX: 3 / 31 })
    expect(
      gridMapping(
        map(32, 8, () => 0),
        SQUASH,
      ),
    ).toEqual({ rows: 4, cols: 4, scaleY: 3 / 7, scaleX: 3 / 31 })
  })

  it('a vertical stripe stays vertical: the padding row copies the image row instead of bleeding background', () => {
    // Columns 0–9 person (15). Column nodes at x = 0, 10⅓, 20⅔, 31: node 0 owns x = 0–5 (person), node 1
    // x = 6–15 (4 person against 6 background). Back at full size person wins where x·3/31 < ½: x = 0–5,
    // on every row. FIoU = 48 / 80.
    const gt = map(32, 8, (x) => (x < 10 ? 15 : 0))
    const pred = strideIdealPrediction(gt, ASPECT)
    for (let y = 0; y < 8; y++)
      expect(Array.from(pred.slice(y * 32, y * 32 + 8))).toEqual([15, 15, 15, 15, 15, 15, 0, 0])
    expect(ceilings([{ user: 'u', gts: [gt] }], ASPECT).strideIdeal).toMatchObject({
      fiou: 48 / 80,
      mode: 'aspect',
      grid: 4,
    })
  })

  it('a thin horizontal band is below the aspect grid’s row resolution but not the squash lattice’s', () => {
    // Rows 0–2 person. Aspect: one owning grid row for all 8 rows, 3 person against 5 background → none.
    // Squash (4 rows at y·3/7): node row 0 owns y = 0–1 (person), row 1 y = 2–3 (tie → background);
    // person where y·3/7 < ½: y = 0–1. FIoU 64 / 96.
    const gt = map(32, 8, (_, y) => (y < 3 ? 15 : 0))
    expect(ceilings([{ user: 'u', gts: [gt] }], ASPECT).strideIdeal.fiou).toBe(0)
    expect(ceilings([{ user: 'u', gts: [gt] }], SQUASH).strideIdeal.fiou).toBeCloseTo(64 / 96, 14)
  })

  it('a square image is the same at both geometries', () => {
    const gt = map(24, 24, (x, y) => (x + y < 20 ? 3 : y > 20 ? 255 : 0))
    const a = strideIdealPrediction(gt, ASPECT)
    const s = strideIdealPrediction(gt, SQUASH)
    expect(Buffer.from(a).equals(Buffer.from(s))).toBe(true)
  })
})
