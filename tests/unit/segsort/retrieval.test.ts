/**
 * k-NN retrieval and voting on a hand-built memory bank (the true nearest entries are known by construction),
 * image segments (k-means ∩ ground truth, prototypes, boxes), and the bank / explain files round trip.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { knnVote, nearestEntries } from '../../../src/main/engine/segsort/knn-vote'
import { imageSegments, scaleBox } from '../../../src/main/engine/segsort/image-segments'
import { readBank, readExplain, writeBank, writeExplain } from '../../../src/main/engine/segsort/bank-files'

function unit(v: number[]): number[] {
  const n = Math.hypot(...v)
  return v.map((x) => x / n)
}

/** Bank entries at angles θ_j on the unit circle of the (x, y) plane, in 3-D. */
function circleBank(
  angles: number[],
  labels: number[],
): { dim: number; prototypes: Float32Array; labels: number[] } {
  const p = angles.flatMap((a) => [Math.cos(a), Math.sin(a), 0])
  return { dim: 3, prototypes: Float32Array.from(p), labels }
}

describe('k-NN retrieval', () => {
  // Angles in degrees → radians; the query sits at 0°, so similarity falls with |angle|.
  const deg = [170, 10, -25, 40, 90, -100, 5, 60].map((d) => (d * Math.PI) / 180)
  const labels = [1, 2, 2, 3, 1, 1, 3, 2]
  const bank = circleBank(deg, labels)
  const query = [1, 0, 0]

  it('returns the true nearest entries, most similar first, with their cosine', () => {
    const n = nearestEntries(bank, query, 4)
    // |angles|: 5 (6), 10 (1), 25 (2), 40 (3)
    expect(n.map((e) => e.index)).toEqual([6, 1, 2, 3])
    n.forEach((e) => expect(e.similarity).toBeCloseTo(Math.cos(deg[e.index]!), 6))
    expect(nearestEntries(bank, query, 50)).toHaveLength(8)
  })

  it('labels by majority among the k nearest, and by similarity mass on a tie', () => {
    // k=3: 6→3, 1→2, 2→2 → class 2 (two votes).
    const v3 = knnVote(bank, query, 3)
    expect(v3.label).toBe(2)
    expect(v3.votes).toEqual({ 3: 1, 2: 2 })
    // k=1: the single nearest decides.
    expect(knnVote(bank, query, 1).label).toBe(3)
    // k=4: 2 votes for class 2 (10°, 25°) vs 2 for class 3 (5°, 40°): mass cos10+cos25 > cos5+cos40 → 2.
    const v4 = knnVote(bank, query, 4)
    expect(v4.votes).toEqual({ 3: 2, 2: 2 })
    expect(v4.label).toBe(2)
  })

  it('says what is wrong with a bad query or an empty bank', () => {
    expect(() => nearestEntries(bank, [1, 0], 2)).toThrow(/query has 2 values, the bank 3/)
    expect(() => knnVote({ dim: 3, prototypes: new Float32Array(0), labels: [] }, query, 2)).toThrow(/empty/)
  })
})

describe('image segments', () => {
  it('cut an image into clusters of its embeddings, split by the ground truth', () => {
    // 4×4 image: left half embeds along e1, right half along e2; GT: top row class 5, rest class 0, one void.
    const h = 4
    const w = 4
    const emb: number[] = []
    const gt: number[] = []
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        emb.push(...(x < 2 ? unit([1, 0.01 * y]) : unit([0.01 * y, 1])))
        gt.push(y === 0 ? 5 : y === 3 && x === 3 ? 255 : 0)
      }
    }
    const q = imageSegments(Float32Array.from(emb), h, w, 2, 2, 1)
    expect(q.count).toBe(2)
    expect(q.boxes.map((b) => b.join())).toEqual(expect.arrayContaining(['0,0,2,4', '2,0,4,4']))
    const a = imageSegments(Float32Array.from(emb), h, w, 2, 2, 1, gt)
    expect(a.count).toBe(4) // (left, 5) (right, 5) (left, 0) (right, 0)
    expect([...a.classes].sort()).toEqual([0, 0, 5, 5])
    expect(a.segmentOf[15]).toBe(-1)
    const pixels = [...a.pixels].sort((m, n) => m - n)
    expect(pixels).toEqual([2, 2, 5, 6])
    for (let s = 0; s < a.count; s++) {
      const p = a.prototypes.subarray(s * 2, s * 2 + 2)
      expect(Math.hypot(p[0]!, p[1]!)).toBeCloseTo(1, 5)
    }
  })

  it('scales boxes to the original image', () => {
    expect(scaleBox([0, 8, 16, 32], 32, 32, 100, 64)).toEqual([0, 25, 32, 100])
  })
})

describe('bank and explain files', () => {
  let dir = ''
  afterEach(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true })
  })

  it('round-trip and refuse a truncated prototype file', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'segsort-bank-'))
    const entries = [
      {
        origin: 'source' as const,
        key: '12',
        label: 3,
        pixels: 40,
        bbox: [1, 2, 30, 40] as [number, number, number, number],
        imageWidth: 64,
        imageHeight: 48,
      },
      {
        origin: 'album-validation' as const,
        key: '7',
        label: 0,
        pixels: 9,
        bbox: [0, 0, 5, 5] as [number, number, number, number],
        imageWidth: 10,
        imageHeight: 10,
      },
    ]
    const prototypes = Float32Array.from([0.6, 0.8, 1, 0])
    writeBank(dir, { dim: 2, size: 32, origins: ['source', 'album-validation'], entries, prototypes })
    const back = readBank(dir)
    expect(back.entries).toEqual(entries)
    expect([...back.prototypes]).toEqual([...prototypes])
    writeExplain(
      dir,
      {
        version: 1,
        name: '5',
        width: 3,
        height: 2,
        knn: 2,
        segments: [
          {
            id: 0,
            label: 3,
            pixels: 6,
            bbox: [0, 0, 3, 2],
            votes: { 3: 1, 0: 1 },
            neighbours: [
              { index: 0, similarity: 0.9 },
              { index: 1, similarity: 0.1 },
            ],
          },
        ],
      },
      { width: 3, height: 2, labels: new Uint8Array(6) },
    )
    const ex = readExplain(dir, '5')
    expect(ex.record.segments[0]!.neighbours[0]!.index).toBe(0)
    expect(ex.segments.width).toBe(3)
    expect(() => readExplain(dir, '../x')).toThrow(/plain file stem/)
    fs.truncateSync(path.join(dir, 'bank', 'prototypes.bin'), 8)
    expect(() => readBank(dir)).toThrow(/prototypes.bin: holds 8 bytes/)
  })
})
