/**
 * The annotation canvas: a Konva stage with the photo, the label overlay and a tool layer. Labels live
 * in one Uint8Array (LabelMap) with one offscreen canvas for display; tools write into the array and
 * only the changed rectangle is recoloured (no Konva node per stroke). Pointer moves read
 * getCoalescedEvents() so fast strokes keep every sample. The component around it stays thin.
 * What a click or a drag does is the current tool's business (tools/: one small state machine per
 * tool); the editor routes the pointer to it and keeps what every tool shares: view, pan, history.
 * Over 400 lines because it owns the Konva stage and its four layers, the display buffers and the
 * proposal layer's drawing, which all share the same private canvas state; the tools are outside it.
 */
import Konva from 'konva'
import { fitTransform, safePixelRatio, zoomAt, type ViewTransform } from '../viewer/view-math'
import { EditRecorder, History } from './history'
import { newLabelMap, type BrushMode, type LabelMap, type Rect } from './label-map'
import { overlayLut, paintHatchedRect, paintRect } from './palette'
import { acceptRegion, MachineReference, ProposalLayer } from './proposal'
import { applyRegion, type Region } from './raster'
import { createTools } from './tools'
import type { ClickMaskHooks, EditorTool, Point, ToolHost } from './tools/tool'

/** 'prediction' accepts a component of the shown proposal; 'reject' hides one; 'clickMask': model-assisted. */
export type Tool =
  'brush' | 'eraser' | 'polygon' | 'wand' | 'superpixel' | 'prediction' | 'reject' | 'clickMask'
export type Visibility = 'both' | 'image' | 'labels'

export interface EditorState {
  undoDepth: number
  redoDepth: number
  /** Edits since the last save. */
  dirty: boolean
  scale: number
  polygonPoints: number
  /** Pixels of the shown proposal hidden by "reject". */
  proposalRejected: number
}

export interface EditorHooks {
  onState(s: EditorState): void
  /** Superpixels of the photo at this granularity (computed in a worker); null while unavailable. */
  superpixels(regionSize: number): Promise<Int32Array | null>
  /** The click-mask tool's model (annotate/session-click-mask.ts). */
  clickMask: ClickMaskHooks
}

export class MaskEditor {
  readonly history = new History(200)
  map: LabelMap = newLabelMap(1, 1)
  /** What was loaded: the reference for "changed by hand" (with `machine`, see proposal.ts). */
  private base: Uint8Array = new Uint8Array(1)
  private machine = new MachineReference(1)
  /** The proposal shown as its own layer (never part of the mask until copied). */
  proposal: ProposalLayer | null = null
  /** Keys of the proposals copied from since the image was loaded (for the saved version's origin). */
  readonly acceptedFrom = new Set<string>()
  private readonly tools = createTools()
  private currentTool: Tool = 'brush'
  /** The tool that got the pointer-down: it gets the moves and the release, even after a tool switch. */
  private gestureTool: EditorTool | null = null
  value = 15
  radius = 8
  mode: BrushMode = 'overwrite'
  tolerance = 24
  regionSize = 24
  private dirty = false
  private stage: Konva.Stage
  private photoLayer = new Konva.Layer({ listening: false })
  private labelLayer = new Konva.Layer({ listening: false, imageSmoothingEnabled: false })
  private proposalLayer = new Konva.Layer({ listening: false, imageSmoothingEnabled: false, visible: false })
  private proposalNode = new Konva.Image({ image: undefined, x: 0, y: 0 })
  private proposalDisplay: HTMLCanvasElement | null = null
  private toolLayer = new Konva.Layer({ listening: false })
  private photoNode = new Konva.Image({ image: undefined, x: 0, y: 0 })
  private labelNode = new Konva.Image({ image: undefined, x: 0, y: 0 })
  private cursor = new Konva.Circle({
    radius: 8,
    stroke: '#ffffff',
    strokeWidth: 1,
    dash: [4, 3],
    visible: false,
    strokeScaleEnabled: false,
  })
  private polyLine = new Konva.Line({
    points: [],
    stroke: '#ffd84d',
    strokeWidth: 1.5,
    strokeScaleEnabled: false,
    visible: false,
  })
  private display: HTMLCanvasElement = document.createElement('canvas')
  private displayCtx: CanvasRenderingContext2D | null = null
  /** The overlay's RGBA pixels, kept (one 4·W·H allocation per image, not one per redraw). */
  private displayPixels: ImageData | null = null
  private displayWords: Uint32Array = new Uint32Array(0)
  private lut = overlayLut()
  private photo: HTMLImageElement | null = null
  private photoPixels: Uint8ClampedArray | null = null
  private view: ViewTransform = { scale: 1, x: 0, y: 0 }
  private pan: { x: number; y: number; pointerId: number } | null = null
  spaceHeld = false
  private observer: ResizeObserver

