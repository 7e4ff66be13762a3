/**
 * Draws the current comparison as a figure (paper Fig. 4 style) on a canvas: column labels on top, one
 * row per image, each cell showing what its pane shows (same shared view), the FIoU under it.
 */
import {
  cellOrigin,
  figureLayout,
  legendOrigin,
  LEGEND_LINE,
  LEGEND_ENTRY_WIDTH,
  type FigureLayout,
} from './figure-layout'
import { paneTransform, type SharedView } from './sync-view'

export interface FigureCell {
  layer: CanvasImageSource | null
  under?: CanvasImageSource | null
  imageW: number
  imageH: number
  caption: string
}

/** A legend entry of the figure: what a colour means (a class, or an error/change category). */
export interface FigureLegendEntry {
  label: string
  /** CSS colour. */
  color: string
}

/**
 * Column labels are the runs' human names (the caller passes them); `legend` says what the colours mean,
 * so the PNG reads on its own in a paper or a slide.
 */
export function drawFigure(
  columns: readonly string[],
  rows: readonly FigureCell[][],
  cell: number,
  view: SharedView,
  legend: readonly FigureLegendEntry[] = [],
): { canvas: HTMLCanvasElement; layout: FigureLayout } {
  const layout = figureLayout({ rows: rows.length, cols: columns.length, cell, legendEntries: legend.length })
  const canvas = document.createElement('canvas')
  canvas.width = layout.width
  canvas.height = layout.height
  const ctx = canvas.getContext('2d')
  if (!ctx) throw new Error('no 2-D canvas context for the figure')
  ctx.fillStyle = '#ffffff'
  ctx.fillRect(0, 0, layout.width, layout.height)
  ctx.fillStyle = '#111111'
  ctx.textAlign = 'center'
  ctx.textBaseline = 'middle'
  ctx.font = '600 14px system-ui, sans-serif'
  columns.forEach((label, c) => {
    const o = cellOrigin(layout, 0, c)
    ctx.fillText(label, o.x + cell / 2, layout.padding + layout.header / 2, cell)
  })
  ctx.font = '12px system-ui, sans-serif'
  rows.forEach((row, r) => {
    row.forEach((f, c) => {
      const o = cellOrigin(layout, r, c)
      ctx.save()
      ctx.beginPath()
      ctx.rect(o.x, o.y, cell, cell)
      ctx.clip()
      ctx.fillStyle = '#000000'
      ctx.fillRect(o.x, o.y, cell, cell)
      const t = paneTransform(view, f.imageW, f.imageH, cell, cell)
      const w = f.imageW * t.scale
      const h = f.imageH * t.scale
      if (f.under) {
        ctx.globalAlpha = 0.45
        ctx.imageSmoothingEnabled = true
        ctx.drawImage(f.under, o.x + t.x, o.y + t.y, w, h)
        ctx.globalAlpha = 1
      }
      if (f.layer) {
        ctx.imageSmoothingEnabled = f.layer instanceof HTMLImageElement
        ctx.drawImage(f.layer, o.x + t.x, o.y + t.y, w, h)
      }
      ctx.restore()
      ctx.fillStyle = '#111111'
      ctx.fillText(f.caption, o.x + cell / 2, o.y + cell + layout.caption / 2, cell)
    })
  })
  ctx.textAlign = 'left'
  legend.forEach((e, i) => {
    const o = legendOrigin(layout, rows.length, i)
    const sw = LEGEND_LINE - 8
    ctx.fillStyle = e.color
    ctx.fillRect(o.x, o.y + 4, sw, sw)
    ctx.strokeStyle = '#555555'
    ctx.strokeRect(o.x + 0.5, o.y + 4.5, sw - 1, sw - 1)
    ctx.fillStyle = '#111111'
    ctx.fillText(e.label, o.x + sw + 6, o.y + LEGEND_LINE / 2, LEGEND_ENTRY_WIDTH - sw - 12)
  })
  return { canvas, layout }
}

export function canvasToPng(canvas: HTMLCanvasElement): Promise<Blob> {
  return new Promise((resolve, reject) =>
    canvas.toBlob(
      (b) => (b ? resolve(b) : reject(new Error('the figure could not be encoded as PNG'))),
      'image/png',
    ),
  )
}
