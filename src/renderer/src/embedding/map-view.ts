/** Pan/zoom of the embedding map: data space [0, 1]² ↔ screen pixels. Pure functions. */

export interface MapView {
  /** Screen pixels per data unit. */
  scale: number
  /** Screen position of data (0, 0). */
  x: number
  y: number
}

export const MAP_MIN_SCALE = 10
export const MAP_MAX_SCALE = 200_000

/** The whole [0, 1]² square, centred, with `padding` pixels around it. */
export function fitMap(width: number, height: number, padding = 24): MapView {
  const scale = Math.max(MAP_MIN_SCALE, Math.min(width, height) - 2 * padding)
  return { scale, x: (width - scale) / 2, y: (height - scale) / 2 }
}

export function toScreen(v: MapView, x: number, y: number): { sx: number; sy: number } {
  return { sx: v.x + x * v.scale, sy: v.y + y * v.scale }
}

export function toData(v: MapView, sx: number, sy: number): { x: number; y: number } {
  return { x: (sx - v.x) / v.scale, y: (sy - v.y) / v.scale }
}

export function zoomMap(v: MapView, px: number, py: number, factor: number): MapView {
  const scale = Math.min(MAP_MAX_SCALE, Math.max(MAP_MIN_SCALE, v.scale * factor))
  const k = scale / v.scale
  return { scale, x: px - (px - v.x) * k, y: py - (py - v.y) * k }
}

export function panMap(v: MapView, dx: number, dy: number): MapView {
  return { ...v, x: v.x + dx, y: v.y + dy }
}
