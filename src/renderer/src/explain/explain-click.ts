/**
 * Where a click on a comparison pane lands in the image, and whether a pointer gesture was a click (not
 * a pan): pure functions for the Explain panel's hook into the compare view.
 */
import { paneTransform, type SharedView } from '../compare/sync-view'

/** A press that moved less than this (screen px) before release is a click. */
export const CLICK_SLOP = 4

/** The image pixel under pane point (px, py), or null outside the image. */
export function imagePoint(
  px: number,
  py: number,
  view: SharedView,
  imageW: number,
  imageH: number,
  paneW: number,
  paneH: number,
): { x: number; y: number } | null {
  const t = paneTransform(view, imageW, imageH, paneW, paneH)
  const x = Math.floor((px - t.x) / t.scale)
  const y = Math.floor((py - t.y) / t.scale)
  return x >= 0 && y >= 0 && x < imageW && y < imageH ? { x, y } : null
}

export function isClick(down: { x: number; y: number } | null, up: { x: number; y: number }): boolean {
  return down !== null && Math.hypot(up.x - down.x, up.y - down.y) < CLICK_SLOP
}

/** A crop window around a box: the box with a margin of half its size each side, clamped to the image. */
export function cropAround(
  box: readonly [number, number, number, number],
  imageW: number,
  imageH: number,
): { x: number; y: number; w: number; h: number } {
  const bw = Math.max(1, box[2] - box[0])
  const bh = Math.max(1, box[3] - box[1])
  const x0 = Math.max(0, Math.floor(box[0] - bw / 2))
  const y0 = Math.max(0, Math.floor(box[1] - bh / 2))
  const x1 = Math.min(imageW, Math.ceil(box[2] + bw / 2))
  const y1 = Math.min(imageH, Math.ceil(box[3] + bh / 2))
  return { x: x0, y: y0, w: Math.max(1, x1 - x0), h: Math.max(1, y1 - y0) }
}