  constructor(
    private readonly host: HTMLDivElement,
    private readonly hooks: EditorHooks,
  ) {
    this.stage = new Konva.Stage({
      container: host,
      width: Math.max(1, host.clientWidth),
      height: Math.max(1, host.clientHeight),
    })
    this.photoLayer.add(this.photoNode)
    this.labelLayer.add(this.labelNode)
    this.proposalLayer.add(this.proposalNode)
    this.toolLayer.add(this.cursor, this.polyLine)
    this.stage.add(this.photoLayer, this.labelLayer, this.proposalLayer, this.toolLayer)
    this.observer = new ResizeObserver(() => this.resize())
    this.observer.observe(host)
    host.addEventListener('pointerdown', this.onDown)
    host.addEventListener('pointermove', this.onMove)
    host.addEventListener('pointerup', this.onUp)
    host.addEventListener('pointercancel', this.onUp)
    host.addEventListener('pointerleave', this.onLeave)
    host.addEventListener('wheel', this.onWheel, { passive: false })
    host.addEventListener('dblclick', this.onDblClick)
    host.style.cursor = this.tools[this.currentTool].cursor
    this.resize()
  }

  destroy(): void {
    this.observer.disconnect()
    this.host.removeEventListener('pointerdown', this.onDown)
    this.host.removeEventListener('pointermove', this.onMove)
    this.host.removeEventListener('pointerup', this.onUp)
    this.host.removeEventListener('pointercancel', this.onUp)
    this.host.removeEventListener('pointerleave', this.onLeave)
    this.host.removeEventListener('wheel', this.onWheel)
    this.host.removeEventListener('dblclick', this.onDblClick)
    this.stage.destroy()
  }

  /** Shows a photo with its labels (a copy is kept as the hand-edit reference). */
  load(photo: HTMLImageElement, width: number, height: number, labels: Uint8Array | null): void {
    this.photo = photo
    this.photoPixels = null
    this.map = labels ? { width, height, data: labels.slice() } : newLabelMap(width, height)
    this.base = this.map.data.slice()
    this.machine = new MachineReference(width * height)
    this.acceptedFrom.clear()
    this.setProposal(null)
    this.history.clear()
    this.tools.polygon.onCancel(this.toolHost)
    this.tools.clickMask.onCancel(this.toolHost)
    this.dirty = false
    this.display = document.createElement('canvas')
    this.display.width = width
    this.display.height = height
    this.displayCtx = this.display.getContext('2d')
    this.displayPixels = this.displayCtx?.createImageData(width, height) ?? null
    this.displayWords = this.displayPixels
      ? new Uint32Array(this.displayPixels.data.buffer)
      : new Uint32Array(0)
    this.photoNode.image(photo)
    this.photoNode.size({ width, height })
    this.labelNode.image(this.display)
    this.labelNode.size({ width, height })
    this.redraw({ x0: 0, y0: 0, x1: width, y1: height })
    this.fit()
    this.emit()
  }

  /** Marks the current labels as saved (new reference for dirty; history stays for undo). */
  markSaved(): void {
    this.dirty = false
    this.emit()
  }

