import { describe, expect, it } from 'vitest'
import {
  cappedBitmapSize,
  fitTransform,
  MAX_CANVAS_PIXELS,
  safePixelRatio,
  zoomAt,
} from '../../src/renderer/src/viewer/view-math'
import { clearBackground } from '../../src/renderer/src/viewer/mask-bitmap'
import { vocColor } from '../../src/shared/voc'

describe('fitTransform', () => {
  it('fits a landscape image into the view, centred', () => {
    const t = fitTransform(4000, 3000, 1032, 816, 16)
    expect(t.scale).toBeCloseTo(0.25)
    expect(t.x).toBeCloseTo((1032 - 1000) / 2)
    expect(t.y).toBeCloseTo((816 - 750) / 2)
  })
  it('limits upscaling of tiny images', () => {
    expect(fitTransform(10, 10, 1000, 1000, 0).scale).toBe(4)
  })
})

describe('zoomAt', () => {
  it('keeps the image point under the pointer fixed', () => {
    const t = { scale: 0.5, x: 100, y: 50 }
    const px = 400
    const py = 300
    const imgX = (px - t.x) / t.scale
    const imgY = (py - t.y) / t.scale
    const z = zoomAt(t, px, py, 2)
    expect(z.scale).toBe(1)
    expect((px - z.x) / z.scale).toBeCloseTo(imgX)
    expect((py - z.y) / z.scale).toBeCloseTo(imgY)
  })
  it('clamps the scale', () => {
    expect(zoomAt({ scale: 30, x: 0, y: 0 }, 0, 0, 10).scale).toBe(32)
    expect(zoomAt({ scale: 0.03, x: 0, y: 0 }, 0, 0, 0.1).scale).toBe(0.02)
  })
})

describe('canvas size cap', () => {
  it('keeps the screen ratio when the canvas is small enough', () => {
    expect(safePixelRatio(1440, 900, 2)).toBe(2)
  })
  it('lowers the ratio so width·height·ratio² stays under the cap (268M is where Chromium draws nothing)', () => {
    const r = safePixelRatio(12000, 9000, 2)
    expect(r).toBeLessThan(2)
    expect(12000 * 9000 * r * r).toBeLessThanOrEqual(MAX_CANVAS_PIXELS * 1.0001)
    expect(MAX_CANVAS_PIXELS).toBeLessThan(268_000_000 / 2)
  })
  it('treats a bad devicePixelRatio as 1', () => {
    expect(safePixelRatio(100, 100, 0)).toBe(1)
    expect(safePixelRatio(100, 100, Number.NaN)).toBe(1)
  })
  it('scales a mask bitmap down past the cap, keeping the aspect ratio', () => {
    expect(cappedBitmapSize(2000, 1000)).toEqual({ width: 2000, height: 1000, scale: 1 })
    const s = cappedBitmapSize(20000, 15000)
    expect(s.width * s.height).toBeLessThanOrEqual(MAX_CANVAS_PIXELS)
    expect(s.width / s.height).toBeCloseTo(20000 / 15000, 2)
  })
})

describe('clearBackground', () => {
  it('makes VOC background (black) transparent and every class colour opaque', () => {
    const indices = [0, 1, 8, 12, 15, 20, 255]
    const rgba = new Uint8ClampedArray(indices.length * 4)
    indices.forEach((idx, i) => {
      const [r, g, b] = vocColor(idx)
      rgba.set([r, g, b, 255], i * 4)
    })
    clearBackground(rgba)
    const alphas = indices.map((_, i) => rgba[i * 4 + 3])
    expect(alphas).toEqual([0, 255, 255, 255, 255, 255, 255])
  })
})
