/**
 * The co-segmentation rule on constructed inputs: untagged classes never appear, a weakly activated
 * image gets the object its group agrees on through feature affinity (and does not without it), the
 * result is deterministic, and the arithmetic matches an independent numpy reference.
 */
import { execFileSync } from 'node:child_process'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { cosegConfig } from '../../../src/main/engine/coseg/coseg-config'
import {
  cosegmentGroup,
  resizeBilinearAlignCorners,
  type GroupImageMaps,
} from '../../../src/main/engine/coseg/coseg-group'
import {
  allowedClasses,
  groupPrototypes,
  l2NormalizeRows,
  refineScores,
  restrictedSoftmax,
} from '../../../src/main/engine/coseg/coseg-math'

const C = 21
const DOG = 12
const CAT = 8

/** Deterministic pseudo-random numbers (tests only). */
function lcg(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

/** A flat RGB image of the grid's size (so the upsampling is the identity). */
function flatImage(w: number, h: number, fill = 128): { width: number; height: number; data: Uint8Array } {
  return { width: w, height: h, data: new Uint8Array(w * h * 3).fill(fill) }
}

/**
 * A grid image: pixels where `isObject` hold feature `objFeat` and logits favouring DOG by `objMargin`
 * (negative = background wins), the rest hold `bgFeat` and a confident background.
 */
function gridImage(
  w: number,
  h: number,
  isObject: (x: number, y: number) => boolean,
  objFeat: number[],
  bgFeat: number[],
  objMargin: number,
  tags: number[] = [DOG],
): GroupImageMaps {
  const d = objFeat.length
  const logits = new Float32Array(w * h * C)
  const features = new Float32Array(w * h * d)
  // The object has its own colour, as a photographed object would (the CRF's appearance kernel sees it).
  const image = flatImage(w, h, 30)
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = y * w + x
      const obj = isObject(x, y)
      logits[i * C] = obj ? 0 : 4
      logits[i * C + DOG] = obj ? objMargin : 0
      ;(obj ? objFeat : bgFeat).forEach((v, j) => (features[i * d + j] = v))
      if (obj) image.data.fill(200, i * 3, i * 3 + 3)
    }
  return { tags, image, gridH: h, gridW: w, logits, features }
}

const E1 = [1, 0, 0]
const E2 = [0, 1, 0]
const E3 = [0, 0, 1]

describe('restriction to the tags', () => {
  it('renormalises over background and the tags only', () => {
    const logits = new Float32Array(C).fill(0)
    logits[7] = 10 // an untagged class the model is sure of
    logits[DOG] = 1
    const p = restrictedSoftmax(logits, 1, C, allowedClasses([DOG], C))
    expect(p.length).toBe(2)
    expect(p[0]! + p[1]!).toBeCloseTo(1, 6)
    expect(p[1]! / p[0]!).toBeCloseTo(Math.E, 5)
    expect(allowedClasses([12, 3, 12, 0, 25], C)).toEqual([0, 3, 12])
  })

  it('never proposes a class that is not tagged, even where the model is sure of it', () => {
    const rnd = lcg(5)
    const w = 12
    const h = 10
    const maps: GroupImageMaps[] = [0, 1, 2].map((k) => {
      const logits = new Float32Array(w * h * C)
      for (let i = 0; i < w * h; i++) {
        for (let c = 0; c < C; c++) logits[i * C + c] = rnd() * 2
        logits[i * C + 7] = 9 // untagged 'car' dominates everywhere
      }
      const features = Float32Array.from({ length: w * h * 4 }, () => rnd())
      return {
        tags: k === 2 ? [DOG, CAT] : [DOG],
        image: flatImage(w, h, 40 + k * 60),
        gridH: h,
        gridW: w,
        logits,
        features,
      }
    })
    for (const crf of [null, {}] as const) {
      const out = cosegmentGroup(maps, C, 4, cosegConfig({ crf, minConfidence: 0 }))
      out.labels.forEach((labels, k) => {
        const allowed = new Set(k === 2 ? [0, DOG, CAT] : [0, DOG])
        for (const v of labels) expect(allowed.has(v)).toBe(true)
      })
    }
  })
})

