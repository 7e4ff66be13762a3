/**
 * Layout of the exported comparison figure (paper Fig. 4 style): a header row of column labels, then one
 * row per image; every cell is `cell` pixels square with a caption line (the FIoU) under it. The size is a
 * pure function of rows, columns and the cell size, so a test can check the exported PNG's dimensions.
 */

export interface FigureSpec {
  rows: number
  cols: number
  /** Side of an image cell, in figure pixels. */
  cell: number
  gap?: number
  padding?: number
  header?: number
  caption?: number
  /** Legend entries under the rows (class colours and names, or the error/change colours); 0: none. */
  legendEntries?: number
}

export interface FigureLayout {
  width: number
  height: number
  cell: number
  gap: number
  padding: number
  header: number
  caption: number
  /** Legend grid: entries per line and lines (0 lines: no legend). */
  legendPerLine: number
  legendLines: number
}

export const FIGURE_DEFAULTS = { gap: 6, padding: 12, header: 28, caption: 20 } as const
/** A legend entry: a swatch and its label in a fixed-width slot; lines of LEGEND_LINE pixels. */
export const LEGEND_ENTRY_WIDTH = 260
export const LEGEND_LINE = 20

export function figureLayout(spec: FigureSpec): FigureLayout {
  const { rows, cols, cell } = spec
  if (!Number.isInteger(rows) || rows < 1) throw new Error(`a figure needs at least one row (got ${rows})`)
  if (!Number.isInteger(cols) || cols < 1) throw new Error(`a figure needs at least one column (got ${cols})`)
  if (!Number.isInteger(cell) || cell < 8) throw new Error(`cell size must be an integer ≥ 8 (got ${cell})`)
  const gap = spec.gap ?? FIGURE_DEFAULTS.gap
  const padding = spec.padding ?? FIGURE_DEFAULTS.padding
  const header = spec.header ?? FIGURE_DEFAULTS.header
  const caption = spec.caption ?? FIGURE_DEFAULTS.caption
  const width = 2 * padding + cols * cell + (cols - 1) * gap
  const entries = spec.legendEntries ?? 0
  const legendPerLine = Math.max(1, Math.floor((width - 2 * padding) / LEGEND_ENTRY_WIDTH))
  const legendLines = Math.ceil(entries / legendPerLine)
  return {
    width,
    height:
      2 * padding +
      header +
      rows * (cell + caption) +
      (rows - 1) * gap +
      (legendLines > 0 ? gap + legendLines * LEGEND_LINE : 0),
    cell,
    gap,
    padding,
    header,
    caption,
    legendPerLine,
    legendLines,
  }
}

/** Top-left of legend entry `i` (below the last row). */
export function legendOrigin(l: FigureLayout, rows: number, i: number): { x: number; y: number } {
  const top = l.padding + l.header + rows * (l.cell + l.caption) + (rows - 1) * l.gap + l.gap
  return {
    x: l.padding + (i % l.legendPerLine) * LEGEND_ENTRY_WIDTH,
    y: top + Math.floor(i / l.legendPerLine) * LEGEND_LINE,
  }
}

/** Top-left of the image cell at (row, col). */
export function cellOrigin(l: FigureLayout, row: number, col: number): { x: number; y: number } {
  return {
    x: l.padding + col * (l.cell + l.gap),
    y: l.padding + l.header + row * (l.cell + l.caption + l.gap),
  }
}

/** Where an image of w×h goes inside a cell (contain, centred). */
export function fitInCell(
  l: FigureLayout,
  w: number,
  h: number,
): { dx: number; dy: number; dw: number; dh: number } {
  const s = Math.min(l.cell / w, l.cell / h)
  const dw = Math.round(w * s)
  const dh = Math.round(h * s)
  return { dx: Math.floor((l.cell - dw) / 2), dy: Math.floor((l.cell - dh) / 2), dw, dh }
}
