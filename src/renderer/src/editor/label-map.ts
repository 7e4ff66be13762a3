/**
 * The editor's label bitmap: one index per pixel (VOC 0–20, 255 = ignore/unlabelled), and the brush
 * modes that decide which pixels a tool may change. Pure data, no DOM.
 */
export const UNLABELLED = 255

export interface LabelMap {
  width: number
  height: number
  data: Uint8Array
}

/** Inclusive-exclusive pixel rectangle [x0, x1) × [y0, y1). */
export interface Rect {
  x0: number
  y0: number
  x1: number
  y1: number
}

export const BrushMode = {
  /** Paint every pixel. */
  Overwrite: 'overwrite',
  /** Keep object labels (1–20): paint only background and unlabelled pixels. */
  Preserve: 'preserve',
  /** Paint only unlabelled (255) pixels. */
  Unlabelled: 'unlabelled',
} as const
export type BrushMode = (typeof BrushMode)[keyof typeof BrushMode]

/** Whether a pixel holding `old` may be set to `value` under `mode`. */
export function canPaint(old: number, value: number, mode: BrushMode): boolean {
  if (old === value) return false
  switch (mode) {
    case 'overwrite':
      return true
    case 'preserve':
      return old === 0 || old === UNLABELLED
    case 'unlabelled':
      return old === UNLABELLED
    default: {
      const never: never = mode
      throw new Error(`unknown brush mode ${String(never)}`)
    }
  }
}

export function newLabelMap(width: number, height: number, fill = UNLABELLED): LabelMap {
  return { width, height, data: new Uint8Array(width * height).fill(fill) }
}

/** Clips a rectangle to the map; null when nothing is left. */
export function clipRect(r: Rect, width: number, height: number): Rect | null {
  const x0 = Math.max(0, Math.floor(r.x0))
  const y0 = Math.max(0, Math.floor(r.y0))
  const x1 = Math.min(width, Math.ceil(r.x1))
  const y1 = Math.min(height, Math.ceil(r.y1))
  return x0 < x1 && y0 < y1 ? { x0, y0, x1, y1 } : null
}

export function unionRect(a: Rect | null, b: Rect | null): Rect | null {
  if (!a) return b
  if (!b) return a
  return {
    x0: Math.min(a.x0, b.x0),
    y0: Math.min(a.y0, b.y0),
    x1: Math.max(a.x1, b.x1),
    y1: Math.max(a.y1, b.y1),
  }
}

/** Number of pixels where two maps differ (the "changed by hand" count against what was loaded). */
export function countDifferences(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new Error(`maps differ in size: ${a.length} vs ${b.length}`)
  let n = 0
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++
  return n
}
