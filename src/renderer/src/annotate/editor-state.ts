/**
 * The annotation editor's one state: what the curator set (tool, class, brush, overlay — `settings`)
 * and what the editor reports back (`edit`), in one reactive object that every panel reads and writes.
 * The canvas (MaskEditor) is not a second copy of it: `pushSettings` hands the settings to the canvas in
 * one place, whenever they change or a new image loads.
 */
import { reactive } from 'vue'
import type { BrushMode } from '../editor/label-map'
import type { EditorState, MaskEditor, Tool } from '../editor/mask-editor'

export interface EditorSettings {
  tool: Tool
  /** The class the tools paint. */
  value: number
  radius: number
  mode: BrushMode
  tolerance: number
  regionSize: number
  opacity: number
  overlayOn: boolean
  /** A held key shows only the image or only the labels. */
  hold: 'image' | 'labels' | null
  proposalVisible: boolean
  proposalOpacity: number
}

export interface EditorStateStore {
  settings: EditorSettings
  edit: EditorState
}

export function createEditorState(): EditorStateStore {
  return reactive({
    settings: {
      tool: 'brush',
      value: 15,
      radius: 8,
      mode: 'overwrite',
      tolerance: 24,
      regionSize: 24,
      opacity: 0.6,
      overlayOn: true,
      hold: null,
      proposalVisible: true,
      proposalOpacity: 0.7,
    },
    edit: { undoDepth: 0, redoDepth: 0, dirty: false, scale: 1, polygonPoints: 0, proposalRejected: 0 },
  })
}

/** Hands the settings to the canvas (the only place the canvas learns them). */
export function pushSettings(ed: MaskEditor, s: EditorSettings): void {
  ed.tool = s.tool
  ed.value = s.value
  ed.setRadius(s.radius)
  ed.mode = s.mode
  ed.tolerance = s.tolerance
  ed.regionSize = s.regionSize
  ed.setOpacity(s.overlayOn ? s.opacity : 0)
  ed.setVisibility(s.hold ?? 'both')
  ed.showProposal(s.proposalVisible && s.hold !== 'image')
  ed.setProposalOpacity(s.proposalOpacity)
}
