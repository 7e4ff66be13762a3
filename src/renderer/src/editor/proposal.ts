/**
 * Mask proposals in the editor (a run's prediction, a tag co-segmentation): a label array at the image's
 * size, 255 = no proposal there. It is shown as its own layer and never is the mask: the curator copies
 * all of it ("start from this") or one 4-connected same-label component at a time, and may hide
 * ("reject") components so they are neither shown nor copied. Pure data, no DOM.
 *
 * Hand-pixel rule (what masks.hand_pixels counts): a pixel is changed by hand when its saved label
 * differs from the mask the editor loaded AND from the label an accepted proposal put there. Copying
 * from a proposal records, for every pixel that ends up holding the proposal's label, that label in the
 * `MachineReference`; later hand edits that change such a pixel (paint another class, erase) count as
 * hand again. Consequences, chosen on purpose: undoing an accept does not forget the reference, so a
 * pixel later painted by hand with exactly the label the machine had offered there still counts as
 * machine-made (the machine agreed with the curator there); a pixel painted by hand before an accept
 * that then took the same label from the proposal counts as machine-made too.
 */
import type { EditRecorder } from './history'
import { canPaint, UNLABELLED, type BrushMode, type LabelMap, type Rect } from './label-map'
import { labelComponent } from './flood'
import type { Region } from './raster'

export class ProposalLayer {
  /** The proposal as shown and copied: the original minus rejected components. */
  readonly view: Uint8Array
  private rejectedPixels = 0

  constructor(
    readonly key: string,
    readonly width: number,
    readonly height: number,
    private readonly original: Uint8Array,
  ) {
    if (original.length !== width * height)
      throw new Error(`the proposal holds ${original.length} labels, the image ${width * height}`)
    this.view = original.slice()
  }

  get rejected(): number {
    return this.rejectedPixels
  }

  /** Classes present in the visible proposal (0–20), ascending. */
  classes(): number[] {
    const seen = new Uint8Array(256)
    for (let i = 0; i < this.view.length; i++) seen[this.view[i]!] = 1
    const out: number[] = []
    for (let c = 0; c < 255; c++) if (seen[c]) out.push(c)
    return out
  }

  /** The visible component (same label, 4-connected) under (x, y); null on no proposal. */
  component(x: number, y: number): Region | null {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return null
    if (this.view[y * this.width + x] === UNLABELLED) return null
    const r = labelComponent(this.view, this.width, this.height, x, y)
    return r.size > 0 ? r : null
  }

  /** Hides the component under (x, y); returns the rectangle to redraw, or null. */
  reject(x: number, y: number): Rect | null {
    const r = this.component(x, y)
    if (!r) return null
    for (let yy = r.rect.y0; yy < r.rect.y1; yy++) {
      for (let xx = r.rect.x0; xx < r.rect.x1; xx++) {
        const i = yy * this.width + xx
        if (r.mask[i]) this.view[i] = UNLABELLED
      }
    }
    this.rejectedPixels += r.size
    return r.rect
  }

  /** Shows every rejected component again. */
  restoreRejected(): void {
    this.view.set(this.original)
    this.rejectedPixels = 0
  }

  /** The whole visible proposal as one region (its pixels that are not 255). */
  wholeRegion(): Region | null {
    const mask = new Uint8Array(this.view.length)
    let size = 0
    let x0 = this.width
    let y0 = this.height
    let x1 = 0
    let y1 = 0
    for (let y = 0; y < this.height; y++) {
      const row = y * this.width
      for (let x = 0; x < this.width; x++) {
        if (this.view[row + x] === UNLABELLED) continue
        mask[row + x] = 1
        size++
        if (x < x0) x0 = x
        if (x >= x1) x1 = x + 1
        if (y < y0) y0 = y
        if (y >= y1) y1 = y + 1
      }
    }
    return size === 0 ? null : { mask, rect: { x0, y0, x1, y1 }, size }
  }
}

/** The labels accepted proposals put into the mask (255 = none); see the hand-pixel rule above. */
export class MachineReference {
  readonly labels: Uint8Array
  /** False until a proposal is accepted: then every changed pixel counts as by hand. */
  private recorded = false

  constructor(size: number) {
    this.labels = new Uint8Array(size).fill(UNLABELLED)
  }

