/**
 * "Export figure" of the compare view: what the page shows, as a PNG the browser downloads — column
 * labels with the runs' human names, one row per image with its caption (name, mask version, FIoU through
 * the one score formatter) and the legend of what the colours mean (classes in mask mode, error or change
 * categories otherwise).
 */
import { VOC_CLASSES, vocColor } from '../../../shared/voc'
import { pct } from '../runs/results-format'
import { compareLegend, rgba, type CompareMode, type CompareRow, type PaneLayers } from './compare-rows'
import { canvasToPng, drawFigure, type FigureCell } from './figure-export'
import type { SharedView } from './sync-view'

/** Side of a figure cell in pixels (the exported PNG's size follows from it, see figure-layout.ts). */
export const FIGURE_CELL = 256

export interface CompareFigureInput {
  rows: readonly CompareRow[]
  /** Run columns (ids) and variant columns (keys), in page order, with their titles. */
  runColumns: readonly { id: number; title: string }[]
  variantColumns: readonly { key: string; title: string }[]
  layerOf: (row: CompareRow, runId: number) => PaneLayers
  variantLayerOf: (row: CompareRow, key: string) => PaneLayers
  fiouOf: (runId: number, imageId: number) => number | null
  variantFiouOf: (key: string, imageId: number) => number | null
  mode: CompareMode
  view: SharedView
}

export interface ExportedFigure {
  width: number
  height: number
  bytes: number
  blob: Blob
}

export async function renderCompareFigure(f: CompareFigureInput): Promise<ExportedFigure> {
  const cols = [
    'Image',
    'Ground truth',
    ...f.runColumns.map((c) => c.title),
    ...f.variantColumns.map((c) => c.title),
  ]
  const cells: FigureCell[][] = f.rows.map((row) => {
    const size = { imageW: row.image.width, imageH: row.image.height }
    return [
      { layer: row.photo, ...size, caption: row.image.name },
      { layer: row.gt, ...size, caption: `mask v${row.image.maskVersion ?? '—'}` },
      ...f.runColumns.map((c) => ({
        ...f.layerOf(row, c.id),
        ...size,
        caption: `FIoU ${pct(f.fiouOf(c.id, row.image.id))}`,
      })),
      ...f.variantColumns.map((c) => ({
        ...f.variantLayerOf(row, c.key),
        ...size,
        caption: `FIoU ${pct(f.variantFiouOf(c.key, row.image.id))}`,
      })),
    ]
  })
  // What the colours mean: the classes shown (masks) or the error / change categories.
  const classes = [...new Set(f.rows.flatMap((r) => r.classes))].sort((a, b) => a - b)
  const legend =
    f.mode === 'mask'
      ? classes.map((c) => ({ label: `${c} ${VOC_CLASSES[c] ?? 'class'}`, color: rgba(vocColor(c)) }))
      : compareLegend(f.mode).map((l) => ({ label: l.label, color: rgba(l.color) }))
  const { canvas, layout } = drawFigure(cols, cells, FIGURE_CELL, f.view, legend)
  const blob = await canvasToPng(canvas)
  return { width: layout.width, height: layout.height, bytes: blob.size, blob }
}

/** Hands the PNG to the browser as a download named `name`. */
export function downloadBlob(url: string, name: string): void {
  const a = document.createElement('a')
  a.href = url
  a.download = name
  document.body.appendChild(a)
  a.click()
  a.remove()
}
