import { describe, expect, it } from 'vitest'
import {
  cellPosition,
  gridLayout,
  pagesForRange,
  scrollToReveal,
  visibleRange,
  type GridGeometry,
} from '../../src/renderer/src/grid/virtual-range'

const g: GridGeometry = { minCellWidth: 168, captionHeight: 26, gap: 10 }

describe('gridLayout', () => {
  it('fits as many columns as the width allows, at least one', () => {
    // 10 + n*(168+10) <= 1200 → n = 6 (1078), 7 would need 1256
    expect(gridLayout(1200, 10_000, g).columns).toBe(6)
    expect(gridLayout(1078, 10_000, g).columns).toBe(6)
    expect(gridLayout(1077, 10_000, g).columns).toBe(5)
    expect(gridLayout(1256, 10_000, g).columns).toBe(7)
    expect(gridLayout(1255, 10_000, g).columns).toBe(6)
    expect(gridLayout(50, 10_000, g).columns).toBe(1)
    expect(gridLayout(0, 10_000, g).columns).toBe(1)
  })

  it('widens cells to fill the row, keeping thumbnails square', () => {
    // 1190 px after the leading gap, 6 columns: 1190/6 − 10 = 188.3 → 188
    const l = gridLayout(1200, 10_000, g)
    expect(l.cellWidth).toBe(188)
    expect(l.cellHeight).toBe(188 + 26)
    expect(10 + 6 * (l.cellWidth + 10)).toBeLessThanOrEqual(1200)
    expect(gridLayout(100, 10, g).cellWidth).toBe(168) // never below the minimum
  })

  it('makes the spacer tall enough for every row', () => {
    const l = gridLayout(1200, 10_000, g)
    expect(l.rows).toBe(1667) // ceil(10000 / 6)
    expect(l.rowHeight).toBe(224)
    expect(l.totalHeight).toBe(1667 * 224 + 10)
    expect(gridLayout(1200, 0, g).totalHeight).toBe(0)
  })
})

describe('visibleRange', () => {
  const l = gridLayout(1200, 10_000, g) // 6 columns, rows of 224 px

  it('covers the viewport plus overscan at the top', () => {
    const r = visibleRange(l, 10_000, 0, 800, 2)
    // rows 0..3 intersect [0, 800) (800/224 = 3.6 → 4 rows), plus 2 rows overscan below
    expect(r).toEqual({ firstRow: 0, lastRow: 6, start: 0, end: 36 })
  })

  it('covers the viewport plus overscan in the middle', () => {
    const top = 1000 * 224 + 50 // inside row 1000
    const r = visibleRange(l, 10_000, top, 800, 2)
    // visible rows 1000..1003 (ceil((224050+800)/224) = ceil(1003.8) = 1004), overscan 2 each side
    expect(r.firstRow).toBe(998)
    expect(r.lastRow).toBe(1006)
    expect(r.start).toBe(998 * 6)
    expect(r.end).toBe(1006 * 6)
  })

  it('clamps at the end: the last row may be partial', () => {
    const top = l.totalHeight - 800
    const r = visibleRange(l, 10_000, top, 800, 2)
    expect(r.lastRow).toBe(l.rows)
    expect(r.end).toBe(10_000)
    expect(r.start).toBeLessThan(10_000)
    expect(r.end - r.start).toBeLessThanOrEqual(7 * 6)
  })

  it('survives scroll positions past the end (elastic scroll) and negative ones', () => {
    const past = visibleRange(l, 10_000, l.totalHeight + 5000, 800, 2)
    expect(past.end).toBe(10_000)
    expect(past.start).toBeLessThan(past.end)
    const neg = visibleRange(l, 10_000, -300, 800, 0)
    expect(neg.start).toBe(0)
  })

  it('renders nothing for an empty grid', () => {
    expect(visibleRange(gridLayout(1200, 0, g), 0, 0, 800, 2)).toEqual({
      firstRow: 0,
      lastRow: 0,
      start: 0,
      end: 0,
    })
  })

  it('every item is in the range of the scroll position that shows it', () => {
    for (const index of [0, 5, 6, 777, 5999, 9999]) {
      const { y } = cellPosition(index, l, g)
      const r = visibleRange(l, 10_000, y, 400, 0)
      expect(index).toBeGreaterThanOrEqual(r.start)
      expect(index).toBeLessThan(r.end)
    }
  })
})

describe('pagesForRange', () => {
  it('lists the pages holding a range', () => {
    expect(pagesForRange(0, 36, 200)).toEqual([0])
    expect(pagesForRange(190, 210, 200)).toEqual([0, 1])
    expect(pagesForRange(200, 400, 200)).toEqual([1])
    expect(pagesForRange(5988, 6042, 200)).toEqual([29, 30])
    expect(pagesForRange(10, 10, 200)).toEqual([])
  })
})

describe('cellPosition and scrollToReveal', () => {
  const l = gridLayout(1200, 10_000, g)
  it('places cells row by row', () => {
    expect(cellPosition(0, l, g)).toEqual({ x: 10, y: 10 })
    expect(cellPosition(5, l, g)).toEqual({ x: 10 + 5 * 198, y: 10 })
    expect(cellPosition(6, l, g)).toEqual({ x: 10, y: 10 + 224 })
  })
  it('scrolls only when the cell is not fully visible', () => {
    expect(scrollToReveal(0, l, g, 0, 800)).toBe(0)
    const y = cellPosition(6000, l, g).y
    expect(scrollToReveal(6000, l, g, 0, 800)).toBe(y + 214 + 10 - 800)
    expect(scrollToReveal(6, l, g, 5000, 800)).toBe(224)
    expect(scrollToReveal(6000, l, g, y - 100, 800)).toBe(y - 100)
  })
})