  /** Pixels changed by hand since the image was loaded (the rule is in proposal.ts). */
  handPixels(): number {
    return this.machine.handPixels(this.base, this.map.data)
  }

  /** Pixels copied from a proposal (and still holding its label) since the image was loaded. */
  machinePixels(): number {
    return this.machine.machinePixels(this.base, this.map.data)
  }

  // ---------- proposals ----------

  /** Shows a proposal (labels at the image's size, 255 = none) as its own layer; null hides it. */
  setProposal(p: { key: string; labels: Uint8Array } | null): ProposalLayer | null {
    if (!p) {
      this.proposal = null
      this.proposalDisplay = null
      this.proposalNode.image(undefined)
      this.proposalLayer.visible(false)
      this.proposalLayer.batchDraw()
      this.emit()
      return null
    }
    const { width, height } = this.map
    this.proposal = new ProposalLayer(p.key, width, height, p.labels)
    this.proposalDisplay = document.createElement('canvas')
    this.proposalDisplay.width = width
    this.proposalDisplay.height = height
    this.proposalNode.image(this.proposalDisplay)
    this.proposalNode.size({ width, height })
    this.proposalLayer.visible(true)
    this.redrawProposal({ x0: 0, y0: 0, x1: width, y1: height })
    this.emit()
    return this.proposal
  }

  showProposal(on: boolean): void {
    this.proposalLayer.visible(on && this.proposal !== null)
    this.proposalLayer.batchDraw()
  }

  setProposalOpacity(v: number): void {
    this.proposalLayer.opacity(v)
    this.proposalLayer.batchDraw()
  }

  /** Copies the whole visible proposal into the mask as one undoable step. */
  startFromProposal(): boolean {
    const p = this.proposal
    const region = p?.wholeRegion()
    if (!p || !region) return false
    return this.acceptProposalRegion(p, region)
  }

  /** Copies the proposal component under an image pixel into the mask as one undoable step. */
  acceptComponentAt(x: number, y: number): boolean {
    const p = this.proposal
    const region = p?.component(x, y)
    if (!p || !region) return false
    return this.acceptProposalRegion(p, region)
  }

  /** Hides the proposal component under an image pixel (view state: not in the mask's history). */
  rejectComponentAt(x: number, y: number): boolean {
    const r = this.proposal?.reject(x, y) ?? null
    this.redrawProposal(r)
    this.emit()
    return r !== null
  }

  restoreRejected(): void {
    const p = this.proposal
    if (!p) return
    p.restoreRejected()
    this.redrawProposal({ x0: 0, y0: 0, x1: p.width, y1: p.height })
    this.emit()
  }

  private acceptProposalRegion(p: ProposalLayer, region: Region): boolean {
    const rec = new EditRecorder(this.map)
    this.redraw(acceptRegion(this.map, p.view, region, this.mode, rec, this.machine))
    const changed = this.commit(rec)
    if (changed) this.acceptedFrom.add(p.key)
    return changed
  }

  private redrawProposal(rect: Rect | null): void {
    const p = this.proposal
    const ctx = this.proposalDisplay?.getContext('2d')
    if (!rect || !p || !ctx) return
    const w = rect.x1 - rect.x0
    const h = rect.y1 - rect.y0
    if (w <= 0 || h <= 0) return
    const img = ctx.createImageData(w, h)
    paintHatchedRect(p.view, p.width, rect, this.lut, new Uint32Array(img.data.buffer))
    ctx.putImageData(img, rect.x0, rect.y0)
    this.proposalLayer.batchDraw()
  }

  get isDirty(): boolean {
    return this.dirty
  }

  /** A brush/eraser stroke is under way: the labels hold part of an edit that is not a history step yet. */
  get gestureActive(): boolean {
    return Object.values(this.tools).some((t) => t.gestureActive)
  }

  get tool(): Tool {
    return this.currentTool
  }