describe('affinity across the group', () => {
  const w = 8
  const h = 8
  // A: the dog (left half) is clearly activated. B: its dog (top half) has the SAME feature but the
  // model leans to background there (p_dog ≈ 0.12 after restriction).
  const a = gridImage(w, h, (x) => x < 4, E1, E2, 8)
  const bSame = gridImage(w, h, (_x, y) => y < 4, E1, E2, -2)
  const bOther = gridImage(w, h, (_x, y) => y < 4, E3, E2, -2)
  const topHalf = (labels: Uint8Array): number[] => [...labels.subarray(0, 4 * w)]
  const bottomHalf = (labels: Uint8Array): number[] => [...labels.subarray(4 * w)]

  it('gives both images the object they share', () => {
    for (const crf of [null, {}] as const) {
      const out = cosegmentGroup([a, bSame], C, 3, cosegConfig({ crf }))
      const [la, lb] = out.labels as [Uint8Array, Uint8Array]
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) expect(la[y * w + x]).toBe(x < 4 ? DOG : 0)
      expect(new Set(topHalf(lb))).toEqual(new Set([DOG]))
      expect(new Set(bottomHalf(lb))).toEqual(new Set([0]))
      expect(out.prototypes.find((p) => p.cls === DOG)).toMatchObject({ seeded: true, images: 1, pixels: 32 })
    }
  })

  it('does not without the affinity term, nor when the features differ', () => {
    const noAffinity = cosegmentGroup([a, bSame], C, 3, cosegConfig({ crf: null, affinityWeight: 0 }))
    expect(topHalf(noAffinity.labels[1]!).every((v) => v !== DOG)).toBe(true)
    const other = cosegmentGroup([a, bOther], C, 3, cosegConfig({ crf: null }))
    expect(topHalf(other.labels[1]!).every((v) => v !== DOG)).toBe(true)
  })

  it('builds prototypes only from images that carry the tag', () => {
    // C's object has the dog feature and a confident dog activation, but C is tagged 'cat': it must not
    // seed the dog prototype (the dog prototype then comes from A alone).
    const c = gridImage(w, h, () => true, [0.6, 0.8, 0], E2, 8, [CAT])
    const members = [a, c].map((im) => {
      const allowed = allowedClasses(im.tags, C)
      return {
        m: w * h,
        allowed,
        act: restrictedSoftmax(im.logits, w * h, C, allowed),
        unit: l2NormalizeRows(im.features, w * h, 3),
      }
    })
    const protos = groupPrototypes(members, 3, 0.6)
    expect([...protos.get(DOG)!.vector]).toEqual([1, 0, 0])
    expect(protos.get(DOG)!.images).toBe(1)
    // C's 'cat' activation is 0.5 everywhere (below the seed confidence): a soft, unseeded prototype.
    expect(protos.get(CAT)).toMatchObject({ seeded: false, images: 1, pixels: w * h })
  })
})

describe('determinism and the reference', () => {
  it('gives identical labels on identical inputs (CRF included)', () => {
    const rnd = lcg(11)
    const make = (): GroupImageMaps[] =>
      [0, 1].map(() => ({
        tags: [DOG],
        image: {
          width: 24,
          height: 20,
          data: Uint8Array.from({ length: 24 * 20 * 3 }, () => Math.floor(rnd() * 256)),
        },
        gridH: 3,
        gridW: 3,
        logits: Float32Array.from({ length: 9 * C }, () => rnd() * 4),
        features: Float32Array.from({ length: 9 * 5 }, () => rnd()),
      }))
    const maps = make()
    const one = cosegmentGroup(maps, C, 5, cosegConfig())
    const two = cosegmentGroup(maps, C, 5, cosegConfig())
    expect(two.labels).toEqual(one.labels)
  })

  it('matches an independent numpy implementation of the rule', () => {
    const rnd = lcg(3)
    const dim = 6
    const m = 7 * 5
    const cfg = cosegConfig({
      crf: null,
      affinityWeight: 0.4,
      temperature: 0.25,
      seedConfidence: 0.5,
      minConfidence: 0.55,
    })
    const tagsOf = [[DOG], [DOG, CAT], [CAT, 3], [DOG]]
    const maps: GroupImageMaps[] = tagsOf.map((tags) => ({
      tags,
      image: flatImage(7, 5),
      gridH: 5,
      gridW: 7,
      logits: Float32Array.from({ length: m * C }, () => rnd() * 6 - 3),
      features: Float32Array.from({ length: m * dim }, () => (rnd() < 0.2 ? 0 : rnd())),
    }))
    const out = cosegmentGroup(maps, C, dim, cfg)
    const ref = JSON.parse(
      execFileSync('/usr/bin/python3', [path.join(__dirname, 'coseg_reference.py')], {
        input: JSON.stringify({
          numClasses: C,
          dim,
          config: cfg,
          images: maps.map((im) => ({
            tags: im.tags,
            m,
            logits: [...im.logits],
            features: [...im.features],
          })),
        }),
      }).toString(),
    ) as { labels: number[][]; scores: number[][] }
    // The case is not degenerate: background, both tags and "no proposal" all occur.
    const seen = new Set(ref.labels.flat())
    for (const v of [0, DOG, CAT, 255]) expect(seen.has(v), String(v)).toBe(true)
    out.labels.forEach((l, i) => expect([...l]).toEqual(ref.labels[i]))
    // The scores themselves, through the exported pieces.
    const members = maps.map((im) => {
      const allowed = allowedClasses(im.tags, C)
      return {
        m,
        allowed,
        act: restrictedSoftmax(im.logits, m, C, allowed),
        unit: l2NormalizeRows(im.features, m, dim),
      }
    })
    const protos = groupPrototypes(members, dim, cfg.seedConfidence)
    members.forEach((mem, i) => {
      const s = refineScores(mem, protos, dim, cfg)
      s.forEach((v, j) => expect(v).toBeCloseTo(ref.scores[i]![j]!, 4))
    })
  })

  it('upsamples with aligned corners', () => {
    // 2×2 → 3×3: corners kept, centre = mean.
    const up = resizeBilinearAlignCorners(Float32Array.from([0, 2, 4, 6]), 2, 2, 1, 3, 3)
    expect([...up]).toEqual([0, 1, 2, 2, 3, 4, 4, 5, 6])
  })
})
