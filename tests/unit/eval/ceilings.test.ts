/**
 * Ceilings (src/main/engine/eval/ceilings.ts) on hand-made label maps whose answers are worked out in
 * the comments, plus the upsampling step against tfjs's own align-corners resize + argMax (the pipeline's).
 */
import * as tf from '@tensorflow/tfjs'
import { describe, expect, it } from 'vitest'
import {
  alignCornersTaps,
  ceilings,
  gridSide,
  nodeClasses,
  ownerIndex,
  perfectPrediction,
  strideIdealPrediction,
  upsampleNodeClasses,
} from '../../../src/main/engine/eval'
import type { LabelMap } from '../../../src/main/media/label-png'

const map = (width: number, height: number, labels: number[]): LabelMap => {
  expect(labels).toHaveLength(width * height)
  return { width, height, labels: Uint8Array.from(labels) }
}

describe('perfect prediction', () => {
  it('is the GT with void as background; void still counts in the FIoU union', () => {
    // 4×1: background, person, void, person. FIoU = 2 / 3 (the void pixel is in the union).
    const gt = map(4, 1, [0, 15, 255, 15])
    expect([...perfectPrediction(gt)]).toEqual([0, 15, 0, 15])
    const c = ceilings([{ user: 'u', gts: [gt] }], { size: 4, stride: 2 })
    expect(c.perfect.fiou).toBeCloseTo(2 / 3, 14)
    expect(c.perfect.miouPaper).toBe(1)
    expect(c.perfect.miouPresent).toBe(1)
    expect(c.perfect.miouAll21).toBeCloseTo(2 / 21, 14) // background and person over 21
  })

  it('scores 100 FIoU without void, and averages users (not pooled images)', () => {
    const a = map(2, 1, [0, 3])
    const b = map(4, 1, [255, 255, 255, 7]) // FIoU 1/4
    const c = ceilings(
      [
        { user: 'a', gts: [a] },
        { user: 'b', gts: [b, b] },
      ],
      { size: 2, stride: 1 },
    )
    expect(c.perfect.perUser['a']!.fiou).toBe(1)
    expect(c.perfect.perUser['b']!.fiou).toBe(1 / 4)
    expect(c.perfect.fiou).toBeCloseTo((1 + 1 / 4) / 2, 14)
    expect(c.perfect.users).toBe(2)
    expect(c.perfect.images).toBe(3)
  })
})

