/**
 * Polygon fill: each click adds a point; Enter or a double click closes and fills it as one undo step;
 * Esc drops the points.
 */
import { fillPolygon } from '../raster'
import type { EditorTool, Point, ToolHost } from './tool'

export class PolygonTool implements EditorTool {
  readonly id = 'polygon'
  readonly cursor = 'crosshair'
  readonly showsBrush = false
  readonly gestureActive = false
  private points: Point[] = []

  get pointCount(): number {
    return this.points.length
  }

  onPointerDown(h: ToolHost, p: Point): void {
    this.points.push({ x: p.x, y: p.y })
    h.setOutline(this.points)
    h.changed()
  }

  onPointerMove(): void {}
  onPointerUp(): void {}

  onDoubleClick(h: ToolHost): void {
    // the double click's own two clicks added two (equal) points; drop the duplicate
    this.points.pop()
    this.close(h)
  }

  onKey(h: ToolHost, key: string): boolean {
    if (this.points.length === 0) return false
    if (key === 'Enter') this.close(h)
    else if (key === 'Escape') this.onCancel(h)
    else return false
    return true
  }

  /** Closes and fills the polygon (fewer than three points fill nothing). */
  close(h: ToolHost): void {
    const pts = this.points
    this.points = []
    h.setOutline([])
    if (pts.length >= 3) {
      const rec = h.beginEdit()
      h.redraw(fillPolygon(h.map, pts, h.value, h.mode, rec))
      h.commit(rec)
    } else h.changed()
  }

  onCancel(h: ToolHost): void {
    this.points = []
    h.setOutline([])
    h.changed()
  }
}
