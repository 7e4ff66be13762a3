import { describe, expect, it } from 'vitest'
import { fitMap, panMap, toData, toScreen, zoomMap } from '../../src/renderer/src/embedding/map-view'
import { GridIndex, pointInPolygon } from '../../src/renderer/src/embedding/spatial-index'

function lcg(seed: number): () => number {
  let s = seed >>> 0
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296
}

function points(n: number, seed: number): { xs: Float64Array; ys: Float64Array } {
  const r = lcg(seed)
  // Clumped like an embedding: a few blobs plus uniform noise.
  const xs = new Float64Array(n)
  const ys = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    const blob = i % 5
    const clumped = i % 3 !== 0
    xs[i] = clumped ? 0.2 * blob + 0.05 * r() : r()
    ys[i] = clumped ? 0.8 - 0.15 * blob + 0.05 * r() : r()
  }
  return { xs, ys }
}

describe('embedding hit-testing', () => {
  const { xs, ys } = points(10_000, 3)
  const index = new GridIndex(xs, ys)
  it('finds the same nearest point as a brute-force scan', () => {
    const r = lcg(11)
    for (let q = 0; q < 300; q++) {
      const x = r()
      const y = r()
      const radius = 0.002 + r() * 0.02
      let best = -1
      let bestD = radius * radius
      for (let i = 0; i < xs.length; i++) {
        const d = (xs[i]! - x) ** 2 + (ys[i]! - y) ** 2
        if (d < bestD) {
          best = i
          bestD = d
        }
      }
      expect(index.nearest(x, y, radius)).toBe(best)
    }
  })
  it('returns −1 when nothing is within the radius', () => {
    const lone = new GridIndex(Float64Array.from([0, 1]), Float64Array.from([0, 1]))
    expect(lone.nearest(0.5, 0.5, 0.1)).toBe(-1)
    expect(lone.nearest(0.98, 1.01, 0.1)).toBe(1)
  })
})

describe('lasso selection', () => {
  const { xs, ys } = points(10_000, 5)
  const index = new GridIndex(xs, ys)
  it('selects exactly the points a brute-force even-odd test keeps, for convex and concave lassos', () => {
    const lassos = [
      [
        { x: 0.1, y: 0.1 },
        { x: 0.6, y: 0.15 },
        { x: 0.5, y: 0.7 },
        { x: 0.15, y: 0.6 },
      ],
      // A "U": the notch must stay unselected.
      [
        { x: 0.1, y: 0.1 },
        { x: 0.9, y: 0.1 },
        { x: 0.9, y: 0.9 },
        { x: 0.7, y: 0.9 },
        { x: 0.7, y: 0.3 },
        { x: 0.3, y: 0.3 },
        { x: 0.3, y: 0.9 },
        { x: 0.1, y: 0.9 },
      ],
    ]
    for (const poly of lassos) {
      const brute: number[] = []
      for (let i = 0; i < xs.length; i++) if (pointInPolygon(xs[i]!, ys[i]!, poly)) brute.push(i)
      const got = index.inPolygon(poly)
      expect(got).toEqual(brute)
      expect(got.length).toBeGreaterThan(100)
    }
    expect(pointInPolygon(0.5, 0.6, lassos[1]!)).toBe(false)
    expect(pointInPolygon(0.2, 0.6, lassos[1]!)).toBe(true)
  })
  it('selects nothing with fewer than three lasso points', () => {
    expect(
      index.inPolygon([
        { x: 0, y: 0 },
        { x: 1, y: 1 },
      ]),
    ).toEqual([])
  })
})

describe('map view', () => {
  it('maps data to screen and back, and zooms about the cursor', () => {
    const v = panMap(fitMap(800, 600), 13, -7)
    const s = toScreen(v, 0.25, 0.75)
    const d = toData(v, s.sx, s.sy)
    expect(d.x).toBeCloseTo(0.25, 12)
    expect(d.y).toBeCloseTo(0.75, 12)
    const z = zoomMap(v, s.sx, s.sy, 3)
    const s2 = toScreen(z, 0.25, 0.75)
    expect(s2.sx).toBeCloseTo(s.sx, 9)
    expect(s2.sy).toBeCloseTo(s.sy, 9)
    expect(z.scale).toBeCloseTo(v.scale * 3, 9)
  })
})
