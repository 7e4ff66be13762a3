/**
 * Geometry of the virtualised thumbnail grid: fixed-size cells in rows; only rows that intersect the
 * viewport (plus an overscan margin) are rendered. Pure functions so the range maths is tested alone.
 */

export interface GridGeometry {
  /** Narrowest cell in CSS pixels; cells widen to fill the row exactly. */
  minCellWidth: number
  /** Height added below the square thumbnail (the caption). */
  captionHeight: number
  /** Space between cells, and around the grid. */
  gap: number
}

export interface GridLayout {
  columns: number
  rows: number
  /** Actual cell size: as many minimum-width cells as fit, widened to share the leftover space. */
  cellWidth: number
  cellHeight: number
  rowHeight: number
  /** Height of the spacer that gives the scroll container its full scroll range. */
  totalHeight: number
}

export interface VisibleRange {
  firstRow: number
  /** Exclusive. */
  lastRow: number
  /** Item indices [start, end) to render. */
  start: number
  end: number
}

export function gridLayout(viewportWidth: number, count: number, g: GridGeometry): GridLayout {
  const usable = Math.max(0, viewportWidth - g.gap)
  const columns = Math.max(1, Math.floor(usable / (g.minCellWidth + g.gap)))
  const cellWidth = Math.max(g.minCellWidth, Math.floor(usable / columns - g.gap))
  const cellHeight = cellWidth + g.captionHeight
  const rows = count > 0 ? Math.ceil(count / columns) : 0
  const rowHeight = cellHeight + g.gap
  return {
    columns,
    rows,
    cellWidth,
    cellHeight,
    rowHeight,
    totalHeight: rows > 0 ? rows * rowHeight + g.gap : 0,
  }
}

/**
 * Rows [firstRow, lastRow) that intersect [scrollTop, scrollTop + viewportHeight), widened by
 * `overscanRows` on each side and clamped to the grid.
 */
export function visibleRange(
  layout: GridLayout,
  count: number,
  scrollTop: number,
  viewportHeight: number,
  overscanRows: number,
): VisibleRange {
  if (count <= 0 || layout.rows === 0) return { firstRow: 0, lastRow: 0, start: 0, end: 0 }
  const top = Math.max(0, scrollTop)
  const firstVisible = Math.min(layout.rows - 1, Math.floor(top / layout.rowHeight))
  const lastVisible = Math.min(layout.rows, Math.ceil((top + Math.max(0, viewportHeight)) / layout.rowHeight))
  const firstRow = Math.max(0, firstVisible - overscanRows)
  const lastRow = Math.min(layout.rows, Math.max(lastVisible, firstVisible + 1) + overscanRows)
  return {
    firstRow,
    lastRow,
    start: firstRow * layout.columns,
    end: Math.min(count, lastRow * layout.columns),
  }
}

/** Page numbers (of `pageSize` items) that hold any index in [start, end). */
export function pagesForRange(start: number, end: number, pageSize: number): number[] {
  if (end <= start) return []
  const first = Math.floor(start / pageSize)
  const last = Math.floor((end - 1) / pageSize)
  const pages: number[] = []
  for (let p = first; p <= last; p++) pages.push(p)
  return pages
}

/** Top-left of cell `index` inside the spacer. */
export function cellPosition(index: number, layout: GridLayout, g: GridGeometry): { x: number; y: number } {
  const row = Math.floor(index / layout.columns)
  const col = index % layout.columns
  return { x: g.gap + col * (layout.cellWidth + g.gap), y: g.gap + row * layout.rowHeight }
}

/** scrollTop that brings cell `index` fully into view (unchanged when it already is). */
export function scrollToReveal(
  index: number,
  layout: GridLayout,
  g: GridGeometry,
  scrollTop: number,
  viewportHeight: number,
): number {
  const { y } = cellPosition(index, layout, g)
  if (y < scrollTop) return Math.max(0, y - g.gap)
  const bottom = y + layout.cellHeight + g.gap
  if (bottom > scrollTop + viewportHeight) return bottom - viewportHeight
  return scrollTop
}