  /** Records the region's pixels that now hold the proposal's label. */
  record(map: LabelMap, source: Uint8Array, region: Region): void {
    this.recorded = true
    const { width, data } = map
    for (let y = region.rect.y0; y < region.rect.y1; y++) {
      for (let x = region.rect.x0; x < region.rect.x1; x++) {
        const i = y * width + x
        if (region.mask[i] && data[i] === source[i] && source[i] !== UNLABELLED) this.labels[i] = source[i]!
      }
    }
  }

  /** Records the region's pixels that now hold `value` (a model-made region: the click-mask tool). */
  recordValue(map: LabelMap, value: number, region: Region): void {
    if (value === UNLABELLED) return
    this.recorded = true
    const { width, data } = map
    for (let y = region.rect.y0; y < region.rect.y1; y++) {
      for (let x = region.rect.x0; x < region.rect.x1; x++) {
        const i = y * width + x
        if (region.mask[i] && data[i] === value) this.labels[i] = value
      }
    }
  }

  /**
   * Pixels the machine changed: differ from what was loaded and hold the label an accepted proposal put
   * there (the complement of handPixels among the changed pixels). A saved version with machine pixels
   * is "machine" or "mixed", never "hand".
   */
  machinePixels(loaded: Uint8Array, current: Uint8Array): number {
    if (loaded.length !== current.length || current.length !== this.labels.length)
      throw new Error('maps differ in size')
    if (!this.recorded) return 0
    const m = this.labels
    let n = 0
    for (let i = 0; i < current.length; i++) {
      const v = current[i]!
      if (m[i] !== UNLABELLED && v === m[i] && v !== loaded[i]) n++
    }
    return n
  }

  /** Pixels changed by hand: differ from what was loaded and from any accepted proposal label. */
  handPixels(loaded: Uint8Array, current: Uint8Array): number {
    if (loaded.length !== current.length || current.length !== this.labels.length)
      throw new Error('maps differ in size')
    const m = this.labels
    let n = 0
    const count = (from: number, to: number): void => {
      for (let i = from; i < to; i++) {
        const v = current[i]!
        if (v !== loaded[i] && !(m[i] !== UNLABELLED && v === m[i])) n++
      }
    }
    // Most pixels are unchanged: compare four at a time where the buffers allow a 32-bit view.
    const words = loaded.byteOffset % 4 === 0 && current.byteOffset % 4 === 0 ? current.length >> 2 : 0
    const a = new Uint32Array(loaded.buffer, loaded.byteOffset, words)
    const b = new Uint32Array(current.buffer, current.byteOffset, words)
    if (this.recorded) {
      for (let w = 0; w < words; w++) if (a[w] !== b[w]) count(w * 4, w * 4 + 4)
    } else {
      // Nothing accepted: count the differing bytes of each differing word (fold each byte's bits
      // into its lowest bit, then add the four bytes).
      for (let w = 0; w < words; w++) {
        let x = a[w]! ^ b[w]!
        if (x === 0) continue
        x = (x | (x >>> 4)) & 0x0f0f0f0f
        x = (x | (x >>> 2)) & 0x03030303
        x = (x | (x >>> 1)) & 0x01010101
        n += Math.imul(x, 0x01010101) >>> 24
      }
    }
    count(words * 4, current.length)
    return n
  }
}

/**
 * Copies the proposal's labels inside `region` into the map (pixels where the proposal is 255 stay as
 * they are; the brush mode decides which existing labels may be replaced) and records the copied labels
 * as machine-made. Returns the rectangle to redraw, or null when the region is empty.
 */
export function acceptRegion(
  map: LabelMap,
  proposal: Uint8Array,
  region: Region,
  mode: BrushMode,
  rec: EditRecorder | null,
  machine: MachineReference,
): Rect | null {
  if (region.size === 0) return null
  rec?.touch(region.rect)
  const { data, width } = map
  for (let y = region.rect.y0; y < region.rect.y1; y++) {
    for (let x = region.rect.x0; x < region.rect.x1; x++) {
      const i = y * width + x
      const v = proposal[i]!
      if (region.mask[i] && v !== UNLABELLED && canPaint(data[i]!, v, mode)) data[i] = v
    }
  }
  machine.record(map, proposal, region)
  return region.rect
}
