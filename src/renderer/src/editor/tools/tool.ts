/**
 * Editor tools as small state machines (tldraw's way): each tool is its own object with its own gesture
 * state, answering pointer down/move/up, keys and cancel, and naming its cursor. MaskEditor routes the
 * canvas events to the current tool and keeps only what all tools share (view, pan, drawing, history).
 * A gesture's history mark is an EditRecorder: begun at pointer-down, committed as one undo step at
 * pointer-up (or when a click tool's edit is complete).
 */
import type { EditRecorder } from '../history'
import type { BrushMode, LabelMap, Rect } from '../label-map'
import type { Tool } from '../mask-editor'
import type { Region } from '../raster'
import type { ClickMaskApplied } from './click-mask-tool'
import type { ProbMap } from './click-mask-region'

export interface Point {
  x: number
  y: number
}

/** Modifier keys held at pointer-down (Shift-click subtracts in the click-mask tool). */
export interface PointerMods {
  shift: boolean
}

/** The model behind the click-mask tool for the current image (annotate/session-click-mask.ts). */
export interface ClickMaskModelSource {
  map: ProbMap
  /** Names the model in the saved version's origin ("Click mask · No-DA #1"). */
  key: string
}

/** What the click-mask tool asks of the studio side: the model's map, and where to report. */
export interface ClickMaskHooks {
  /** The image's model map; null when there is none (the session has said why). */
  model(): Promise<ClickMaskModelSource | null>
  /** A click was applied (null: the model has no region there). */
  applied(info: ClickMaskApplied | null): void
  failed(e: unknown): void
}

/** What a tool may read and do on the editor (MaskEditor implements it). */
export interface ToolHost {
  readonly map: LabelMap
  /** The class the tools paint. */
  readonly value: number
  readonly radius: number
  readonly mode: BrushMode
  readonly tolerance: number
  readonly regionSize: number
  /** Screen pixels per image pixel (a drag shorter than a few screen pixels is a click). */
  readonly viewScale: number
  readonly clickMask: ClickMaskHooks
  /** The image pixel under an image point; null outside the image. */
  inside(p: Point): Point | null
  /** Starts a history mark: the recorder collects the gesture's changes. */
  beginEdit(): EditRecorder
  /** Ends a history mark: its changes become one undo step; whether anything changed. */
  commit(rec: EditRecorder): boolean
  /** Recolours a changed rectangle of the labels. */
  redraw(rect: Rect | null): void
  /** Paints a region with the current class and mode as one undo step. */
  applyRegion(region: Region | null): void
  photoRgba(): Uint8ClampedArray | null
  superpixels(regionSize: number): Promise<Int32Array | null>
  acceptComponentAt(x: number, y: number): boolean
  /** Paints a model-made region with `value` as one undo step, recorded as machine pixels from `sourceKey`. */
  applyMachineRegion(region: Region, value: number, sourceKey: string): boolean
  /** Erases a region (paints ignore, 255, in the current mode) as one undo step. */
  eraseRegion(region: Region): void
  rejectComponentAt(x: number, y: number): boolean
  /** Keeps the pointer's events on the canvas until it is released. */
  capturePointer(pointerId: number): void
  /** The outline a tool is drawing (the polygon's points so far); empty hides it. */
  setOutline(points: readonly Point[]): void
  /** The editor state changed (points added, …): tell the view. */
  changed(): void
}

export interface EditorTool {
  readonly id: Tool
  /** CSS cursor over the canvas ('none' where the brush circle is the cursor). */
  readonly cursor: 'none' | 'crosshair'
  /** Whether the brush circle follows the pointer. */
  readonly showsBrush: boolean
  /** A gesture is under way: the labels hold part of an edit that is not an undo step yet. */
  readonly gestureActive: boolean
  onPointerDown(h: ToolHost, p: Point, pointerId: number, mods?: PointerMods): void
  /** `samples`: every pointer position since the last move (coalesced events), read only when needed. */
  onPointerMove(h: ToolHost, samples: () => Point[], pointerId: number): void
  onPointerUp(h: ToolHost, pointerId: number): void
  onDoubleClick(h: ToolHost): void
  /** A key for the tool (Enter closes a polygon); true when the tool used it. */
  onKey(h: ToolHost, key: string): boolean
  /** Drops the gesture under way, if any (Esc, a new image). */
  onCancel(h: ToolHost): void
}

/** The parts a tool without a gesture of its own leaves as they are. */
export const NO_GESTURE = {
  gestureActive: false,
  onPointerMove(): void {},
  onPointerUp(): void {},
  onDoubleClick(): void {},
  onKey: (): boolean => false,
  onCancel(): void {},
} as const
