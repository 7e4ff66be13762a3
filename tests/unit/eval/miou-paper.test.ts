/**
 * miou_paper (the paper's Tables 2/7 MIoU) on a hand-worked case whose answer differs from every
 * wrong reading: background included, predicted-only classes counted, absent classes counted as 0.
 */
import { describe, expect, it } from 'vitest'
import {
  confusionMatrix,
  meanOverUsers,
  miouAll21,
  miouPaper,
  miouPresent,
  objectClassesInGt,
  UserEvaluation,
} from '../../../src/main/engine/eval'

const u8 = (...v: number[]): Uint8Array => Uint8Array.from(v)

// One user, 21 classes. GT: background, person (15), dog (12), one void pixel. The prediction also
// says "bird" (3), a class in no GT pixel, and calls the void pixel a person (not scored).
//   idx:  0  1  2   3   4  5   6  7    8  9 10 11 12 13
//   gt:   0  0  0  15  15 15  12 12  255  0  0  0  0  0
//   pred: 0  0  3  15  15  0  12  3   15  0  0  0  0  0
// Confusion (void left out): GT0 → {0: 7, 3: 1}; GT15 → {15: 2, 0: 1}; GT12 → {12: 1, 3: 1}.
//   IoU0  = 7 / (8 + 8 − 7) = 7/9      (column 0 holds 7 + 1)
//   IoU15 = 2 / (3 + 2 − 2) = 2/3
//   IoU12 = 1 / (2 + 1 − 1) = 1/2
//   IoU3  = 0 / (0 + 2 − 0) = 0        (predicted only)
const GT = u8(0, 0, 0, 15, 15, 15, 12, 12, 255, 0, 0, 0, 0, 0)
const PRED = u8(0, 0, 3, 15, 15, 0, 12, 3, 15, 0, 0, 0, 0, 0)

describe('miou_paper: object classes present in the GT, background excluded', () => {
  const conf = confusionMatrix(GT, PRED)

  it('averages IoU over the GT object classes only: (2/3 + 1/2) / 2', () => {
    expect(objectClassesInGt(conf)).toEqual([12, 15])
    expect(miouPaper(conf)).toBeCloseTo((2 / 3 + 1 / 2) / 2, 14)
  })

  it('is none of the wrong readings', () => {
    const paper = miouPaper(conf)
    const withBackground = (7 / 9 + 2 / 3 + 1 / 2) / 3
    const withPredictedOnly = (2 / 3 + 1 / 2 + 0) / 3
    const absentAsZero = (2 / 3 + 1 / 2) / 20
    for (const wrong of [withBackground, withPredictedOnly, absentAsZero]) {
      expect(Math.abs(paper - wrong)).toBeGreaterThan(0.01)
    }
    // …and differs from the other two conventions on this case.
    expect(miouPresent(conf)).toBeCloseTo((7 / 9 + 2 / 3 + 1 / 2 + 0) / 4, 14)
    expect(miouAll21(conf)).toBeCloseTo((7 / 9 + 2 / 3 + 1 / 2) / 21, 14)
  })

  it('is undefined (NaN) when the GT holds no object pixel, even if the prediction does', () => {
    expect(Number.isNaN(miouPaper(confusionMatrix(u8(0, 0, 255), u8(0, 7, 7))))).toBe(true)
    expect(Number.isNaN(miouPaper(confusionMatrix(u8(255), u8(0))))).toBe(true)
  })

  it('a GT class the prediction misses entirely counts 0', () => {
    // GT: 1 and 2 on one pixel each; prediction gets 1 right, calls the 2 background.
    expect(miouPaper(confusionMatrix(u8(1, 2, 0), u8(1, 0, 0)))).toBeCloseTo((1 + 0) / 2, 14)
  })

  it('per user and in the Mean column (users without object pixels skipped)', () => {
    const a = new UserEvaluation()
    a.add('a1', GT.subarray(0, 5), PRED.subarray(0, 5))
    a.add('a2', GT.subarray(5), PRED.subarray(5))
    const b = new UserEvaluation()
    b.add('b1', u8(4, 4, 0), u8(4, 0, 0)) // IoU4 = 1/2
    const c = new UserEvaluation()
    c.add('c1', u8(0, 0), u8(0, 9)) // no object class in the GT: NaN, left out of the mean
    const [ra, rb, rc] = [a.result(), b.result(), c.result()]
    expect(ra.miouPaper).toBeCloseTo(7 / 12, 14)
    expect(rb.miouPaper).toBeCloseTo(1 / 2, 14)
    expect(Number.isNaN(rc.miouPaper)).toBe(true)
    expect(meanOverUsers([ra, rb, rc]).miouPaper).toBeCloseTo((7 / 12 + 1 / 2) / 2, 14)
  })
})
