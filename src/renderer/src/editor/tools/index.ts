/** One instance of every tool, by id: a new tool is a file here and one line in this table. */
import type { Tool } from '../mask-editor'
import { BrushTool } from './brush-tool'
import { ClickMaskTool } from './click-mask-tool'
import { PolygonTool } from './polygon-tool'
import { acceptTool, rejectTool } from './proposal-tools'
import { superpixelTool } from './superpixel-tool'
import type { EditorTool } from './tool'
import { wandTool } from './wand-tool'

export interface ToolSet extends Record<Tool, EditorTool> {
  polygon: PolygonTool
  clickMask: ClickMaskTool
}

export function createTools(): ToolSet {
  return {
    brush: new BrushTool('brush'),
    eraser: new BrushTool('eraser'),
    polygon: new PolygonTool(),
    wand: wandTool,
    superpixel: superpixelTool,
    prediction: acceptTool,
    reject: rejectTool,
    clickMask: new ClickMaskTool(),
  }
}
