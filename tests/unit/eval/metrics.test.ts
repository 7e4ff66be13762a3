/** The metric functions on tiny label maps whose answers are worked out by hand in the comments. */
import { describe, expect, it } from 'vitest'
import {
  IOU_EPSILON,
  absentClasses,
  confusionMatrix,
  fiouImage,
  iouPerClass,
  iouPerClassPresent,
  meanOverUsers,
  miouAll21,
  miouPresent,
  nearestIndexMap,
  resizeLabelsNearest,
  sumConfusions,
  UserEvaluation,
} from '../../../src/main/engine/eval'

const u8 = (...v: number[]): Uint8Array => Uint8Array.from(v)

// gt:   0 0 1 1 255 2
// pred: 0 1 1 1   2 0
// Confusion (rows GT, cols pred; the void pixel left out):
//   GT0: [1 1 0]   GT1: [0 2 0]   GT2: [1 0 0]
// IoU0 = 1/(2+2−1) = 1/3, IoU1 = 2/(2+3−2) = 2/3, IoU2 = 0/(1+0−0) = 0.
const GT = u8(0, 0, 1, 1, 255, 2)
const PRED = u8(0, 1, 1, 1, 2, 0)

describe('confusion matrix and IoU', () => {
  it('counts GT rows × predicted columns and leaves GT void out', () => {
    const conf = confusionMatrix(GT, PRED, 3)
    expect([...conf.counts]).toEqual([1, 1, 0, 0, 2, 0, 1, 0, 0])
    expect(conf.counts.reduce((a, b) => a + b, 0)).toBe(5)
  })

  it('IoU per class is diag/(row+col−diag+ε), the released code’s formula', () => {
    const iou = iouPerClass(confusionMatrix(GT, PRED, 3))
    expect(iou[0]).toBe(1 / (3 + IOU_EPSILON))
    expect(iou[1]).toBe(2 / (3 + IOU_EPSILON))
    expect(iou[2]).toBe(0)
    expect(IOU_EPSILON).toBe(2 ** -52) // numpy's np.finfo(float).eps
  })

  it('all-classes MIoU counts absent classes as 0; present MIoU skips them', () => {
    // Same pixels with 4 classes: class 3 is in neither GT nor prediction.
    const conf = confusionMatrix(GT, PRED, 4)
    expect(absentClasses(conf)).toEqual([3])
    expect(miouAll21(conf)).toBeCloseTo((1 / 3 + 2 / 3 + 0 + 0) / 4, 14)
    expect(miouPresent(conf)).toBeCloseTo((1 / 3 + 2 / 3 + 0) / 3, 14)
    const present = iouPerClassPresent(conf)
    expect(present[0]).toBe(1 / 3)
    expect(Number.isNaN(present[3]!)).toBe(true)
  })

  it('a class only predicted (never in GT) is present and scores 0', () => {
    // gt all background, pred says class 2 on one pixel: class 2 union 1, inter 0.
    const conf = confusionMatrix(u8(0, 0, 0), u8(0, 0, 2), 3)
    expect(absentClasses(conf)).toEqual([1])
    expect(iouPerClassPresent(conf)[2]).toBe(0)
    expect(miouPresent(conf)).toBeCloseTo((2 / 3 + 0) / 2, 14)
  })

  it('with 21 classes a perfect prediction of 3 classes gives present 100 % and all21 3/21', () => {
    const gt = u8(0, 15, 15, 12, 0)
    const conf = confusionMatrix(gt, gt.slice())
    expect(conf.numClasses).toBe(21)
    expect(miouPresent(conf)).toBeCloseTo(1, 14)
    expect(miouAll21(conf)).toBeCloseTo(3 / 21, 14)
  })

  it('an all-void GT gives an empty matrix: all21 = 0, present undefined (NaN)', () => {
    const conf = confusionMatrix(u8(255, 255), u8(0, 3))
    expect(conf.counts.every((v) => v === 0)).toBe(true)
    expect(miouAll21(conf)).toBe(0)
    expect(Number.isNaN(miouPresent(conf))).toBe(true)
  })

  it('sums matrices of several images', () => {
    const a = confusionMatrix(u8(0, 1), u8(0, 0), 2)
    const b = confusionMatrix(u8(1, 1), u8(1, 0), 2)
    expect([...sumConfusions(2, [a, b]).counts]).toEqual([1, 0, 2, 1])
  })

  it('refuses predictions outside 0..n−1 (255 included), GT labels outside 0..n−1 and 255, size mismatch', () => {
    expect(() => confusionMatrix(u8(0, 1), u8(0, 255))).toThrow(/prediction holds label 255 at pixel 1/)
    // Even where the GT is void: a prediction is a class at every pixel.
    expect(() => confusionMatrix(u8(255), u8(21))).toThrow(/prediction holds label 21/)
    expect(() => confusionMatrix(u8(40), u8(0))).toThrow(/ground truth holds label 40 .*allowed 0–20 and 255/)
    expect(() => confusionMatrix(u8(3), u8(0), 3)).toThrow(/label 3/)
    expect(() => confusionMatrix(u8(0, 0), u8(0))).toThrow(/differ in size/)
    expect(() => confusionMatrix(u8(0), u8(0), 0)).toThrow(/numClasses/)
    expect(() => confusionMatrix(u8(0), u8(0), 256)).toThrow(/numClasses/)
  })
})

