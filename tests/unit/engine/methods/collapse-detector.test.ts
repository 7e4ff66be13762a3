/**
 * The collapse detector on synthetic probabilities: the summary of a probe batch (background share,
 * dominant class, normalised entropy) and the collapse decision against the stage's start — background
 * taking over, one confident class taking over, and the cases that must not stop a stage.
 */
import { describe, expect, it } from 'vitest'
import {
  collapseMessage,
  detectCollapse,
  predictionStats,
  type PredictionStats,
} from '../../../../src/main/engine/methods/collapse-detector'

const C = 4

/** Pixels with the given argmax classes, each with probability `peak` on it and the rest spread evenly. */
function probs(classes: number[], peak: number): Float32Array {
  const out = new Float32Array(classes.length * C)
  classes.forEach((k, p) => {
    for (let c = 0; c < C; c++) out[p * C + c] = c === k ? peak : (1 - peak) / (C - 1)
  })
  return out
}

/** `n` pixels: the first round(n·bg) background, the rest cycling through classes 1..C−1. */
function mix(n: number, bg: number, peak = 0.7): PredictionStats {
  const nb = Math.round(n * bg)
  return predictionStats(
    probs(
      Array.from({ length: n }, (_, i) => (i < nb ? 0 : 1 + (i % (C - 1)))),
      peak,
    ),
    C,
  )
}

describe('predictionStats', () => {
  it('counts argmax shares and the normalised mean entropy', () => {
    const s = predictionStats(probs([0, 0, 2, 2, 2, 1], 1), C)
    expect(s.pixels).toBe(6)
    expect(s.backgroundShare).toBeCloseTo(2 / 6)
    expect(s.dominantClass).toBe(2)
    expect(s.dominantShare).toBeCloseTo(0.5)
    expect(s.shares).toEqual([2 / 6, 1 / 6, 0.5, 0])
    expect(s.meanEntropy).toBe(0)
    expect(predictionStats(new Float32Array(3 * C).fill(1 / C), C).meanEntropy).toBeCloseTo(1, 6)
  })
  it('refuses probabilities that are not whole pixels', () => {
    expect(() => predictionStats(new Float32Array(7), C)).toThrow(/not whole pixels of 4 classes/)
    expect(() => predictionStats(new Float32Array(0), C)).toThrow(/not whole pixels/)
  })
})

describe('detectCollapse', () => {
  it('stops when background jumps above 98 % and ≥ 0.2 above the start', () => {
    const c = detectCollapse(mix(1000, 0.7), mix(1000, 0.996))
    expect(c).toEqual({ kind: 'background', classId: 0, share: 0.996, startShare: 0.7 })
    expect(collapseMessage('advent', 12, 100, c!, 'background')).toBe(
      "stage advent stopped at step 12 of 100: predictions collapsed to background (99.6 % of pixels; 70.0 % at the stage's start)",
    )
  })

  it('stops a background-heavy start once its objects have all but vanished', () => {
    // 90 % → 99.5 %: a rise of only 0.095, but 95 % of the object pixels are gone.
    expect(detectCollapse(mix(1000, 0.9), mix(1000, 0.995))?.kind).toBe('background')
    // 90 % → 98.5 %: 85 % of them are gone — not yet.
    expect(detectCollapse(mix(1000, 0.9), mix(1000, 0.985))).toBeNull()
  })

  it('does not stop a model that was already all background, nor one below 98 %', () => {
    expect(detectCollapse(mix(1000, 0.99), mix(1000, 0.995))).toBeNull()
    expect(detectCollapse(mix(1000, 1), mix(1000, 1))).toBeNull()
    expect(detectCollapse(mix(1000, 0.98), mix(1000, 1))).toBeNull()
    expect(detectCollapse(mix(1000, 0.5), mix(1000, 0.97))).toBeNull()
    expect(detectCollapse(mix(1000, 0.5), mix(1000, 0.5))).toBeNull()
  })

  it('stops on one confident non-background class, but not on an uncertain one', () => {
    const start = mix(1000, 0.6)
    const confident = predictionStats(
      probs(
        Array.from({ length: 1000 }, (_, i) => (i < 995 ? 3 : 0)),
        0.999,
      ),
      C,
    )
    // Class 3 held a third of the start's 40 % of objects: 13.3 % of the pixels.
    expect(detectCollapse(start, confident)).toEqual({
      kind: 'single-class',
      classId: 3,
      share: 0.995,
      startShare: start.shares[3],
    })
    expect(start.shares[3]).toBeCloseTo(0.133, 3)
    expect(collapseMessage('pss-s1', 4, 6, detectCollapse(start, confident)!, 'person')).toBe(
      "stage pss-s1 stopped at step 4 of 6: predictions collapsed to one class, person (99.5 % of pixels; 13.3 % at the stage's start, near-zero entropy)",
    )
    const unsure = predictionStats(
      probs(
        Array.from({ length: 1000 }, (_, i) => (i < 995 ? 3 : 0)),
        0.4,
      ),
      C,
    )
    expect(unsure.meanEntropy).toBeGreaterThan(0.05)
    expect(detectCollapse(start, unsure)).toBeNull()
  })
})
