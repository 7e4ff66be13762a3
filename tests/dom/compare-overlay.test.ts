import { describe, expect, it } from 'vitest'
import {
  ChangeCode,
  classifyErrors,
  codesToRgba,
  countCodes,
  ERROR_COLORS,
  ErrorCode,
  errorCode,
  helpedHurt,
} from '../../src/renderer/src/compare/error-overlay'

describe('per-pixel error overlay', () => {
  it('classifies correct, wrong class, missed, false foreground and void', () => {
    // gt:   bg  bg  cat cat cat void person
    // pred: bg  dog cat dog bg  dog  bg
    const gt = Uint8Array.from([0, 0, 8, 8, 8, 255, 15])
    const pred = Uint8Array.from([0, 12, 8, 12, 0, 12, 0])
    expect(Array.from(classifyErrors(gt, pred))).toEqual([
      ErrorCode.Correct,
      ErrorCode.FalseForeground,
      ErrorCode.Correct,
      ErrorCode.WrongClass,
      ErrorCode.Missed,
      ErrorCode.Ignore,
      ErrorCode.Missed,
    ])
    expect(countCodes(classifyErrors(gt, pred), 5)).toEqual([1, 2, 1, 2, 1])
  })
  it('treats every (gt, pred) pair of the 21 classes consistently', () => {
    for (let g = 0; g <= 20; g++)
      for (let p = 0; p <= 20; p++) {
        const c = errorCode(g, p)
        if (g === p) expect(c).toBe(ErrorCode.Correct)
        else if (g === 0) expect(c).toBe(ErrorCode.FalseForeground)
        else if (p === 0) expect(c).toBe(ErrorCode.Missed)
        else expect(c).toBe(ErrorCode.WrongClass)
      }
  })
  it('refuses label maps of different sizes', () => {
    expect(() => classifyErrors(new Uint8Array(4), new Uint8Array(5))).toThrow(/4 ground-truth pixels but 5/)
  })
  it('colours codes as RGBA', () => {
    const rgba = codesToRgba(Uint8Array.from([ErrorCode.Ignore, ErrorCode.Missed]), ERROR_COLORS)
    expect(Array.from(rgba)).toEqual([0, 0, 0, 0, ...ERROR_COLORS[ErrorCode.Missed]])
  })
})

describe('helped / hurt against a baseline', () => {
  it('marks pixels right now and wrong before as helped, the reverse as hurt, void never', () => {
    const gt = Uint8Array.from([1, 1, 1, 1, 0, 255])
    const run = Uint8Array.from([1, 1, 2, 0, 3, 4])
    const base = Uint8Array.from([1, 0, 1, 0, 0, 255])
    expect(Array.from(helpedHurt(gt, run, base))).toEqual([
      ChangeCode.Same, // both right
      ChangeCode.Helped, // right now, missed before
      ChangeCode.Hurt, // wrong class now, right before
      ChangeCode.Same, // both wrong
      ChangeCode.Hurt, // false foreground now, background right before
      ChangeCode.Same, // void
    ])
  })
  it('is antisymmetric: swapping run and baseline swaps helped and hurt', () => {
    let s = 7
    const rnd = (): number => ((s = (s * 1103515245 + 12345) >>> 0) >>> 16) % 4
    const n = 500
    const gt = Uint8Array.from({ length: n }, () => rnd())
    const a = Uint8Array.from({ length: n }, () => rnd())
    const b = Uint8Array.from({ length: n }, () => rnd())
    const ab = helpedHurt(gt, a, b)
    const ba = helpedHurt(gt, b, a)
    for (let i = 0; i < n; i++) expect(ba[i]).toBe(ab[i] === 1 ? 2 : ab[i] === 2 ? 1 : 0)
    const counts = countCodes(ab, 3)
    expect(counts[1]! + counts[2]!).toBeGreaterThan(0)
  })
})