  /** Picks a tool; a gesture under way stays with the tool that began it (it ends at pointer-up). */
  set tool(t: Tool) {
    this.currentTool = t
    this.host.style.cursor = this.tools[t].cursor
  }

  // ---------- view ----------

  get viewTransform(): ViewTransform {
    return this.view
  }

  private applyView(): void {
    for (const l of [this.photoLayer, this.labelLayer, this.proposalLayer, this.toolLayer]) {
      l.position({ x: this.view.x, y: this.view.y })
      l.scale({ x: this.view.scale, y: this.view.scale })
    }
    this.stage.batchDraw()
    this.emit()
  }

  fit(): void {
    this.view = fitTransform(this.map.width, this.map.height, this.stage.width(), this.stage.height())
    this.applyView()
  }

  actualSize(): void {
    this.view = {
      scale: 1,
      x: (this.stage.width() - this.map.width) / 2,
      y: (this.stage.height() - this.map.height) / 2,
    }
    this.applyView()
  }

  zoomBy(f: number): void {
    this.view = zoomAt(this.view, this.stage.width() / 2, this.stage.height() / 2, f)
    this.applyView()
  }

  setOpacity(v: number): void {
    this.labelLayer.opacity(v)
    this.labelLayer.batchDraw()
  }

  setVisibility(v: Visibility): void {
    this.photoLayer.visible(v !== 'labels')
    this.labelLayer.visible(v !== 'image')
    this.stage.batchDraw()
  }

  private resize(): void {
    const w = Math.max(1, this.host.clientWidth)
    const h = Math.max(1, this.host.clientHeight)
    this.stage.size({ width: w, height: h })
    // Cap the backing store: a big stage at devicePixelRatio 2 would otherwise exceed Chromium's limit.
    const ratio = safePixelRatio(w, h, window.devicePixelRatio)
    for (const l of [this.photoLayer, this.labelLayer, this.proposalLayer, this.toolLayer])
      l.getCanvas().setPixelRatio(ratio)
    this.fit()
  }

  /** Image coordinates (continuous) of a client point. */
  toImage(clientX: number, clientY: number): { x: number; y: number } {
    const r = this.host.getBoundingClientRect()
    return {
      x: (clientX - r.left - this.view.x) / this.view.scale,
      y: (clientY - r.top - this.view.y) / this.view.scale,
    }
  }

  // ---------- drawing ----------

  /** Recolours the changed rectangle only: into the kept pixels, then a dirty-rect putImageData. */
  private redraw(rect: Rect | null): void {
    if (!rect || !this.displayCtx || !this.displayPixels) return
    const w = rect.x1 - rect.x0
    const h = rect.y1 - rect.y0
    if (w <= 0 || h <= 0) return
    paintRect(this.map, rect, this.lut, this.displayWords, this.map.width)
    this.displayCtx.putImageData(this.displayPixels, 0, 0, rect.x0, rect.y0, w, h)
    this.labelLayer.batchDraw()
  }

  /** Ends an edit: its patch becomes one undo step; returns whether anything changed. */
  private commit(rec: EditRecorder): boolean {
    const p = rec.finish()
    if (p) {
      this.history.push(p)
      this.dirty = true
    }
    this.emit()
    return p !== null
  }

  undo(): void {
    const r = this.history.undo(this.map)
    if (r) {
      this.dirty = true
      this.redraw(r)
    }
    this.emit()
  }

  redo(): void {
    const r = this.history.redo(this.map)
    if (r) {
      this.dirty = true
      this.redraw(r)
    }
    this.emit()
  }

  private photoRgba(): Uint8ClampedArray | null {
    if (this.photoPixels) return this.photoPixels
    if (!this.photo) return null
    const c = document.createElement('canvas')
    c.width = this.map.width
    c.height = this.map.height
    const ctx = c.getContext('2d', { willReadFrequently: true })
    if (!ctx) return null
    ctx.drawImage(this.photo, 0, 0, c.width, c.height)
    this.photoPixels = ctx.getImageData(0, 0, c.width, c.height).data
    return this.photoPixels
  }

