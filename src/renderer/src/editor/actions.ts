/**
 * Editor actions as data (Excalidraw's way): one record per action — id, label, default key, what it
 * does and when it may run. The toolbar, the keymap (keymap.ts derives its defaults from here) and the
 * shortcut sheet all read this one list, so a new action is one record, not a case in three places.
 * `perform` gets an ActionContext: the editor as the view exposes it (settings to change, commands).
 */
import type { Tool } from './mask-editor'

/** What an action can read and do; the annotation view implements it over its editor state. */
export interface ActionContext {
  tool: Tool
  /** The class the tools paint. */
  value: number
  radius: number
  overlayOn: boolean
  hold: 'image' | 'labels' | null
  readonly undoDepth: number
  readonly redoDepth: number
  /** The image is loaded (saving or idle): a save may be asked for. */
  readonly canSave: boolean
  /** A proposal is shown and loaded. */
  readonly proposalReady: boolean
  readonly proposalCount: number
  /** Picks the Accept tool (after the ground-truth unlock where the mask is locked). */
  pickAccept(): void
  /** Picks the model-assisted click-mask tool (after the ground-truth unlock where the mask is locked). */
  pickClickMask(): void
  /** Shows the newest proposal as its layer. */
  showFirstProposal(): void
  undo(): void
  redo(): void
  save(): void
  step(delta: 1 | -1): void
  fit(): void
  actualSize(): void
  toggleHelp(): void
  openClassSearch(): void
}

export interface ActionRecord {
  readonly id: string
  /** What the shortcut sheet says. */
  readonly label: string
  /** The chord before any remapping ("ctrl+shift+z", "[", "d"). */
  readonly defaultKey: string
  /** A drawing tool: the toolbar shows a button with this text that picks it. */
  readonly toolButton?: string
  /** Holding the key must not repeat the action (a second "next" would skip an image). */
  readonly noRepeat?: boolean
  perform(ctx: ActionContext): void
  enabled(ctx: ActionContext): boolean
}

const always = (): boolean => true
const pickTool = (tool: Tool) => (ctx: ActionContext) => {
  ctx.tool = tool
}

/** Accept/reject act on a shown proposal; without one, the key shows the newest proposal first. */
function proposalTool(tool: 'prediction' | 'reject') {
  return (ctx: ActionContext): void => {
    if (ctx.proposalReady) {
      if (tool === 'reject') ctx.tool = 'reject'
      else ctx.pickAccept()
    } else if (ctx.proposalCount > 0) ctx.showFirstProposal()
  }
}

