/**
 * Results as text: the numbers a run stored (fractions 0–1) shown as percent with 2 decimals, the tables
 * copied as Markdown or CSV, the comparability check between runs, and the curves' scale. Pure functions
 * with no DOM or Node imports (tested in tests/dom/runs-format.test.ts and, through the project results
 * tables, in tests/unit/insight/results.test.ts); the renderer re-exports them from runs/results-format.ts.
 */
import { comparableRuns, type ClassScore, type RunDetail, type RunSummary } from './runs'

/**
 * THE score formatter: every score the studio prints (FIoU, MIoU in any convention, per-class IoU, class
 * shares) goes through it — runs, compare, grid badges, clusters, results, exported figures — so one
 * number reads the same everywhere. A fraction (0–1) as percent with 2 decimals and no "%" sign (column
 * headers and labels say "percent"); '—' for an undefined value.
 */
export const PCT_DECIMALS = 2

export function pct(v: number | null | undefined): string {
  return v === null || v === undefined || Number.isNaN(v) ? '—' : (v * 100).toFixed(PCT_DECIMALS)
}

/** A difference of two scores in percentage points, always signed ("+3.20", "-1.05", "+0.00"). */
export function pctDelta(d: number | null | undefined): string {
  if (d === null || d === undefined || Number.isNaN(d)) return '—'
  const s = pct(Math.abs(d))
  return `${d < 0 && s !== pct(0) ? '-' : '+'}${s}`
}

/** What each column means, stated wherever the numbers appear. */
export const CONVENTIONS = {
  fiou: 'FIoU: mean over validation images of the foreground IoU (void counts in the union)',
  miouPaper:
    "MIoU (paper): mean IoU over the object classes present in the ground truth, background excluded (the paper's Tables 2 and 7)",
  miouAll21:
    "MIoU (all 21): IoU per class with absent classes counted as 0, mean over all 21 classes (what the released code prints, not the paper's tables)",
  miouPresent: 'MIoU (present): classes absent from GT and prediction skipped (mmsegmentation)',
  scoring: 'percent; scored at original resolution on the album’s validation split',
} as const

export const SUMMARY_HEADER = [
  'Run',
  'Method',
  'Split',
  'Images',
  'FIoU',
  'MIoU (paper)',
  'MIoU (all 21)',
  'MIoU (present)',
] as const
export const CLASS_HEADER = ['Class', 'IoU (all 21)', 'IoU (present)', 'Images'] as const

export function summaryRow(r: RunSummary): string[] {
  const m = r.metrics
  return [
    `#${r.id}`,
    r.method,
    r.splitVersion !== null ? `v${r.splitVersion}` : '—',
    m ? String(m.images) : '—',
    pct(m?.fiou),
    pct(m?.miouPaper),
    pct(m?.miouAll21),
    pct(m?.miouPresent),
  ]
}

export function classRow(c: ClassScore): string[] {
  return [c.name, pct(c.iou), pct(c.iouPresent), String(c.images)]
}

/** A Markdown table; columns from `numericFrom` on are right-aligned; `|` in cells is escaped. */
export function mdTable(header: readonly string[], rows: readonly string[][], numericFrom: number): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|')
  const align = header.map((_, i) => (i >= numericFrom ? '---:' : '---'))
  return [header, align, ...rows].map((r) => `| ${r.map(esc).join(' | ')} |`).join('\n')
}

/** The run's result tables as Markdown (summary, then per-class IoU with image counts); `name` is its display name. */
export function runMarkdown(r: RunDetail, name: string): string {
  return [
    `**${r.albumName ?? 'album'}** — ${name} (run id ${r.id}), ${CONVENTIONS.scoring}.`,
    '',
    mdTable(SUMMARY_HEADER, [summaryRow(r)], 3),
    '',
    mdTable(CLASS_HEADER, r.perClass.map(classRow), 1),
    '',
    `${CONVENTIONS.miouPaper}. ${CONVENTIONS.miouAll21}. ${CONVENTIONS.miouPresent}. ${CONVENTIONS.fiou}.`,
  ].join('\n')
}

