/**
 * Undo/redo as recorded patches (tldraw/Excalidraw style: diffs between marks, not inverse commands).
 * While an edit runs, `EditRecorder.touch(rect)` is called before pixels in `rect` change; the first
 * touch of each 64×64 tile copies that tile's old bytes. `finish()` turns the touched tiles into one
 * patch: the bounding box with its before and after bytes. A whole stroke is one patch; view changes
 * never reach the history, so they cannot clear redo.
 */
import type { LabelMap, Rect } from './label-map'

export const TILE = 64

export interface Patch {
  rect: Rect
  before: Uint8Array
  after: Uint8Array
  /** Pixels that differ between before and after. */
  changed: number
}

export class EditRecorder {
  private readonly tiles = new Map<number, Uint8Array>()
  private readonly tilesX: number

  constructor(private readonly map: LabelMap) {
    this.tilesX = Math.ceil(map.width / TILE)
  }

  /** Call before changing pixels inside `r` (already clipped to the map). */
  touch(r: Rect): void {
    const { width, data } = this.map
    for (let ty = Math.floor(r.y0 / TILE); ty <= Math.floor((r.y1 - 1) / TILE); ty++) {
      for (let tx = Math.floor(r.x0 / TILE); tx <= Math.floor((r.x1 - 1) / TILE); tx++) {
        const key = ty * this.tilesX + tx
        if (this.tiles.has(key)) continue
        const x0 = tx * TILE
        const y0 = ty * TILE
        const w = Math.min(TILE, width - x0)
        const h = Math.min(TILE, this.map.height - y0)
        const copy = new Uint8Array(w * h)
        for (let y = 0; y < h; y++)
          copy.set(data.subarray((y0 + y) * width + x0, (y0 + y) * width + x0 + w), y * w)
        this.tiles.set(key, copy)
      }
    }
  }

  get touched(): boolean {
    return this.tiles.size > 0
  }

  /** The patch of everything changed since the recorder was made; null when nothing changed. */
  finish(): Patch | null {
    if (this.tiles.size === 0) return null
    const { width, height } = this.map
    let rect: Rect = { x0: width, y0: height, x1: 0, y1: 0 }
    for (const key of this.tiles.keys()) {
      const tx = key % this.tilesX
      const ty = Math.floor(key / this.tilesX)
      rect = {
        x0: Math.min(rect.x0, tx * TILE),
        y0: Math.min(rect.y0, ty * TILE),
        x1: Math.max(rect.x1, Math.min(width, (tx + 1) * TILE)),
        y1: Math.max(rect.y1, Math.min(height, (ty + 1) * TILE)),
      }
    }
    const after = readRect(this.map, rect)
    const before = after.slice()
    const rw = rect.x1 - rect.x0
    for (const [key, tile] of this.tiles) {
      const tx0 = (key % this.tilesX) * TILE
      const ty0 = Math.floor(key / this.tilesX) * TILE
      const w = Math.min(TILE, width - tx0)
      const h = tile.length / w
      for (let y = 0; y < h; y++)
        before.set(tile.subarray(y * w, (y + 1) * w), (ty0 + y - rect.y0) * rw + (tx0 - rect.x0))
    }
    let changed = 0
    for (let i = 0; i < after.length; i++) if (after[i] !== before[i]) changed++
    this.tiles.clear()
    return changed === 0 ? null : { rect, before, after, changed }
  }
}

export function readRect(map: LabelMap, r: Rect): Uint8Array {
  const w = r.x1 - r.x0
  const out = new Uint8Array(w * (r.y1 - r.y0))
  for (let y = r.y0; y < r.y1; y++)
    out.set(map.data.subarray(y * map.width + r.x0, y * map.width + r.x1), (y - r.y0) * w)
  return out
}

export function writeRect(map: LabelMap, r: Rect, bytes: Uint8Array): void {
  const w = r.x1 - r.x0
  for (let y = r.y0; y < r.y1; y++)
    map.data.set(bytes.subarray((y - r.y0) * w, (y - r.y0 + 1) * w), y * map.width + r.x0)
}

/** A bounded undo/redo stack of patches. */
export class History {
  private done: Patch[] = []
  private undone: Patch[] = []
  /** Ids of the patches in `done` / `undone` (parallel arrays): a state's name is its top patch's id. */
  private doneIds: number[] = []
  private undoneIds: number[] = []
  private nextId = 1
  /** The id of the newest patch dropped off the bottom (the state with nothing left to undo). */
  private floorId = 0

  constructor(readonly capacity = 200) {}

  /**
   * Names the labels' current state: equal ids mean equal labels (the same patches applied since the
   * image was loaded). 0 is the loaded state. A new edit after an undo gets a new id, so the state it
   * replaced is never named again. The editor view remembers which stored version each state was saved
   * as, so an undo that returns to a saved state can make that version the stored one again.
   */
  get stateId(): number {
    return this.doneIds.at(-1) ?? this.floorId
  }

  /** A new edit: redo is cleared (only edits do this). */
  push(p: Patch): void {
    this.done.push(p)
    this.doneIds.push(this.nextId++)
    if (this.done.length > this.capacity) {
      this.done.shift()
      this.floorId = this.doneIds.shift()!
    }
    this.undone = []
    this.undoneIds = []
  }

  /** Undoes the newest edit; returns the rectangle to redraw, or null. */
  undo(map: LabelMap): Rect | null {
    const p = this.done.pop()
    if (!p) return null
    writeRect(map, p.rect, p.before)
    this.undone.push(p)
    this.undoneIds.push(this.doneIds.pop()!)
    return p.rect
  }

  redo(map: LabelMap): Rect | null {
    const p = this.undone.pop()
    if (!p) return null
    writeRect(map, p.rect, p.after)
    this.done.push(p)
    this.doneIds.push(this.undoneIds.pop()!)
    return p.rect
  }

  get canUndo(): boolean {
    return this.done.length > 0
  }
  get canRedo(): boolean {
    return this.undone.length > 0
  }
  get undoDepth(): number {
    return this.done.length
  }
  get redoDepth(): number {
    return this.undone.length
  }
  clear(): void {
    this.done = []
    this.undone = []
    this.doneIds = []
    this.undoneIds = []
    this.floorId = 0
  }
}