describe('FIoU of an image', () => {
  it('inter = same non-zero class, union = pred > 0 or GT > 0 with void as foreground', () => {
    // pixels (gt,pred): (0,0) none · (0,1) union · (1,1)×2 inter · (255,2) union · (2,0) union
    expect(fiouImage(GT, PRED, 3)).toBe(2 / 5)
  })

  it('is 0 when neither GT nor prediction has foreground (empty union)', () => {
    expect(fiouImage(u8(0, 0, 0), u8(0, 0, 0))).toBe(0)
  })

  it('void GT is foreground: an all-void GT with background prediction scores 0 over a full union', () => {
    expect(fiouImage(u8(255, 255), u8(0, 0))).toBe(0)
    // one right foreground pixel among a void pixel: inter 1, union 2
    expect(fiouImage(u8(255, 7), u8(0, 7))).toBe(1 / 2)
  })

  it('a wrong class is not an intersection; background agreement never is', () => {
    expect(fiouImage(u8(12, 12, 0), u8(8, 8, 0))).toBe(0)
    expect(fiouImage(u8(12, 0, 0), u8(12, 0, 0))).toBe(1)
  })

  it('checks labels like the confusion matrix', () => {
    expect(() => fiouImage(u8(0), u8(255))).toThrow(/prediction holds label 255/)
    expect(() => fiouImage(u8(30), u8(0))).toThrow(/ground truth holds label 30/)
  })
})

describe('nearest resize (Pillow pixel centres)', () => {
  it('maps x to ⌊(x+½)·src/dst⌋ accumulated as Pillow does', () => {
    expect([...nearestIndexMap(4, 2)]).toEqual([1, 3])
    expect([...nearestIndexMap(2, 4)]).toEqual([0, 0, 1, 1])
    expect([...nearestIndexMap(3, 3)]).toEqual([0, 1, 2])
    expect([...nearestIndexMap(5, 1)]).toEqual([2])
    // 2 → 7: the exact centre of column 3 is the tie 3.5·2/7 = 1, but Pillow's running sum is
    // 0.99999…, so it takes source column 0 — and so do we.
    expect([...nearestIndexMap(2, 7)]).toEqual([0, 0, 0, 0, 1, 1, 1])
  })

  it('resizes a 2×2 map to 4×2 and 1×1', () => {
    const map = { width: 2, height: 2, labels: u8(1, 2, 3, 4) }
    expect([...resizeLabelsNearest(map, 4, 2).labels]).toEqual([1, 1, 2, 2, 3, 3, 4, 4])
    expect([...resizeLabelsNearest(map, 1, 1).labels]).toEqual([4])
    const same = resizeLabelsNearest(map, 2, 2)
    expect([...same.labels]).toEqual([1, 2, 3, 4])
    expect(same.labels).not.toBe(map.labels)
  })

  it('refuses empty sizes and inconsistent maps', () => {
    expect(() => nearestIndexMap(0, 3)).toThrow(/positive integers/)
    expect(() => resizeLabelsNearest({ width: 2, height: 2, labels: u8(1) }, 1, 1)).toThrow(/holds 1 values/)
  })
})

