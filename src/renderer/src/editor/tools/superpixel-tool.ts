/** Superpixel fill: a click fills the superpixel under it (computed in a worker) as one undo step. */
import { labelComponent } from '../flood'
import { NO_GESTURE, type EditorTool, type Point, type ToolHost } from './tool'

export const superpixelTool: EditorTool = {
  ...NO_GESTURE,
  id: 'superpixel',
  cursor: 'crosshair',
  showsBrush: false,
  onPointerDown(h: ToolHost, p: Point): void {
    const at = h.inside(p)
    if (!at) return
    void h.superpixels(h.regionSize).then((sp) => {
      if (sp) h.applyRegion(labelComponent(sp, h.map.width, h.map.height, at.x, at.y))
    })
  },
}
