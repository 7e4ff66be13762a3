/**
 * Per-class IoU of the methods bench (paper Tables 7/8) on constructed inputs, expected numbers worked out
 * by hand here: one user's class scores from two label maps, the per-seed mean over users in both
 * conventions (all-21: absent = 0; present: over the users where the class is present), mean ± sample std
 * over seeds, image counts summed over users; the classes × methods text tables and the `--json` key.
 */
import { describe, expect, it } from 'vitest'
import { toBenchJson } from '../../../../src/main/cli/commands/bench'
import { perClassTables } from '../../../../src/main/cli/commands/bench-tables'
import { UserEvaluation } from '../../../../src/main/engine/eval/user-metrics'
import {
  className,
  classScoresOf,
  summarizePerClass,
  type ClassScores,
  type RawScore,
} from '../../../../src/main/engine/pipelines/methods-stats'

/** A 3-class user scored on one image pair. */
function userOf(gt: number[], pred: number[]): ClassScores {
  const e = new UserEvaluation(3)
  e.add('img', Uint8Array.from(gt), Uint8Array.from(pred))
  return classScoresOf(e.result())
}

// u1: GT [0,0,1,1,void], prediction [0,1,1,1,2] (the void pixel is left out of the matrix):
//   class 0: ∩ 1, ∪ 2 + 1 − 1 = 2 → 50 %; class 1: ∩ 2, ∪ 2 + 3 − 2 = 3 → 66.67 %; class 2: absent.
const u1 = userOf([0, 0, 1, 1, 255], [0, 1, 1, 1, 2])
// u2: GT [2,2,0,0,0], prediction [2,0,0,0,0]:
//   class 0: ∩ 3, ∪ 3 + 4 − 3 = 4 → 75 %; class 1: absent; class 2: ∩ 1, ∪ 2 + 1 − 1 = 2 → 50 %.
const u2 = userOf([2, 2, 0, 0, 0], [2, 0, 0, 0, 0])

const raw = (seed: number, user: string, perClass: ClassScores): RawScore => ({
  seed,
  method: 'm',
  user,
  scores: { fiou: 0, miou_all21: 0, miou_present: null, miou_paper: null },
  perClass,
})

const rows: RawScore[] = [
  raw(1, 'u1', u1),
  raw(1, 'u2', u2),
  raw(2, 'u1', { all21: [40, 20, 0], present: [40, 20, null], images: [1, 1, 0] }),
  raw(2, 'u2', { all21: [60, 0, 30], present: [60, null, 30], images: [1, 0, 1] }),
  // Another entry and an old-format score (no per-class numbers) are not mixed in.
  { ...raw(1, 'u1', u2), method: 'other' },
  {
    seed: 2,
    method: 'm',
    user: 'u3',
    scores: { fiou: 0, miou_all21: 0, miou_present: null, miou_paper: null },
  },
]