export const ACTIONS = [
  {
    id: 'brush',
    label: 'Brush',
    defaultKey: 'b',
    toolButton: 'Brush',
    perform: pickTool('brush'),
    enabled: always,
  },
  {
    id: 'eraser',
    label: 'Eraser',
    defaultKey: 'e',
    toolButton: 'Eraser',
    perform: pickTool('eraser'),
    enabled: always,
  },
  {
    id: 'polygon',
    label: 'Polygon fill',
    defaultKey: 'p',
    toolButton: 'Polygon',
    perform: pickTool('polygon'),
    enabled: always,
  },
  {
    id: 'wand',
    label: 'Magic wand (flood fill)',
    defaultKey: 'w',
    toolButton: 'Wand',
    perform: pickTool('wand'),
    enabled: always,
  },
  {
    id: 'superpixel',
    label: 'Superpixel fill',
    defaultKey: 's',
    toolButton: 'Superpixel',
    perform: pickTool('superpixel'),
    enabled: always,
  },
  {
    id: 'clickMask',
    label: 'Click mask (model-assisted): click an object; Shift-click subtracts; drag a box to restrict',
    defaultKey: 'm',
    toolButton: 'Click mask',
    perform: (c) => c.pickClickMask(),
    enabled: always,
  },
  {
    id: 'prediction',
    label: 'Accept a region of the proposal',
    defaultKey: 'r',
    perform: proposalTool('prediction'),
    enabled: (c) => c.proposalReady || c.proposalCount > 0,
  },
  {
    id: 'reject',
    label: 'Hide (reject) a region of the proposal',
    defaultKey: 'shift+r',
    perform: proposalTool('reject'),
    enabled: (c) => c.proposalReady || c.proposalCount > 0,
  },
  {
    id: 'smaller',
    label: 'Smaller brush',
    defaultKey: '[',
    perform: (c) => void (c.radius = Math.max(0.5, Math.round((c.radius / 1.25) * 2) / 2)),
    enabled: always,
  },
  {
    id: 'bigger',
    label: 'Bigger brush',
    defaultKey: ']',
    perform: (c) => void (c.radius = Math.min(400, Math.round(c.radius * 1.25 * 2) / 2 + 0.5)),
    enabled: always,
  },
  {
    id: 'undo',
    label: 'Undo',
    defaultKey: 'ctrl+z',
    perform: (c) => c.undo(),
    enabled: (c) => c.undoDepth > 0,
  },
  {
    id: 'redo',
    label: 'Redo',
    defaultKey: 'ctrl+shift+z',
    perform: (c) => c.redo(),
    enabled: (c) => c.redoDepth > 0,
  },
  {
    id: 'redoAlt',
    label: 'Redo (alternative)',
    defaultKey: 'ctrl+y',
    perform: (c) => c.redo(),
    enabled: (c) => c.redoDepth > 0,
  },
  { id: 'save', label: 'Save', defaultKey: 'ctrl+s', perform: (c) => c.save(), enabled: (c) => c.canSave },
  {
    id: 'next',
    label: 'Next image in the split',
    defaultKey: 'd',
    noRepeat: true,
    perform: (c) => c.step(1),
    enabled: always,
  },
  {
    id: 'prev',
    label: 'Previous image in the split',
    defaultKey: 'a',
    noRepeat: true,
    perform: (c) => c.step(-1),
    enabled: always,
  },
  { id: 'fit', label: 'Fit to view', defaultKey: 'f', perform: (c) => c.fit(), enabled: always },
  { id: 'actual', label: '1:1', defaultKey: 'ctrl+0', perform: (c) => c.actualSize(), enabled: always },
  {
    id: 'toggleOverlay',
    label: 'Toggle the overlay',
    defaultKey: 't',
    perform: (c) => void (c.overlayOn = !c.overlayOn),
    enabled: always,
  },
  // The two holds end on key-up (the view's keyup handler).
  {
    id: 'imageOnly',
    label: 'Hold: image only',
    defaultKey: 'i',
    noRepeat: true,
    perform: (c) => void (c.hold = 'image'),
    enabled: always,
  },
  {
    id: 'labelsOnly',
    label: 'Hold: labels only',
    defaultKey: 'l',
    noRepeat: true,
    perform: (c) => void (c.hold = 'labels'),
    enabled: always,
  },
  { id: 'help', label: 'Show shortcuts', defaultKey: '?', perform: (c) => c.toggleHelp(), enabled: always },
  {
    id: 'ignore',
    label: 'Select ignore (255)',
    defaultKey: 'x',
    perform: (c) => void (c.value = 255),
    enabled: always,
  },
  {
    id: 'classSearch',
    label: 'Pick a class by name (type, ↑↓, Enter)',
    defaultKey: 'c',
    perform: (c) => c.openClassSearch(),
    enabled: always,
  },
] as const satisfies readonly ActionRecord[]

export type EditorAction = (typeof ACTIONS)[number]['id']

const BY_ID = new Map<string, ActionRecord>(ACTIONS.map((a) => [a.id, a]))

/** The record of an action id (every EditorAction has one). */
export function actionById(id: EditorAction): ActionRecord {
  const a = BY_ID.get(id)
  if (!a) throw new Error(`editor/actions.ts: no action "${id}" in ACTIONS`)
  return a
}

/** The drawing tools the toolbar shows, in registry order. */
export const TOOL_ACTIONS = ACTIONS.filter(
  (a): a is Extract<(typeof ACTIONS)[number], { toolButton: string }> => 'toolButton' in a,
)

/**
 * Runs an action if it may run now; false when it is disabled, or a held key repeats an action that
 * must not repeat (the caller still swallows the key: it is bound).
 */
export function performAction(id: EditorAction, ctx: ActionContext, repeat = false): boolean {
  const a = actionById(id)
  if ((repeat && a.noRepeat) || !a.enabled(ctx)) return false
  a.perform(ctx)
  return true
}
