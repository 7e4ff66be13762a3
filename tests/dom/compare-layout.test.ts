import { describe, expect, it } from 'vitest'
import { cellOrigin, figureLayout, fitInCell } from '../../src/renderer/src/compare/figure-layout'
import {
  clampView,
  FIT_VIEW,
  panShared,
  paneTransform,
  zoomShared,
} from '../../src/renderer/src/compare/sync-view'

describe('figure layout', () => {
  it('has a size that follows from rows, columns and the cell size', () => {
    // 2 rows × 5 columns (image, GT, 3 runs) of 256 px cells with the defaults (gap 6, padding 12,
    // header 28, caption 20): width = 24 + 5·256 + 4·6 = 1328; height = 24 + 28 + 2·(256+20) + 6 = 610.
    const l = figureLayout({ rows: 2, cols: 5, cell: 256 })
    expect([l.width, l.height]).toEqual([1328, 610])
    const one = figureLayout({ rows: 1, cols: 1, cell: 100, gap: 0, padding: 0, header: 0, caption: 0 })
    expect([one.width, one.height]).toEqual([100, 100])
  })
  it('places cells without overlap, the last one ending at the padding', () => {
    const l = figureLayout({ rows: 3, cols: 4, cell: 64 })
    const last = cellOrigin(l, 2, 3)
    expect(last.x + l.cell + l.padding).toBe(l.width)
    expect(last.y + l.cell + l.caption + l.padding).toBe(l.height)
    expect(cellOrigin(l, 0, 1).x - cellOrigin(l, 0, 0).x).toBe(l.cell + l.gap)
  })
  it('fits images inside a cell keeping the aspect ratio', () => {
    const l = figureLayout({ rows: 1, cols: 1, cell: 200 })
    expect(fitInCell(l, 640, 480)).toEqual({ dx: 0, dy: 25, dw: 200, dh: 150 })
  })
  it('refuses empty figures', () => {
    expect(() => figureLayout({ rows: 0, cols: 3, cell: 64 })).toThrow(/at least one row/)
    expect(() => figureLayout({ rows: 1, cols: 3, cell: 4 })).toThrow(/cell size/)
  })
})

describe('synchronised view of the comparison panes', () => {
  const imgW = 640
  const imgH = 480
  it('shows the same image point at the centre of panes of any size', () => {
    const v = { zoom: 3, cx: 0.3, cy: 0.6 }
    for (const [pw, ph] of [
      [232, 174],
      [400, 200],
      [100, 300],
    ] as const) {
      const t = paneTransform(v, imgW, imgH, pw, ph)
      expect((pw / 2 - t.x) / t.scale / imgW).toBeCloseTo(0.3, 10)
      expect((ph / 2 - t.y) / t.scale / imgH).toBeCloseTo(0.6, 10)
    }
  })
  it('zooms about the cursor: the image point under it stays put', () => {
    const pw = 232
    const ph = 174
    const before = paneTransform(FIT_VIEW, imgW, imgH, pw, ph)
    const px = 60
    const py = 50
    const ix = (px - before.x) / before.scale
    const iy = (py - before.y) / before.scale
    const v = zoomShared(FIT_VIEW, 2, px, py, imgW, imgH, pw, ph)
    const after = paneTransform(v, imgW, imgH, pw, ph)
    expect(v.zoom).toBe(2)
    expect(after.x + ix * after.scale).toBeCloseTo(px, 6)
    expect(after.y + iy * after.scale).toBeCloseTo(py, 6)
  })
  it('pans by the dragged distance and never past the image edge', () => {
    const v = { zoom: 4, cx: 0.5, cy: 0.5 }
    const t = paneTransform(v, imgW, imgH, 232, 174)
    const moved = panShared(v, -10, 0, imgW, imgH, 232, 174)
    expect(paneTransform(moved, imgW, imgH, 232, 174).x).toBeCloseTo(t.x - 10, 6)
    expect(clampView({ zoom: 4, cx: -3, cy: 9 })).toEqual({ zoom: 4, cx: 0.125, cy: 0.875 })
    expect(clampView({ zoom: 0.2, cx: 0.1, cy: 0.9 })).toEqual({ zoom: 1, cx: 0.5, cy: 0.5 })
  })
})
