/**
 * The compare view's rows: one image with its photo, ground truth and, per shown run or variant column,
 * the three renderings of its prediction (mask, errors against the GT, helped/hurt against the baseline),
 * plus which layers a pane draws in each mode and what the colours mean. Browser-only (canvases).
 */
import type { InsightImage } from '../../../shared/insight'
import { CHANGE_COLORS, ERROR_COLORS, ERROR_LABELS } from './error-overlay'
import {
  changeCanvas,
  colorCanvas,
  errorCanvas,
  fetchLabelMap,
  presentClasses,
  type LabelMap,
} from './label-maps'

export type CompareMode = 'mask' | 'errors' | 'change'

export interface RunLayers {
  mask: HTMLCanvasElement
  errors: HTMLCanvasElement
  change: HTMLCanvasElement | null
}

export interface CompareRow {
  image: InsightImage
  photo: HTMLImageElement | null
  gt: HTMLCanvasElement | null
  runs: Map<number, RunLayers>
  variants: Map<string, RunLayers>
  /** Classes present in its ground truth or any shown prediction (the figure's class legend). */
  classes: number[]
  error: string | null
}

export interface PaneLayers {
  layer: CanvasImageSource | null
  under: CanvasImageSource | null
}

function loadPhoto(url: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const img = new Image()
    img.decoding = 'async'
    img.onload = () => resolve(img)
    img.onerror = () => reject(new Error(`cannot load the photo ${url}`))
    img.src = url
  })
}

/**
 * Fetches and renders one row. `runUrls` are the runs' prediction label maps by run id, `variantUrls` the
 * variant columns' by key; the baseline (if shown) gives the helped/hurt layer. A failure is kept on the
 * row (shown under it) rather than failing the page.
 */
export async function buildCompareRow(
  image: InsightImage,
  urls: { photo: string; gt: string | null; runs: Map<number, string>; variants: Map<string, string> },
  baseRunId: number | null,
): Promise<CompareRow> {
  const row: CompareRow = {
    image,
    photo: null,
    gt: null,
    runs: new Map(),
    variants: new Map(),
    classes: [],
    error: null,
  }
  try {
    const runIds = [...urls.runs.keys()]
    const variantKeys = [...urls.variants.keys()]
    const [photo, gt, ...all] = await Promise.all([
      loadPhoto(urls.photo),
      urls.gt ? fetchLabelMap(urls.gt) : Promise.resolve(null),
      ...runIds.map((id) => fetchLabelMap(urls.runs.get(id)!)),
      ...variantKeys.map((k) => fetchLabelMap(urls.variants.get(k)!)),
    ])
    row.classes = presentClasses([gt, ...all])
    row.photo = photo
    if (gt) row.gt = colorCanvas(gt)
    const predOf = new Map<number, LabelMap>(runIds.map((id, i) => [id, all[i]!]))
    const base = baseRunId !== null ? predOf.get(baseRunId) : undefined
    for (const [id, pred] of predOf) {
      row.runs.set(id, {
        mask: colorCanvas(pred),
        errors: gt ? errorCanvas(gt, pred) : colorCanvas(pred),
        change: gt && base && id !== baseRunId ? changeCanvas(gt, pred, base) : null,
      })
    }
    variantKeys.forEach((k, i) => {
      const pred = all[runIds.length + i]!
      row.variants.set(k, {
        mask: colorCanvas(pred),
        errors: gt ? errorCanvas(gt, pred) : colorCanvas(pred),
        change: gt && base ? changeCanvas(gt, pred, base) : null,
      })
    })
  } catch (err) {
    row.error = err instanceof Error ? err.message : String(err)
  }
  return row
}

/** What a prediction pane draws in a mode: the mask alone, or errors / changes over the photo. */
export function paneLayers(row: CompareRow, l: RunLayers | undefined, mode: CompareMode): PaneLayers {
  if (!l) return { layer: null, under: null }
  switch (mode) {
    case 'mask':
      return { layer: l.mask, under: null }
    case 'errors':
      return { layer: l.errors, under: row.photo }
    case 'change':
      return l.change ? { layer: l.change, under: row.photo } : { layer: l.mask, under: null }
    default: {
      const never: never = mode
      return never
    }
  }
}

/** The colour key of the error and helped/hurt modes (masks use the class colours). */
export function compareLegend(mode: CompareMode): { label: string; color: readonly number[] }[] {
  if (mode === 'errors')
    return ([1, 2, 3, 4] as const).map((c) => ({ label: ERROR_LABELS[c], color: ERROR_COLORS[c] }))
  if (mode === 'change')
    return [
      { label: 'helped (right now, wrong in the baseline)', color: CHANGE_COLORS[1] },
      { label: 'hurt (wrong now, right in the baseline)', color: CHANGE_COLORS[2] },
    ]
  return []
}

export const rgba = (c: readonly number[]): string => `rgba(${c[0]},${c[1]},${c[2]},${(c[3] ?? 255) / 255})`