describe('per-class IoU of the methods bench', () => {
  it('scores one user per class in both conventions, with the images holding each class', () => {
    expect(u1.all21[0]).toBeCloseTo(50, 12)
    expect(u1.all21[1]).toBeCloseTo(200 / 3, 12)
    expect(u1.all21[2]).toBe(0)
    expect(u1.present).toEqual([u1.all21[0], u1.all21[1], null])
    expect(u1.images).toEqual([1, 1, 0])
    expect(u2.all21.map((v) => +v.toFixed(9))).toEqual([75, 0, 50])
    expect(u2.present[1]).toBeNull()
    expect(u2.images).toEqual([1, 0, 1])
  })

  it('averages over users per seed, then mean ± std over seeds', () => {
    const s = summarizePerClass(rows, 'm', [1, 2])!
    expect(s.seeds).toBe(2)
    expect(s.users).toBe(2)
    expect(Object.keys(s.classes)).toEqual(['class 0', 'class 1', 'class 2'])
    // Seed 1: all-21 [(50+75)/2, (66.67+0)/2, (0+50)/2] = [62.5, 33.33, 25]; present [62.5, 66.67, 50].
    // Seed 2: all-21 [50, 10, 15]; present [50, 20, 30]. Sample std of two values: |a − b| / √2.
    const expected = [
      { all21: [62.5, 50], present: [62.5, 50], images: 2 },
      { all21: [100 / 3, 10], present: [200 / 3, 20], images: 1 },
      { all21: [25, 15], present: [50, 30], images: 1 },
    ]
    expected.forEach((e, c) => {
      const got = s.classes[`class ${c}`]!
      expect(got.images).toBe(e.images)
      expect(got.all21).toBeCloseTo((e.all21[0]! + e.all21[1]!) / 2, 9)
      expect(got.all21Std).toBeCloseTo(Math.abs(e.all21[0]! - e.all21[1]!) / Math.SQRT2, 9)
      expect(got.present!).toBeCloseTo((e.present[0]! + e.present[1]!) / 2, 9)
      expect(got.presentStd!).toBeCloseTo(Math.abs(e.present[0]! - e.present[1]!) / Math.SQRT2, 9)
    })
  })

  it('a class present for no user has no present-convention value; no per-class numbers, no summary', () => {
    const one = summarizePerClass([raw(1, 'u1', u1)], 'm', [1])!
    expect(one.classes['class 2']).toEqual({
      images: 0,
      all21: 0,
      all21Std: 0,
      present: null,
      presentStd: null,
    })
    expect(summarizePerClass(rows, 'nothing', [1, 2])).toBeNull()
    expect(summarizePerClass([rows[5]!], 'm', [2])).toBeNull()
    expect(() =>
      summarizePerClass(
        [raw(1, 'u1', u1), raw(1, 'u2', { all21: [1], present: [1], images: [1] })],
        'm',
        [1],
      ),
    ).toThrow(/different class counts/)
  })

  it('names the VOC classes', () => {
    expect([className(0, 21), className(1, 21), className(20, 21)]).toEqual([
      'background',
      'aeroplane',
      'tvmonitor',
    ])
    expect(className(1, 3)).toBe('class 1')
  })

  it('prints classes × methods tables with image counts, ± std over seeds, and the all-21 class mean', () => {
    const a = summarizePerClass(rows, 'm', [1, 2])!
    const b = summarizePerClass([raw(1, 'u1', u1), raw(1, 'u2', u2)], 'm', [1])!
    const lines = perClassTables({ perClass: { 'pss-s2': a, noda: b } })
    const text = lines.join('\n')
    expect(lines[0]).toMatch(/all-21 convention .* mean over 2 users, mean ± std over 2 seeds/)
    expect(text).toMatch(/^class +images +pss-s2 +noda$/m)
    // pss-s2 (2 seeds): class 0 = 56.25 ± 8.84; noda (1 seed): 62.50, no ±.
    expect(text).toMatch(/^class 0 +2 +56\.25±8\.84 +62\.50$/m)
    expect(text).toMatch(/^class 1 +1 +21\.67±16\.50 +33\.33$/m)
    // MEAN row: mean over the 3 classes of the all-21 means (56.25 + 21.67 + 20) / 3 = 32.64; noda 40.28.
    expect(text).toMatch(/^MEAN +32\.64 +40\.28$/m)
    // Present convention: class 1 over u1 only in seed 1 (66.67) and seed 2 (20).
    const present = text.slice(text.indexOf('present convention'))
    expect(present).toMatch(/^class 1 +1 +43\.33±33\.00 +66\.67$/m)
    expect(present).not.toMatch(/^MEAN/m)
    const only = perClassTables({ perClass: { x: summarizePerClass([raw(1, 'u1', u1)], 'm', [1])! } })
    expect(only.join('\n')).toMatch(/^class 2 +0 +–$/m)
    expect(perClassTables({ perClass: {} })).toEqual([])
  })

  it('is under `perClass` in the --json object, and absent when there is none', () => {
    const meta = {
      wallSeconds: 1,
      preset: 'tiny' as const,
      seeds: 2,
      iterations: { source: 1, adapt: 1, contextWarmup: 0 },
      ndf: 4,
    }
    const s = summarizePerClass(rows, 'm', [1, 2])!
    const json = JSON.parse(
      JSON.stringify(toBenchJson({ methods: {}, ablations: null, perClass: { m: s } }, meta)),
    ) as { perClass: Record<string, { classes: Record<string, Record<string, unknown>> }> }
    expect(Object.keys(json.perClass.m!.classes['class 1']!).sort()).toEqual(
      ['all21', 'all21Std', 'images', 'present', 'presentStd'].sort(),
    )
    expect(toBenchJson({ methods: {}, ablations: null }, meta)).not.toHaveProperty('perClass')
    expect(toBenchJson({ methods: {}, ablations: null, perClass: {} }, meta)).not.toHaveProperty('perClass')
  })
})