describe('per-user and mean-over-users', () => {
  it('pools the confusion over images, averages FIoU per image, counts images per GT class', () => {
    const user = new UserEvaluation(3)
    user.add('a', u8(0, 1, 1, 2), u8(0, 1, 0, 2)) // FIoU: inter 2 (1,2), union 3 → 2/3
    user.add('b', u8(0, 0, 255, 0), u8(0, 0, 0, 0)) // FIoU: union 1 (void), inter 0 → 0
    const m = user.result()
    expect(m.images).toBe(2)
    // rows: GT0 [4 0 0] (3 from b), GT1 [1 1 0], GT2 [0 0 1]
    expect([...m.confusion.counts]).toEqual([4, 0, 0, 1, 1, 0, 0, 0, 1])
    expect(m.fiou).toBeCloseTo((2 / 3 + 0) / 2, 14)
    expect([...m.perClassImages]).toEqual([2, 1, 1])
    expect(m.perImage.map((s) => s.name)).toEqual(['a', 'b'])
    // IoU0 = 4/(4+5−4) = 4/5, IoU1 = 1/(2+1−1) = 1/2, IoU2 = 1
    expect(m.miouAll21).toBeCloseTo((4 / 5 + 1 / 2 + 1) / 3, 14)
  })

  it('a bad pair throws without changing the user', () => {
    const user = new UserEvaluation(3)
    user.add('a', u8(1), u8(1))
    expect(() => user.add('b', u8(1, 1), u8(1, 255))).toThrow(/prediction holds label 255/)
    const m = user.result()
    expect(m.images).toBe(1)
    expect([...m.confusion.counts]).toEqual([0, 0, 0, 0, 1, 0, 0, 0, 0])
  })

  it('the Mean column is the mean of the per-user numbers; undefined present MIoU is skipped', () => {
    const a = new UserEvaluation(2)
    a.add('a1', u8(1, 1, 0, 0), u8(1, 0, 0, 0)) // IoU0 = 2/3, IoU1 = 1/2; FIoU 1/2
    const b = new UserEvaluation(2)
    b.add('b1', u8(1, 1), u8(1, 1)) // IoU0 absent (0 / NaN), IoU1 = 1; FIoU 1
    const c = new UserEvaluation(2)
    c.add('c1', u8(255), u8(0)) // nothing scored: all21 0, present NaN; FIoU 0
    const mean = meanOverUsers([a.result(), b.result(), c.result()])
    expect(mean.users).toBe(3)
    expect(mean.images).toBe(3)
    expect(mean.fiou).toBeCloseTo((1 / 2 + 1 + 0) / 3, 14)
    expect(mean.miouAll21).toBeCloseTo(((2 / 3 + 1 / 2) / 2 + 1 / 2 + 0) / 3, 14)
    expect(mean.miouPresent).toBeCloseTo(((2 / 3 + 1 / 2) / 2 + 1) / 2, 14)
    expect(mean.perClass[0]).toBeCloseTo(2 / 3 / 3, 14)
    expect(mean.perClassPresent[0]).toBeCloseTo(2 / 3, 14)
    expect(mean.perClassPresent[1]).toBeCloseTo((1 / 2 + 1) / 2, 14)
    expect([...mean.perClassImages]).toEqual([1, 2])
    expect(() => meanOverUsers([])).toThrow(/no users/)
  })
})