  /** Photo pixels (for the superpixel worker). */
  photoData(): Uint8ClampedArray | null {
    return this.photoRgba()
  }

  private inside(p: { x: number; y: number }): { x: number; y: number } | null {
    const x = Math.floor(p.x)
    const y = Math.floor(p.y)
    return x >= 0 && y >= 0 && x < this.map.width && y < this.map.height ? { x, y } : null
  }

  /** A model-made region painted with `value` (one undo step), its pixels recorded as the machine's. */
  private applyMachineRegion(region: Region, value: number, key: string): boolean {
    if (region.size === 0) return false
    const rec = new EditRecorder(this.map)
    const rect = applyRegion(this.map, region, value, this.mode, rec)
    this.machine.recordValue(this.map, value, region)
    this.redraw(rect)
    const changed = this.commit(rec)
    if (changed) this.acceptedFrom.add(key)
    return changed
  }

  private applyRegionEdit(region: Region | null): void {
    if (!region || region.size === 0) return
    const rec = new EditRecorder(this.map)
    this.redraw(applyRegion(this.map, region, this.value, this.mode, rec))
    this.commit(rec)
  }

  /** Closes and fills the polygon being drawn (Enter or a double click). */
  closePolygon(): void {
    this.tools.polygon.close(this.toolHost)
  }

  cancelPolygon(): void {
    this.tools.polygon.onCancel(this.toolHost)
  }

  /**
   * A key for the tools (Enter closes a polygon, Esc drops it): the current tool first, then the polygon
   * tool while it holds points (a polygon being drawn survives a tool switch). True when a tool used it.
   */
  toolKey(key: string): boolean {
    if (this.tools[this.currentTool].onKey(this.toolHost, key)) return true
    return this.currentTool !== 'polygon' && this.tools.polygon.onKey(this.toolHost, key)
  }

  /** What the tools may read and do (tools/tool.ts). */
  private readonly toolHost: ToolHost = (() => {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the host's getters read the editor's current settings
    const ed = this
    return {
      get map() {
        return ed.map
      },
      get value() {
        return ed.value
      },
      get radius() {
        return ed.radius
      },
      get mode() {
        return ed.mode
      },
      get tolerance() {
        return ed.tolerance
      },
      get regionSize() {
        return ed.regionSize
      },
      get viewScale() {
        return ed.view.scale
      },
      get clickMask() {
        return ed.hooks.clickMask
      },
      inside: (p: Point) => ed.inside(p),
      beginEdit: () => new EditRecorder(ed.map),
      commit: (rec: EditRecorder) => ed.commit(rec),
      redraw: (rect: Rect | null) => ed.redraw(rect),
      applyRegion: (region: Region | null) => ed.applyRegionEdit(region),
      photoRgba: () => ed.photoRgba(),
      superpixels: (size: number) => ed.hooks.superpixels(size),
      acceptComponentAt: (x: number, y: number) => ed.acceptComponentAt(x, y),
      rejectComponentAt: (x: number, y: number) => ed.rejectComponentAt(x, y),
      applyMachineRegion: (region: Region, value: number, key: string) =>
        ed.applyMachineRegion(region, value, key),
      eraseRegion: (region: Region) => {
        const rec = new EditRecorder(ed.map)
        ed.redraw(applyRegion(ed.map, region, 255, ed.mode, rec))
        ed.commit(rec)
      },
      capturePointer: (id: number) => ed.host.setPointerCapture(id),
      setOutline: (points: readonly Point[]) => {
        ed.polyLine.points(points.flatMap((q) => [q.x, q.y]))
        ed.polyLine.visible(points.length > 0)
        ed.toolLayer.batchDraw()
      },
      changed: () => ed.emit(),
    }
  })()

