/**
 * Model-assisted click masks (issue 16 item 5), renderer side: the region under a click from a top-2
 * probability map (connected, of the clicked pixel's class or ≥ 0.5 of it), its bilinear upsampling to
 * the photo (checked against the closed form for a block), the superpixel snap (checked against a
 * direct count), the box restriction and the box's class; and the tool: a click paints the model's class
 * as machine pixels in one undo step, Shift-click erases, a drag restricts to its box, a tiny drag is a
 * click, and each click is exactly one undo step that undo takes back.
 */
import { describe, expect, it } from 'vitest'
import { EditRecorder, History } from '../../src/renderer/src/editor/history'
import { newLabelMap, type Rect } from '../../src/renderer/src/editor/label-map'
import { MachineReference } from '../../src/renderer/src/editor/proposal'
import { applyRegion, type Region } from '../../src/renderer/src/editor/raster'
import { modelSourceOf } from '../../src/renderer/src/annotate/session-click-mask'
import {
  clickMaskRegion,
  dominantClass,
  mapRegionOf,
  probMapFromPlanes,
  VOTE_STEP,
  type ProbMap,
} from '../../src/renderer/src/editor/tools/click-mask-region'
import {
  ClickMaskTool,
  dragBox,
  type ClickMaskApplied,
} from '../../src/renderer/src/editor/tools/click-mask-tool'
import type { Point, ToolHost } from '../../src/renderer/src/editor/tools/tool'

/** A map from top-1 classes (probability p1) with background as the runner-up. */
function mapOf(w: number, h: number, c1: (x: number, y: number) => number, p1 = 230): ProbMap {
  const n = w * h
  const planes = new Uint8Array(4 * n)
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x
      const c = c1(x, y)
      planes[i] = c
      planes[n + i] = p1
      planes[2 * n + i] = c === 0 ? 15 : 0
      planes[3 * n + i] = 255 - p1
    }
  }
  return probMapFromPlanes(planes, w, h)
}

const inBlock = (b: Rect) => (x: number, y: number) => x >= b.x0 && x < b.x1 && y >= b.y0 && y < b.y1
/** Class 12 on map pixels [1,4)×[1,4) and [6,8)×[4,6) (two separate objects), background elsewhere. */
const twoObjects = (): ProbMap =>
  mapOf(8, 6, (x, y) =>
    inBlock({ x0: 1, y0: 1, x1: 4, y1: 4 })(x, y) || inBlock({ x0: 6, y0: 4, x1: 8, y1: 6 })(x, y) ? 12 : 0,
  )
const W = 80
const H = 60

function pixels(r: Region, w: number): Set<number> {
  const s = new Set<number>()
  for (let y = r.rect.y0; y < r.rect.y1; y++)
    for (let x = r.rect.x0; x < r.rect.x1; x++) if (r.mask[y * w + x]) s.add(y * w + x)
  return s
}

