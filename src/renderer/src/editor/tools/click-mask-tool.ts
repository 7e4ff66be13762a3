/**
 * Click mask (model-assisted, issue 16 item 5): a click inside an object paints the object's region from
 * the album's best model (click-mask-region.ts: the model's region under the click, upsampled and
 * snapped to superpixels) with the model's class; Shift-click erases the model's region under the click
 * instead; dragging a box restricts the region to the box (the box's most frequent object class). Each
 * click or box is one undo step. The painted pixels are the machine's (recorded like an accepted
 * proposal: the saved version says "machine" or "mixed", with the model's name) — a proposal the
 * curator accepts, never hand-made ground truth; on a locked ground-truth mask the tool is only picked
 * through the unlock (annotate/session-click-mask.ts) and such an edit is never autosaved.
 *
 * The model's map arrives asynchronously (first click of an image: the model's forward pass on the
 * studio side), so clicks are queued and applied in order; a click whose image was replaced meanwhile
 * is dropped.
 */
import type { Rect } from '../label-map'
import { clickMaskRegion, type ClickMaskTarget } from './click-mask-region'
import type { EditorTool, PointerMods, Point, ToolHost } from './tool'

/** A drag shorter than this (screen pixels) is a click. */
const DRAG_PX = 5

/** What one applied click cost and did (the bench and the hint line read it). */
export interface ClickMaskApplied {
  /** Release → region applied and redrawn, with the model's map and the superpixels ready (ms). */
  ms: number
  cls: number
  pixels: number
  subtract: boolean
  snapped: boolean
}

interface Drag {
  start: Point
  now: Point
  pointerId: number
  subtract: boolean
  boxShown: boolean
}

/** The box of a drag, in whole image pixels (half-open), clipped to the image. */
export function dragBox(a: Point, b: Point, width: number, height: number): Rect {
  return {
    x0: Math.max(0, Math.floor(Math.min(a.x, b.x))),
    y0: Math.max(0, Math.floor(Math.min(a.y, b.y))),
    x1: Math.min(width, Math.ceil(Math.max(a.x, b.x))),
    y1: Math.min(height, Math.ceil(Math.max(a.y, b.y))),
  }
}

export class ClickMaskTool implements EditorTool {
  readonly id = 'clickMask'
  readonly cursor = 'crosshair'
  readonly showsBrush = false
  readonly gestureActive = false
  private drag: Drag | null = null
  private queue: Promise<void> = Promise.resolve()

  onPointerDown(h: ToolHost, p: Point, pointerId: number, mods?: PointerMods): void {
    if (!h.inside(p)) return
    this.drag = {
      start: { x: p.x, y: p.y },
      now: { x: p.x, y: p.y },
      pointerId,
      subtract: mods?.shift ?? false,
      boxShown: false,
    }
    h.capturePointer(pointerId)
  }

  onPointerMove(h: ToolHost, samples: () => Point[], pointerId: number): void {
    const d = this.drag
    if (!d || pointerId !== d.pointerId) return
    const s = samples()
    d.now = s[s.length - 1] ?? d.now
    if (!d.boxShown && Math.hypot(d.now.x - d.start.x, d.now.y - d.start.y) * h.viewScale < DRAG_PX) return
    d.boxShown = true
    const { x: ax, y: ay } = d.start
    const { x: bx, y: by } = d.now
    h.setOutline([
      { x: ax, y: ay },
      { x: bx, y: ay },
      { x: bx, y: by },
      { x: ax, y: by },
      { x: ax, y: ay },
    ])
  }

  onPointerUp(h: ToolHost, pointerId: number): void {
    const d = this.drag
    if (!d || pointerId !== d.pointerId) return
    this.drag = null
    let target: ClickMaskTarget | null
    if (d.boxShown) {
      h.setOutline([])
      const box = dragBox(d.start, d.now, h.map.width, h.map.height)
      target = box.x1 > box.x0 && box.y1 > box.y0 ? { kind: 'box', box } : null
    } else {
      const at = h.inside(d.start)
      target = at ? { kind: 'point', x: at.x, y: at.y } : null
    }
    if (target) this.enqueue(h, target, d.subtract)
  }

  /** Applies a click after the ones before it (their model map may still be loading). */
  private enqueue(h: ToolHost, target: ClickMaskTarget, subtract: boolean): void {
    const map = h.map
    this.queue = this.queue
      .then(() => this.apply(h, map, target, subtract))
      .catch((e: unknown) => h.clickMask.failed(e))
  }

  private async apply(
    h: ToolHost,
    map: ToolHost['map'],
    target: ClickMaskTarget,
    subtract: boolean,
  ): Promise<void> {
    const model = await h.clickMask.model()
    if (!model || h.map !== map) return
    const sp = await h.superpixels(h.regionSize)
    if (h.map !== map) return
    const t0 = performance.now()
    const r = clickMaskRegion(model.map, map.width, map.height, target, sp)
    if (!r) {
      h.clickMask.applied(null)
      return
    }
    if (subtract) h.eraseRegion(r.region)
    else h.applyMachineRegion(r.region, r.cls, model.key)
    h.clickMask.applied({
      ms: performance.now() - t0,
      cls: r.cls,
      pixels: r.region.size,
      subtract,
      snapped: r.snapped,
    })
  }

  onDoubleClick(): void {}

  onKey(h: ToolHost, key: string): boolean {
    if (key !== 'Escape' || !this.drag) return false
    this.onCancel(h)
    return true
  }

  onCancel(h: ToolHost): void {
    if (this.drag?.boxShown) h.setOutline([])
    this.drag = null
  }
}