function csvCell(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/** CSV lines of one table: the header line, then one line per row (RFC 4180 quoting). */
export function csvLines(header: readonly string[], rows: readonly string[][]): string[] {
  return [header, ...rows].map((row) => row.map(csvCell).join(','))
}

/** The same tables as CSV: one header line per table, a blank line between them. */
export function runCsv(r: RunDetail): string {
  return (
    [
      ...csvLines(SUMMARY_HEADER, [summaryRow(r)]),
      '',
      ...csvLines(CLASS_HEADER, r.perClass.map(classRow)),
    ].join('\n') + '\n'
  )
}

/** What the comparability check reads of a run (a RunSummary, or a results-page run keyed by its id). */
export type ComparableRun = Pick<RunSummary, 'id' | 'metrics' | 'splitId' | 'splitVersion' | 'maskSet'>

/**
 * Why a scored run cannot be compared with the reference (the newest scored run on the album's active
 * split): another split, or the same split with other mask versions. Null when comparable. `nameOf` gives
 * a run's display name (run-names.ts), which the notes use for the reference.
 */
export function comparabilityNotes(
  runs: readonly ComparableRun[],
  activeSplitId: number | null,
  nameOf: (runId: number) => string,
): Map<number, string> {
  const notes = new Map<number, string>()
  const scored = runs.filter((r) => r.metrics !== null)
  const reference = scored.find((r) => r.splitId === activeSplitId) ?? scored[0]
  if (!reference) return notes
  const refName = nameOf(reference.id)
  for (const r of scored) {
    if (r.id === reference.id || comparableRuns(r, reference)) continue
    notes.set(
      r.id,
      r.splitId !== reference.splitId
        ? `scored on split ${r.splitVersion !== null ? `v${r.splitVersion}` : '(deleted)'}, not v${reference.splitVersion ?? '?'} like ${refName}: not comparable`
        : `scored on other mask versions than ${refName} (masks were edited since): not comparable`,
    )
  }
  return notes
}

/** Seconds as "42 s", "3 min 5 s". */
export function formatSeconds(s: number | null): string {
  if (s === null) return '—'
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`
  const m = Math.floor(s / 60)
  return `${m} min ${Math.round(s - m * 60)} s`
}

/** A common scale for curves drawn in one box: x over [minX, maxX], y from 0 to maxY. */
export interface CurveScale {
  minX: number
  maxX: number
  maxY: number
}

/**
 * One scale for several curves (x from the smallest to the largest iteration of any, y from 0 to the
 * largest value of any), so overlaid runs are read against the same axes. Null when no curve has a point.
 */
export function curveScale(curves: readonly (readonly { x: number; y: number }[])[]): CurveScale | null {
  let minX = Infinity
  let maxX = -Infinity
  let maxY = 1e-9
  for (const c of curves)
    for (const p of c) {
      if (p.x < minX) minX = p.x
      if (p.x > maxX) maxX = p.x
      if (p.y > maxY) maxY = p.y
    }
  return minX === Infinity ? null : { minX, maxX, maxY }
}

/** SVG polyline points of a curve in a w×h box under `scale` (y grows downwards in SVG). */
export function curvePolyline(
  points: readonly { x: number; y: number }[],
  scale: CurveScale,
  w: number,
  h: number,
): string {
  const span = Math.max(scale.maxX - scale.minX, 1)
  return points
    .map((p) => `${(((p.x - scale.minX) / span) * w).toFixed(1)},${(h - (p.y / scale.maxY) * h).toFixed(1)}`)
    .join(' ')
}

/** SVG polyline points of a loss curve in a w×h box (y from 0 to the largest loss). */
export function lossPolyline(
  points: readonly { iteration: number; loss: number }[],
  w: number,
  h: number,
): string {
  const xy = points.map((p) => ({ x: p.iteration, y: p.loss }))
  const scale = curveScale([xy])
  return scale ? curvePolyline(xy, scale, w, h) : ''
}