describe('click-mask region', () => {
  it('refuses planes that do not fit the size', () => {
    expect(() => probMapFromPlanes(new Uint8Array(10), 2, 2)).toThrow(
      /2×2 probability map has 16 bytes, got 10/,
    )
  })

  it('takes the connected region of the clicked class, with ties at 0.5 in it', () => {
    const m = twoObjects()
    const r = mapRegionOf(m, 12, { x: 2, y: 2 }, null)
    expect(r.size).toBe(9)
    expect(r.rect).toEqual({ x0: 1, y0: 1, x1: 4, y1: 4 })
    // A background pixel next to the object whose runner-up is class 12 at exactly 0.5 joins it.
    const n = m.width * m.height
    const planes = new Uint8Array(4 * n)
    planes.set(m.c1, 0)
    planes.set(m.p1, n)
    planes.set(m.c2, 2 * n)
    planes.set(m.p2, 3 * n)
    const j = 2 * m.width + 4
    planes[j] = 0
    planes[2 * n + j] = 12
    planes[3 * n + j] = 128
    expect(mapRegionOf(probMapFromPlanes(planes, 8, 6), 12, { x: 2, y: 2 }, null).size).toBe(10)
    planes[3 * n + j] = 127
    expect(mapRegionOf(probMapFromPlanes(planes, 8, 6), 12, { x: 2, y: 2 }, null).size).toBe(9)
  })

  it('upsamples bilinearly: the photo pixels where the tent-interpolated block indicator is ≥ ½', () => {
    const r = clickMaskRegion(twoObjects(), W, H, { kind: 'point', x: 25, y: 25 }, null)!
    expect(r.cls).toBe(12)
    expect(r.snapped).toBe(false)
    // The block covers map samples 1..3 on both axes: bilinear interpolation of its indicator is the
    // product of two 1-D tents, g(f) = f on [0,1], 1 on [1,3], 4 − f on [3,4], 0 elsewhere.
    const g = (f: number): number => Math.max(0, Math.min(1, f, 4 - f))
    const want = new Set<number>()
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        if (g((x * 7) / 79) * g((y * 5) / 59) >= 0.5) want.add(y * W + x)
      }
    }
    expect(pixels(r.region, W)).toEqual(want)
    expect(r.region.size).toBe(want.size)
  })

  it('snaps to superpixels: in when at least half of its lattice pixels are, connected to the click', () => {
    // 10×10 blocks as superpixels.
    const sp = new Int32Array(W * H)
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) sp[y * W + x] = Math.floor(y / 10) * 8 + Math.floor(x / 10)
    const raw = clickMaskRegion(twoObjects(), W, H, { kind: 'point', x: 25, y: 25 }, null)!
    const snapped = clickMaskRegion(twoObjects(), W, H, { kind: 'point', x: 25, y: 25 }, sp)!
    expect(snapped.snapped).toBe(true)
    // The vote by hand: the unsnapped region read on the 2-pixel lattice, 25 lattice pixels per block.
    const inside = new Map<number, number>()
    for (const i of pixels(raw.region, W))
      if ((i % W) % VOTE_STEP === 0 && Math.floor(i / W) % VOTE_STEP === 0)
        inside.set(sp[i]!, (inside.get(sp[i]!) ?? 0) + 1)
    const want = new Set<number>()
    for (let i = 0; i < W * H; i++) if (2 * (inside.get(sp[i]!) ?? 0) >= 25) want.add(i)
    expect(want.size).toBeGreaterThan(0)
    expect(pixels(snapped.region, W)).toEqual(want)
    expect(want.size % 100).toBe(0)
    // The other object's blocks are not connected to the click: a box over everything takes them too.
    const all = clickMaskRegion(twoObjects(), W, H, { kind: 'box', box: { x0: 0, y0: 0, x1: W, y1: H } }, sp)!
    expect(all.region.size).toBeGreaterThan(snapped.region.size)
    expect(all.region.mask[55 * W + 75]).toBe(1)
    expect(snapped.region.mask[55 * W + 75]).toBe(0)
  })

  it('keeps the unsnapped region when the snap drops the clicked pixel', () => {
    // One superpixel for the whole photo: the object is far less than half of it.
    const r = clickMaskRegion(twoObjects(), W, H, { kind: 'point', x: 25, y: 25 }, new Int32Array(W * H))!
    expect(r.snapped).toBe(false)
    expect(r.region.mask[25 * W + 25]).toBe(1)
  })

  it('a click on background gives the background region; an empty box gives nothing', () => {
    const r = clickMaskRegion(twoObjects(), W, H, { kind: 'point', x: 0, y: 0 }, null)!
    expect(r.cls).toBe(0)
    expect(r.region.mask[0]).toBe(1)
    expect(r.region.mask[25 * W + 25]).toBe(0)
    expect(
      clickMaskRegion(twoObjects(), W, H, { kind: 'box', box: { x0: 10, y0: 10, x1: 10, y1: 30 } }, null),
    ).toBeNull()
  })

  it('restricts a box to the box, and takes its most frequent object class', () => {
    const box = { x0: 0, y0: 0, x1: 30, y1: 40 }
    const full = clickMaskRegion(twoObjects(), W, H, { kind: 'point', x: 25, y: 25 }, null)!
    const r = clickMaskRegion(twoObjects(), W, H, { kind: 'box', box }, null)!
    expect(r.cls).toBe(12)
    const want = new Set([...pixels(full.region, W)].filter((i) => i % W < 30 && Math.floor(i / W) < 40))
    expect(pixels(r.region, W)).toEqual(want)
    expect(r.region.rect.x1).toBeLessThanOrEqual(30)
    // Both objects in one box: both come (a box needs no connection).
    const both = clickMaskRegion(
      twoObjects(),
      W,
      H,
      { kind: 'box', box: { x0: 0, y0: 0, x1: W, y1: H } },
      null,
    )!
    expect(pixels(both.region, W).has(55 * W + 75)).toBe(true)
    expect(
      dominantClass(
        mapOf(4, 4, (x) => (x === 0 ? 3 : x === 1 ? 0 : 7)),
        { x0: 0, y0: 0, x1: 4, y1: 4 },
      ),
    ).toBe(7)
    expect(
      dominantClass(
        mapOf(4, 4, () => 0),
        { x0: 0, y0: 0, x1: 4, y1: 4 },
      ),
    ).toBe(0)
  })

  it("decodes the API answer into the editor's model source", () => {
    const planes = new Uint8Array(16).map((_, i) => i)
    const src = modelSourceOf({
      available: true,
      imageId: 1,
      imageWidth: 4,
      imageHeight: 2,
      width: 2,
      height: 2,
      numClasses: 21,
      top2Base64: btoa(String.fromCharCode(...planes)),
      model: {
        runId: 4,
        label: 'No-DA #1',
        kind: 'album-run',
        fiou: 0.5,
        stage: 'source',
        iteration: 6,
        reason: 'x',
      },
      cached: true,
      forwardMs: null,
    })!
    expect(src.key).toBe('Click mask · No-DA #1')
    expect([...src.map.p1]).toEqual([4, 5, 6, 7])
    expect([...src.map.p2]).toEqual([12, 13, 14, 15])
    expect(modelSourceOf({ available: false, imageId: 1, reason: 'none' })).toBeNull()
  })
})

