/**
 * One view shared by every pane of the comparison: zoom relative to "fit" and the image point at the
 * pane's centre, in image fractions (0–1). Each pane turns it into its own screen transform from its
 * image and pane sizes, so panes of different sizes (or rows of different images) zoom and pan together.
 * Pure functions.
 */
import { fitTransform, MAX_SCALE, type ViewTransform } from '../viewer/view-math'

export interface SharedView {
  /** 1 = the whole image fits the pane; 2 = twice that. */
  zoom: number
  /** Image point shown at the pane centre, as fractions of width and height. */
  cx: number
  cy: number
}

export const FIT_VIEW: SharedView = { zoom: 1, cx: 0.5, cy: 0.5 }
export const MIN_ZOOM = 1
export const MAX_ZOOM = 64

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v))
}

/** The pane's screen transform (screen px per image px, and the image's top-left on screen). */
export function paneTransform(
  v: SharedView,
  imageW: number,
  imageH: number,
  paneW: number,
  paneH: number,
): ViewTransform {
  const fit = fitTransform(imageW, imageH, paneW, paneH, 0)
  const scale = Math.min(fit.scale * v.zoom, MAX_SCALE)
  return { scale, x: paneW / 2 - v.cx * imageW * scale, y: paneH / 2 - v.cy * imageH * scale }
}

/** Keeps the centre where at least the pane's half-extent of image stays visible (no panning into the void). */
export function clampView(v: SharedView): SharedView {
  const zoom = clamp(v.zoom, MIN_ZOOM, MAX_ZOOM)
  const half = 0.5 / zoom
  return { zoom, cx: clamp(v.cx, half, 1 - half), cy: clamp(v.cy, half, 1 - half) }
}

/** Zooms by `factor` keeping the image point under the screen point (px, py) of one pane in place. */
export function zoomShared(
  v: SharedView,
  factor: number,
  px: number,
  py: number,
  imageW: number,
  imageH: number,
  paneW: number,
  paneH: number,
): SharedView {
  const t = paneTransform(v, imageW, imageH, paneW, paneH)
  // Image fraction under the cursor before the zoom.
  const fx = (px - t.x) / t.scale / imageW
  const fy = (py - t.y) / t.scale / imageH
  const zoom = clamp(v.zoom * factor, MIN_ZOOM, MAX_ZOOM)
  const t2 = paneTransform({ ...v, zoom }, imageW, imageH, paneW, paneH)
  // Choose the centre so that (fx, fy) lands at (px, py) again.
  const cx = fx - (px - paneW / 2) / (t2.scale * imageW)
  const cy = fy - (py - paneH / 2) / (t2.scale * imageH)
  return clampView({ zoom, cx, cy })
}

/** Pans by a screen drag (dx, dy) measured in one pane. */
export function panShared(
  v: SharedView,
  dx: number,
  dy: number,
  imageW: number,
  imageH: number,
  paneW: number,
  paneH: number,
): SharedView {
  const t = paneTransform(v, imageW, imageH, paneW, paneH)
  return clampView({ zoom: v.zoom, cx: v.cx - dx / (t.scale * imageW), cy: v.cy - dy / (t.scale * imageH) })
}