  private updateCursor(p: { x: number; y: number } | null): void {
    const show = p !== null && this.tools[this.currentTool].showsBrush
    this.cursor.visible(show)
    if (p) {
      this.cursor.position(p)
      this.cursor.radius(this.radius)
    }
    this.toolLayer.batchDraw()
  }

  setRadius(r: number): void {
    this.radius = Math.min(400, Math.max(0.5, r))
    this.cursor.radius(this.radius)
    this.toolLayer.batchDraw()
  }

  // ---------- pointer ----------

  private onDown = (e: PointerEvent): void => {
    if (e.button === 1 || (e.button === 0 && this.spaceHeld)) {
      e.preventDefault()
      this.pan = { x: e.clientX, y: e.clientY, pointerId: e.pointerId }
      this.host.setPointerCapture(e.pointerId)
      return
    }
    if (e.button !== 0) return
    const t = this.tools[this.currentTool]
    t.onPointerDown(this.toolHost, this.toImage(e.clientX, e.clientY), e.pointerId, { shift: e.shiftKey })
    this.gestureTool = t.gestureActive ? t : null
  }

  private onMove = (e: PointerEvent): void => {
    if (this.pan && e.pointerId === this.pan.pointerId) {
      this.view = {
        ...this.view,
        x: this.view.x + e.clientX - this.pan.x,
        y: this.view.y + e.clientY - this.pan.y,
      }
      this.pan = { ...this.pan, x: e.clientX, y: e.clientY }
      this.applyView()
      return
    }
    const p = this.toImage(e.clientX, e.clientY)
    this.updateCursor(p)
    // Every sample the browser coalesced into this event, so fast strokes stay continuous.
    const samples = (): Point[] => {
      const c = typeof e.getCoalescedEvents === 'function' ? e.getCoalescedEvents() : []
      return c.length > 0 ? c.map((q) => this.toImage(q.clientX, q.clientY)) : [p]
    }
    ;(this.gestureTool ?? this.tools[this.currentTool]).onPointerMove(this.toolHost, samples, e.pointerId)
  }

  private onUp = (e: PointerEvent): void => {
    if (this.pan && e.pointerId === this.pan.pointerId) {
      this.pan = null
      return
    }
    const t = this.gestureTool ?? this.tools[this.currentTool]
    t.onPointerUp(this.toolHost, e.pointerId)
    if (!t.gestureActive) this.gestureTool = null
  }

  private onLeave = (): void => {
    this.updateCursor(null)
  }

  private onDblClick = (): void => {
    this.tools[this.currentTool].onDoubleClick(this.toolHost)
  }

  private onWheel = (e: WheelEvent): void => {
    e.preventDefault()
    if (e.shiftKey) {
      const next = Math.min(
        1,
        Math.max(
          0,
          Math.round((this.labelLayer.opacity() + ((e.deltaY || e.deltaX) > 0 ? -0.05 : 0.05)) * 100) / 100,
        ),
      )
      this.setOpacity(next)
      this.opacityChanged?.(next)
      return
    }
    if (e.ctrlKey || e.metaKey) {
      const r = this.host.getBoundingClientRect()
      this.view = zoomAt(
        this.view,
        e.clientX - r.left,
        e.clientY - r.top,
        Math.exp(-e.deltaY * (e.deltaMode === 1 ? 0.05 : 0.0015)),
      )
    } else {
      this.view = { ...this.view, x: this.view.x - e.deltaX, y: this.view.y - e.deltaY }
    }
    this.applyView()
  }

  opacityChanged: ((v: number) => void) | null = null

  /** Draws the label layer now instead of at the next frame (bench:canvas measures redraw with it). */
  drawLabelsNow(): void {
    this.labelLayer.draw()
  }

  private emit(): void {
    this.hooks.onState({
      undoDepth: this.history.undoDepth,
      redoDepth: this.history.redoDepth,
      dirty: this.dirty,
      scale: this.view.scale,
      polygonPoints: this.tools.polygon.pointCount,
      proposalRejected: this.proposal?.rejected ?? 0,
    })
  }
}
