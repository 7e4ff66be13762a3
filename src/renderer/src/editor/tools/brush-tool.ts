/**
 * Brush and eraser: a stroke is one gesture — painted as the pointer moves (every coalesced sample, so
 * fast strokes stay continuous) and committed as one undo step when the pointer is released.
 */
import type { EditRecorder } from '../history'
import { unionRect, type Rect } from '../label-map'
import { paintSegment } from '../raster'
import type { EditorTool, Point, ToolHost } from './tool'

export class BrushTool implements EditorTool {
  readonly cursor = 'none'
  readonly showsBrush = true
  private stroke: { rec: EditRecorder; x: number; y: number; pointerId: number } | null = null

  /** The eraser paints ignore (255) instead of the current class. */
  constructor(readonly id: 'brush' | 'eraser') {}

  get gestureActive(): boolean {
    return this.stroke !== null
  }

  private paintValue(h: ToolHost): number {
    return this.id === 'eraser' ? 255 : h.value
  }

  onPointerDown(h: ToolHost, p: Point, pointerId: number): void {
    const rec = h.beginEdit()
    h.redraw(paintSegment(h.map, p.x, p.y, p.x, p.y, h.radius, this.paintValue(h), h.mode, rec))
    this.stroke = { rec, x: p.x, y: p.y, pointerId }
    h.capturePointer(pointerId)
  }

  onPointerMove(h: ToolHost, samples: () => Point[], pointerId: number): void {
    const s = this.stroke
    if (!s || pointerId !== s.pointerId) return
    let dirty: Rect | null = null
    let x = s.x
    let y = s.y
    for (const q of samples()) {
      dirty = unionRect(
        dirty,
        paintSegment(h.map, x, y, q.x, q.y, h.radius, this.paintValue(h), h.mode, s.rec),
      )
      x = q.x
      y = q.y
    }
    s.x = x
    s.y = y
    h.redraw(dirty)
  }

  onPointerUp(h: ToolHost, pointerId: number): void {
    const s = this.stroke
    if (!s || pointerId !== s.pointerId) return
    this.stroke = null
    h.commit(s.rec)
  }

  onDoubleClick(): void {}

  onKey(): boolean {
    return false
  }

  /** The painted part of a stroke is kept as its undo step: pixels never change without one. */
  onCancel(h: ToolHost): void {
    const s = this.stroke
    this.stroke = null
    if (s) h.commit(s.rec)
  }
}