/** A ToolHost over a real label map and history, with the model map `m`. */
function makeHost(m: ProbMap | null) {
  const map = newLabelMap(W, H)
  const history = new History(50)
  const machine: { value: number; size: number; key: string }[] = []
  let outline: readonly Point[] = []
  let done: ((a: ClickMaskApplied | null) => void) | null = null
  const commit = (rec: EditRecorder): boolean => {
    const patch = rec.finish()
    if (patch) history.push(patch)
    return patch !== null
  }
  const host: ToolHost = {
    map,
    value: 7,
    radius: 3,
    mode: 'overwrite',
    tolerance: 10,
    regionSize: 8,
    viewScale: 2,
    clickMask: {
      model: async () => (m ? { map: m, key: 'Click mask · test' } : null),
      applied: (a) => done?.(a),
      failed: (e) => {
        throw e
      },
    },
    inside: (p) => {
      const x = Math.floor(p.x)
      const y = Math.floor(p.y)
      return x >= 0 && y >= 0 && x < W && y < H ? { x, y } : null
    },
    beginEdit: () => new EditRecorder(map),
    commit,
    redraw: () => {},
    applyRegion: () => {},
    applyMachineRegion: (region, value, key) => {
      machine.push({ value, size: region.size, key })
      const rec = new EditRecorder(map)
      applyRegion(map, region, value, 'overwrite', rec)
      return commit(rec)
    },
    eraseRegion: (region) => {
      const rec = new EditRecorder(map)
      applyRegion(map, region, 255, 'overwrite', rec)
      commit(rec)
    },
    photoRgba: () => null,
    superpixels: async () => null,
    acceptComponentAt: () => false,
    rejectComponentAt: () => false,
    capturePointer: () => {},
    setOutline: (pts) => void (outline = [...pts]),
    changed: () => {},
  }
  /** Waits for the next applied click. */
  const next = (): Promise<ClickMaskApplied | null> => new Promise((r) => (done = r))
  return { host, map, history, machine, outline: () => outline, next }
}

const count = (data: Uint8Array, v: number): number => data.reduce((n, x) => n + (x === v ? 1 : 0), 0)

describe("click-mask pixels are the machine's", () => {
  it('records the painted region as machine pixels: none by hand until a brush changes them', () => {
    const map = newLabelMap(W, H)
    const loaded = map.data.slice()
    const machine = new MachineReference(W * H)
    const r = clickMaskRegion(twoObjects(), W, H, { kind: 'point', x: 25, y: 25 }, null)!
    applyRegion(map, r.region, r.cls, 'overwrite', null)
    machine.recordValue(map, r.cls, r.region)
    expect(machine.machinePixels(loaded, map.data)).toBe(r.region.size)
    expect(machine.handPixels(loaded, map.data)).toBe(0)
    map.data[25 * W + 25] = 3
    expect(machine.handPixels(loaded, map.data)).toBe(1)
    expect(machine.machinePixels(loaded, map.data)).toBe(r.region.size - 1)
  })
})

