/**
 * The SegSort loss against an independent float64 numpy implementation (make_golden.py → golden.json, its
 * gradient by central finite differences), a float32 finite-difference check of the tfjs gradient on the
 * engine's backend, and the pure pieces around it (segments, grid, spherical k-means).
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { buildSegments, gridRegions } from '../../../src/main/engine/segsort/segments'
import { segsortLoss, segsortLossMap } from '../../../src/main/engine/segsort/segsort-loss'
import { sphericalKMeans } from '../../../src/main/engine/segsort/spherical-kmeans'
import { downsampleLabels, LOSS_PIXELS, lossSide } from '../../../src/main/engine/segsort/segsort-run'
import { Rng } from '../../../src/main/engine/train/rng'
import { useBackend } from '../engine/helpers'

interface Golden {
  shape: [number, number, number, number]
  kappa: number
  grid: number
  x: number[]
  labels: number[]
  loss: number
  grad: number[]
}

const golden = JSON.parse(fs.readFileSync(path.join(__dirname, 'golden.json'), 'utf8')) as Golden

beforeAll(async () => {
  await useBackend('wasm')
})

function goldenSegments(): ReturnType<typeof buildSegments> {
  const [n, h, w] = golden.shape
  const grid = gridRegions(h, w, golden.grid)
  const regions = new Int32Array(n * h * w)
  for (let b = 0; b < n; b++) regions.set(grid, b * h * w)
  return buildSegments(golden.labels, regions, n, h * w)
}

describe('segsort loss', () => {
  it('matches the float64 numpy loss and its finite-difference gradient', () => {
    const [n, h, w, d] = golden.shape
    const seg = goldenSegments()
    const x = tf.tensor4d(golden.x, [n, h, w, d])
    const { value, grad: grads } = tf.valueAndGrad((t: tf.Tensor) =>
      segsortLossMap(t as tf.Tensor4D, seg, golden.kappa),
    )(x)
    const loss = value.dataSync()[0]!
    const g = grads.dataSync()
    expect(Math.abs(loss - golden.loss)).toBeLessThan(1e-5)
    const scale = Math.max(...golden.grad.map(Math.abs))
    expect(scale).toBeGreaterThan(1e-3) // the gradient is not trivially zero
    let worst = 0
    golden.grad.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - g[i]!))))
    expect(worst / scale).toBeLessThan(1e-3)
    tf.dispose([x, value, grads])
  })

  it('has the gradient of its own finite differences (float32, central, random input)', () => {
    const rng = new Rng(7)
    const n = 2
    const h = 3
    const w = 4
    const d = 3
    const labels = Array.from({ length: n * h * w }, () => [1, 2, 5, 255][rng.int(4)]!)
    const regions = new Int32Array(n * h * w)
    const g = gridRegions(h, w, 2)
    for (let b = 0; b < n; b++) regions.set(g, b * h * w)
    const seg = buildSegments(labels, regions, n, h * w)
    const values = Float32Array.from({ length: n * h * w * d }, () => rng.normal())
    const f = (v: Float32Array): number =>
      tf.tidy(() => segsortLoss(tf.tensor2d(v, [n * h * w, d]), seg, 4).dataSync()[0]!)
    const grad = tf.tidy(() =>
      tf
        .grad((t: tf.Tensor) => segsortLoss(t as tf.Tensor2D, seg, 4))(tf.tensor2d(values, [n * h * w, d]))
        .dataSync(),
    )
    const eps = 1e-2
    let worst = 0
    let scale = 0
    for (let i = 0; i < values.length; i++) {
      const plus = values.slice()
      plus[i] = plus[i]! + eps
      const minus = values.slice()
      minus[i] = minus[i]! - eps
      const fd = (f(plus) - f(minus)) / (2 * eps)
      worst = Math.max(worst, Math.abs(fd - grad[i]!))
      scale = Math.max(scale, Math.abs(fd))
    }
    expect(scale).toBeGreaterThan(1e-3)
    expect(worst / scale).toBeLessThan(2e-2)
  })

  it('is near zero when each class is one tight cluster, and ln 2 when two classes look the same', () => {
    // Two classes along ±e1: well sorted → loss ≈ 0. Both classes at +e1 in singleton segments: every
    // pixel's own-class segments hold half the mass → ln 2 exactly.
    const sorted = tf.tensor2d([1, 0, 1, 0, -1, 0, -1, 0], [4, 2])
    const same = tf.tensor2d([1, 0, 1, 0, 1, 0, 1, 0], [4, 2])
    const lg = segsortLoss(sorted, buildSegments([0, 0, 1, 1], [0, 1, 0, 1], 1, 4), 10).dataSync()[0]!
    const lb = segsortLoss(same, buildSegments([0, 0, 1, 1], [0, 1, 0, 1], 1, 4), 10).dataSync()[0]!
    expect(lg).toBeLessThan(1e-6)
    expect(lb).toBeCloseTo(Math.LN2, 5)
    tf.dispose([sorted, same])
  })

  it('ignores void pixels and gives 0 with a zero gradient when every pixel is void', () => {
    const x = tf.tensor2d([1, 2, 3, 4], [2, 2])
    const seg = buildSegments([255, 255], [0, 0], 1, 2)
    expect(seg.segmentClass.length).toBe(0)
    const { value, grad: grads } = tf.valueAndGrad((t: tf.Tensor) => segsortLoss(t as tf.Tensor2D, seg, 10))(
      x,
    )
    expect(value.dataSync()[0]).toBe(0)
    expect([...grads.dataSync()]).toEqual([0, 0, 0, 0])
    tf.dispose([x, value, grads])
  })

  it('refuses mismatched segment ids and a non-positive concentration', () => {
    const x = tf.tensor2d([1, 0], [1, 2])
    expect(() => segsortLoss(x, buildSegments([0, 0], [0, 0], 1, 2), 1)).toThrow(/2 segment ids for 1 pixels/)
    expect(() => segsortLoss(x, buildSegments([0], [0], 1, 1), 0)).toThrow(/positive/)
    x.dispose()
  })
})

describe('segments', () => {
  it('are (image, region, class) triples without void, numbered per batch', () => {
    const s = buildSegments([0, 0, 1, 255, 0, 1], [0, 1, 1, 1, 0, 0], 2, 3)
    // image 0: (r0,c0) (r1,c0) (r1,c1) ; image 1: (r0,c0) (r0,c1)
    expect([...s.segmentOf]).toEqual([0, 1, 2, -1, 3, 4])
    expect([...s.segmentClass]).toEqual([0, 0, 1, 0, 1])
    expect([...s.segmentImage]).toEqual([0, 0, 0, 1, 1])
  })

  it('grid regions tile the image', () => {
    expect([...gridRegions(2, 4, 2)]).toEqual([0, 0, 1, 1, 2, 2, 3, 3])
    expect(() => gridRegions(2, 2, 0)).toThrow(/positive integer/)
  })
})

describe('spherical k-means', () => {
  it('finds well separated directions, deterministically for a seed', () => {
    const dirs = [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ]
    const rng = new Rng(3)
    const pts: number[] = []
    const truth: number[] = []
    for (let i = 0; i < 60; i++) {
      const c = i % 3
      const v = dirs[c]!.map((a) => a + 0.05 * rng.normal())
      const norm = Math.hypot(...v)
      pts.push(...v.map((a) => a / norm))
      truth.push(c)
    }
    const r = sphericalKMeans(Float32Array.from(pts), 60, 3, 3, 11)
    expect(r.k).toBe(3)
    // Same partition as the truth (up to renumbering).
    const map = new Map<number, number>()
    truth.forEach((t, i) => {
      const a = r.assignments[i]!
      if (!map.has(a)) map.set(a, t)
      expect(map.get(a)).toBe(t)
    })
    const again = sphericalKMeans(Float32Array.from(pts), 60, 3, 3, 11)
    expect([...again.assignments]).toEqual([...r.assignments])
  })

  it('returns fewer clusters when there are fewer distinct points', () => {
    const r = sphericalKMeans(Float32Array.from([1, 0, 1, 0, 1, 0]), 3, 2, 3, 0)
    expect(r.k).toBe(1)
    expect([...r.assignments]).toEqual([0, 0, 0])
  })
})

describe('loss map side', () => {
  it('keeps small batches at the input size and bounds large ones down to the stride-8 map', () => {
    expect(lossSide(4, 64)).toBe(64)
    expect(lossSide(8, 320)).toBe(40)
    expect(lossSide(8, 128)).toBe(32)
    expect(8 * lossSide(8, 128) ** 2).toBeLessThanOrEqual(LOSS_PIXELS)
  })

  it('samples labels at the centres of the coarser cells', () => {
    // 4×4 → 2×2: centres (1.0, 1.0) … pick rows/cols 1 and 3.
    const labels = Int32Array.from({ length: 16 }, (_, i) => i)
    expect([...downsampleLabels(labels, 1, 4, 2)]).toEqual([5, 7, 13, 15])
    expect(downsampleLabels(labels, 1, 4, 4)).toBe(labels)
  })
})
