/**
 * The two proposal tools: Accept copies the shown proposal's component under the click into the mask
 * (one undo step); Reject hides it from the proposal layer (view state, not in the mask's history).
 */
import { NO_GESTURE, type EditorTool, type Point, type ToolHost } from './tool'

export const acceptTool: EditorTool = {
  ...NO_GESTURE,
  id: 'prediction',
  cursor: 'crosshair',
  showsBrush: false,
  onPointerDown(h: ToolHost, p: Point): void {
    const at = h.inside(p)
    if (at) h.acceptComponentAt(at.x, at.y)
  },
}

export const rejectTool: EditorTool = {
  ...NO_GESTURE,
  id: 'reject',
  cursor: 'crosshair',
  showsBrush: false,
  onPointerDown(h: ToolHost, p: Point): void {
    const at = h.inside(p)
    if (at) h.rejectComponentAt(at.x, at.y)
  },
}
