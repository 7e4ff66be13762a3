/** Magic wand: a click fills the photo's similar-coloured region under it (flood fill) as one undo step. */
import { magicWand } from '../flood'
import { NO_GESTURE, type EditorTool, type Point, type ToolHost } from './tool'

export const wandTool: EditorTool = {
  ...NO_GESTURE,
  id: 'wand',
  cursor: 'crosshair',
  showsBrush: false,
  onPointerDown(h: ToolHost, p: Point): void {
    const at = h.inside(p)
    const rgba = h.photoRgba()
    if (!at || !rgba) return
    h.applyRegion(magicWand(rgba, h.map.width, h.map.height, at.x, at.y, h.tolerance))
  },
}