describe('ideal stride-s predictor', () => {
  it('grid side is ⌈size/stride⌉ and align-corners taps put the end nodes on the end pixels', () => {
    expect(gridSide({ size: 64, stride: 8 })).toBe(8)
    expect(gridSide({ size: 65, stride: 8 })).toBe(9)
    expect(() => gridSide({ size: 0, stride: 8 })).toThrow(/positive integers/)
    // 2 nodes → 4 pixels: positions 0, 1/3, 2/3, 1.
    const t = alignCornersTaps(2, 4)
    expect([...t.lo]).toEqual([0, 0, 0, 1])
    expect(t.w[1]).toBeCloseTo(1 / 3, 14)
    expect(t.w[3]).toBe(0)
    expect([...alignCornersTaps(1, 3).lo]).toEqual([0, 0, 0])
    // Owners: the nearest node, 8 nodes over 64 pixels sit 9 apart; the corner nodes own half cells.
    const own = ownerIndex(8, 64)
    expect([own[0], own[4], own[5], own[63]]).toEqual([0, 0, 1, 7])
    expect(own.filter((n) => n === 0).length).toBe(5)
    expect(own.filter((n) => n === 3).length).toBe(9)
    expect([...ownerIndex(3, 1)]).toEqual([0])
  })

  it('two halves on a 2×2 grid are rebuilt exactly (no resize: size = image side)', () => {
    // 4×4, columns 0–1 class 1, 2–3 class 2. Node columns sit at x = 0 and 3: node 0 owns x = 0, 1
    // (positions 0, 1/3) → class 1; node 1 owns x = 2, 3 → class 2. Upsampled: x = 1 is 2/3 node 0 → 1.
    const gt = map(
      4,
      4,
      Array.from({ length: 16 }, (_, k) => (k % 4 < 2 ? 1 : 2)),
    )
    expect([...nodeClasses(gt, 2)]).toEqual([1, 2, 1, 2])
    expect([...strideIdealPrediction(gt, { size: 4, stride: 2 })]).toEqual([...gt.labels])
  })

  it('a boundary between nodes lands where the bilinear weights cross, not where the GT has it', () => {
    // 6×1 GT [1 1 0 0 0 0], size 6, stride 3 → 2 nodes at x = 0 and x = 5.
    // Node 0 owns x = 0, 1, 2 (positions 0, 0.2, 0.4): class 1 two pixels to one → 1. Node 1: background.
    // Back at 6 pixels, node 1's weight is x/5: pixels 0, 1, 2 (≤ 0.4) say 1, pixel 3 (0.6) background.
    const gt = map(6, 1, [1, 1, 0, 0, 0, 0])
    expect([...strideIdealPrediction(gt, { size: 6, stride: 3 })]).toEqual([1, 1, 1, 0, 0, 0])
    const c = ceilings([{ user: 'u', gts: [gt] }], { size: 6, stride: 3 })
    expect(c.strideIdeal.fiou).toBeCloseTo(2 / 3, 14) // inter 2, union 3
    expect(c.strideIdeal.miouPaper).toBeCloseTo(2 / 3, 14) // IoU of class 1
    expect(c.strideIdeal.miouPresent).toBeCloseTo((2 / 3 + 3 / 4) / 2, 14) // background: 3 / 4
    expect(c.perfect.fiou).toBe(1)
    expect(c.strideIdeal).toMatchObject({ size: 6, stride: 3, grid: 2 })
  })

  it('an object smaller than the node spacing vanishes', () => {
    // 8×8, a 2×2 "bottle" (5) at rows/columns 3–4; size 8, stride 4 → 2×2 nodes at the corners.
    // Node (0, 0) owns rows and columns 0–3 (positions up to 3/7): 1 object pixel against 15 → background.
    const labels = Array.from({ length: 64 }, (_, k) => {
      const y = Math.floor(k / 8)
      const x = k % 8
      return y >= 3 && y <= 4 && x >= 3 && x <= 4 ? 5 : 0
    })
    const gt = map(8, 8, labels)
    expect([...strideIdealPrediction(gt, { size: 8, stride: 4 })].every((v) => v === 0)).toBe(true)
    const c = ceilings([{ user: 'u', gts: [gt] }], { size: 8, stride: 4 })
    expect(c.strideIdeal.fiou).toBe(0)
    expect(c.strideIdeal.miouPaper).toBe(0)
    expect(c.perfect.fiou).toBe(1)
    // At stride 1 the same object is kept: the ideal predictor is then the perfect one.
    expect(ceilings([{ user: 'u', gts: [gt] }], { size: 8, stride: 1 }).strideIdeal.fiou).toBe(1)
  })

  it('the squashed size sets the grid; votes and scores are at the original size', () => {
    // 8×2 GT, left half 1, right half 2; size 4, stride 2 → 2×2 nodes. Node column 0 owns x ≤ 3 (x/7 < ½)
    // → 1, column 1 → 2; back at 8 columns node 1's weight is x/7: x ≤ 3 says 1, x ≥ 4 says 2 — exact.
    const gt = map(
      8,
      2,
      Array.from({ length: 16 }, (_, k) => (k % 8 < 4 ? 1 : 2)),
    )
    const pred = strideIdealPrediction(gt, { size: 4, stride: 2 })
    expect(pred).toHaveLength(16)
    expect([...pred]).toEqual([...gt.labels])
  })

  it('a node that reaches only void says background; FIoU counts the void', () => {
    // 4×4 all void but one pixel of class 3; size 4, stride 4 → one node, class 3 everywhere.
    const labels = new Array<number>(16).fill(255)
    labels[5] = 3
    const gt = map(4, 4, labels)
    expect([...strideIdealPrediction(gt, { size: 4, stride: 4 })].every((v) => v === 3)).toBe(true)
    const c = ceilings([{ user: 'u', gts: [gt] }], { size: 4, stride: 4 })
    expect(c.strideIdeal.fiou).toBe(1 / 16)
    expect(c.perfect.fiou).toBe(1 / 16)
    expect([...nodeClasses(map(2, 2, [255, 255, 255, 255]), 1)]).toEqual([0])
  })

  it('upsampling equals tfjs resizeBilinear(alignCorners) + argMax on one-hot logits', async () => {
    await tf.setBackend('cpu')
    const grid = 3
    const nodes = Uint8Array.from([0, 4, 4, 7, 0, 4, 7, 7, 2])
    for (const [w, h] of [
      [11, 7],
      [5, 13],
      [1, 4],
    ] as const) {
      const logits = tf
        .oneHot(tf.tensor1d(Array.from(nodes), 'int32'), 21)
        .reshape([1, grid, grid, 21])
        .mul(10)
      const up = tf.image.resizeBilinear(logits as tf.Tensor4D, [h, w], true).argMax(-1)
      const want = Array.from(await up.data())
      tf.dispose([logits, up])
      const got = [...upsampleNodeClasses(nodes, grid, w, h)]
      // Pixels where two classes tie exactly may break either way in float32; none do at these sizes.
      expect(got, `${w}×${h}`).toEqual(want)
    }
  })

  it('refuses a bad map', () => {
    expect(() =>
      strideIdealPrediction({ width: 2, height: 2, labels: new Uint8Array(3) }, { size: 4, stride: 2 }),
    ).toThrow(/3 labels for 2×2/)
    expect(() => nodeClasses(map(1, 1, [30]), 1)).toThrow(/label 30/)
  })
})