describe('click-mask tool', () => {
  it("a click paints the model's class as machine pixels, one undo step; Shift-click erases; undo takes each back", async () => {
    const { host, map, history, machine, next } = makeHost(twoObjects())
    const tool = new ClickMaskTool()
    const ref = clickMaskRegion(twoObjects(), W, H, { kind: 'point', x: 25, y: 25 }, null)!

    let applied = next()
    tool.onPointerDown(host, { x: 25.3, y: 25.6 }, 1, { shift: false })
    tool.onPointerUp(host, 1)
    const a = (await applied)!
    expect(a).toMatchObject({ cls: 12, subtract: false, pixels: ref.region.size })
    expect(machine).toEqual([{ value: 12, size: ref.region.size, key: 'Click mask · test' }])
    expect(count(map.data, 12)).toBe(ref.region.size)
    expect(history.undoDepth).toBe(1)

    // Shift-click on the same object: its region is erased (ignore), one more undo step.
    applied = next()
    tool.onPointerDown(host, { x: 20, y: 20 }, 2, { shift: true })
    tool.onPointerUp(host, 2)
    expect((await applied)!.subtract).toBe(true)
    expect(count(map.data, 12)).toBe(0)
    expect(count(map.data, 255)).toBe(W * H)
    expect(history.undoDepth).toBe(2)

    history.undo(map)
    expect(count(map.data, 12)).toBe(ref.region.size)
    history.undo(map)
    expect(count(map.data, 12)).toBe(0)
  })

  it('a drag restricts the region to its box (outlined while dragging); a tiny drag is a click', async () => {
    const { host, map, history, outline, next } = makeHost(twoObjects())
    const tool = new ClickMaskTool()
    let applied = next()
    tool.onPointerDown(host, { x: 5, y: 5 }, 1, { shift: false })
    tool.onPointerMove(host, () => [{ x: 30, y: 40 }], 1)
    expect(outline()).toHaveLength(5)
    tool.onPointerUp(host, 1)
    expect(outline()).toHaveLength(0)
    await applied
    const box = dragBox({ x: 5, y: 5 }, { x: 30, y: 40 }, W, H)
    const want = clickMaskRegion(twoObjects(), W, H, { kind: 'box', box }, null)!
    expect(count(map.data, 12)).toBe(want.region.size)
    for (let i = 0; i < W * H; i++)
      if (map.data[i] === 12) expect(i % W < 30 && Math.floor(i / W) < 40).toBe(true)
    expect(history.undoDepth).toBe(1)

    // 2 image pixels at 2 screen pixels each = 4 screen pixels: under the drag threshold, so a click.
    history.undo(map)
    applied = next()
    tool.onPointerDown(host, { x: 25, y: 25 }, 2, { shift: false })
    tool.onPointerMove(host, () => [{ x: 27, y: 25 }], 2)
    expect(outline()).toHaveLength(0)
    tool.onPointerUp(host, 2)
    await applied
    expect(count(map.data, 12)).toBe(
      clickMaskRegion(twoObjects(), W, H, { kind: 'point', x: 25, y: 25 }, null)!.region.size,
    )
  })

  it('does nothing without a model (the session has said why) and drops a drag on Esc', async () => {
    const { host, map, history } = makeHost(null)
    const tool = new ClickMaskTool()
    tool.onPointerDown(host, { x: 25, y: 25 }, 1, { shift: false })
    tool.onPointerUp(host, 1)
    await new Promise((r) => setTimeout(r, 10))
    expect(history.undoDepth).toBe(0)
    expect(count(map.data, 255)).toBe(W * H)
    tool.onPointerDown(host, { x: 5, y: 5 }, 2, { shift: false })
    tool.onPointerMove(host, () => [{ x: 30, y: 40 }], 2)
    expect(tool.onKey(host, 'Escape')).toBe(true)
    tool.onPointerUp(host, 2)
    await new Promise((r) => setTimeout(r, 10))
    expect(history.undoDepth).toBe(0)
  })
})
