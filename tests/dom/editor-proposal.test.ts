/**
 * The editor's proposal logic (src/renderer/src/editor/proposal.ts, pure): accepting a component or
 * the whole proposal, rejecting components, undo as one step, and the hand-pixel rule.
 */
import { describe, expect, it } from 'vitest'
import { EditRecorder, History } from '../../src/renderer/src/editor/history'
import { newLabelMap, type LabelMap } from '../../src/renderer/src/editor/label-map'
import { acceptRegion, MachineReference, ProposalLayer } from '../../src/renderer/src/editor/proposal'
import { overlayLut, paintHatchedRect, paintRect } from '../../src/renderer/src/editor/palette'
import { paintSegment } from '../../src/renderer/src/editor/raster'

const _ = 255
// 6×4 proposal: two separate components of class 15 (left, right), one of 8 touching the right one.
const W = 6
const H = 4
const PROPOSAL = Uint8Array.from([
  15,
  15,
  _,
  _,
  15,
  15,
  15,
  _,
  _,
  _,
  15,
  8,
  _,
  _,
  _,
  _,
  _,
  8,
  _,
  _,
  0,
  0,
  _,
  _,
])

function map(): LabelMap {
  const m = newLabelMap(W, H)
  m.data[W * 3] = 3 // one labelled pixel that is no proposal's
  return m
}

function edit(m: LabelMap, history: History, f: (rec: EditRecorder) => void): void {
  const rec = new EditRecorder(m)
  f(rec)
  const p = rec.finish()
  if (p) history.push(p)
}

describe('ProposalLayer', () => {
  it('a component is the 4-connected same-label region; 255 is no component', () => {
    const p = new ProposalLayer('pred:1', W, H, PROPOSAL)
    const left = p.component(0, 1)!
    expect(left.size).toBe(3)
    expect(left.rect).toEqual({ x0: 0, y0: 0, x1: 2, y1: 2 })
    expect(p.component(5, 0)!.size).toBe(3) // (4,0) (5,0) (4,1): 8 at (5,1) is another label
    expect(p.component(5, 2)!.size).toBe(2)
    expect(p.component(2, 0)).toBeNull()
    expect(p.component(-1, 0)).toBeNull()
    expect(p.classes()).toEqual([0, 8, 15])
  })

  it('reject hides a component from the view (not from the original) until restored', () => {
    const p = new ProposalLayer('pred:1', W, H, PROPOSAL)
    expect(p.reject(4, 1)).toEqual({ x0: 4, y0: 0, x1: 6, y1: 2 })
    expect(p.rejected).toBe(3)
    expect([p.view[4], p.view[5], p.view[W + 4], p.view[W + 5]]).toEqual([_, _, _, 8])
    expect(p.component(4, 0)).toBeNull()
    expect(p.wholeRegion()!.size).toBe(3 + 2 + 2)
    p.restoreRejected()
    expect([...p.view]).toEqual([...PROPOSAL])
    expect(p.rejected).toBe(0)
  })

  it('refuses a proposal of another size', () => {
    expect(() => new ProposalLayer('x', W, H, new Uint8Array(5))).toThrow('holds 5 labels')
  })
})

describe('accepting proposals', () => {
  it('a clicked component is copied with its label as one undoable step; other pixels stay', () => {
    const m = map()
    const before = m.data.slice()
    const history = new History()
    const machine = new MachineReference(W * H)
    const p = new ProposalLayer('pred:1', W, H, PROPOSAL)
    edit(m, history, (rec) => acceptRegion(m, p.view, p.component(1, 0)!, 'overwrite', rec, machine))
    expect(history.undoDepth).toBe(1)
    const expected = before.slice()
    for (const i of [0, 1, W]) expected[i] = 15
    expect([...m.data]).toEqual([...expected])
    history.undo(m)
    expect([...m.data]).toEqual([...before])
  })

  it('start from the proposal: pixels where it is 255 keep their label; the brush mode applies', () => {
    const m = map()
    m.data[W * 3 + 2] = 7 // under the proposal's 0
    const history = new History()
    const machine = new MachineReference(W * H)
    const p = new ProposalLayer('pred:1', W, H, PROPOSAL)
    edit(m, history, (rec) => acceptRegion(m, p.view, p.wholeRegion()!, 'unlabelled', rec, machine))
    for (let i = 0; i < W * H; i++) {
      if (i === W * 3)
        expect(m.data[i]).toBe(3) // not under the proposal
      else if (i === W * 3 + 2)
        expect(m.data[i]).toBe(7) // labelled: 'unlabelled' mode keeps it
      else expect(m.data[i]).toBe(PROPOSAL[i] === _ ? _ : PROPOSAL[i])
    }
    expect(history.undoDepth).toBe(1)
  })
})

describe('hand pixels', () => {
  it('accepted proposal pixels are machine-made; hand strokes over them, and elsewhere, are hand', () => {
    const m = map()
    m.data[1] = 2 // loaded with a label the proposal replaces
    const loaded = m.data.slice()
    const machine = new MachineReference(W * H)
    const history = new History()
    const p = new ProposalLayer('pred:1', W, H, PROPOSAL)
    edit(m, history, (rec) => acceptRegion(m, p.view, p.wholeRegion()!, 'overwrite', rec, machine))
    // all 10 proposal pixels copied, (1,0) over a loaded label: none counts as hand
    expect(m.data[1]).toBe(15)
    expect(machine.handPixels(loaded, m.data)).toBe(0)
    // a hand stroke: one disc of radius 0.6 at pixel (0,0) (accepted 15 → 4) and one at (3,0) (255 → 4)
    edit(m, history, (rec) => paintSegment(m, 0.5, 0.5, 0.5, 0.5, 0.6, 4, 'overwrite', rec))
    edit(m, history, (rec) => paintSegment(m, 3.5, 0.5, 3.5, 0.5, 0.6, 4, 'overwrite', rec))
    expect(m.data[0]).toBe(4)
    expect(m.data[3]).toBe(4)
    expect(machine.handPixels(loaded, m.data)).toBe(2)
    // erasing an accepted pixel is a hand change ((1,0) was loaded as 2); erasing back to what was loaded is not
    edit(m, history, (rec) => paintSegment(m, 1.5, 0.5, 1.5, 0.5, 0.6, 255, 'overwrite', rec))
    expect(machine.handPixels(loaded, m.data)).toBe(3)
    edit(m, history, (rec) => paintSegment(m, 3.5, 0.5, 3.5, 0.5, 0.6, 255, 'overwrite', rec))
    expect(machine.handPixels(loaded, m.data)).toBe(2)
    // undo everything: nothing differs from what was loaded
    while (history.canUndo) history.undo(m)
    expect(machine.handPixels(loaded, m.data)).toBe(0)
    // documented choice: after an undone accept, painting the proposal's own label by hand counts as machine
    edit(m, history, (rec) => paintSegment(m, 0.5, 0.5, 0.5, 0.5, 0.6, 15, 'overwrite', rec))
    expect(machine.handPixels(loaded, m.data)).toBe(0)
  })

  it('without proposals, hand pixels are the pixels that differ from the loaded mask', () => {
    const m = map()
    const loaded = m.data.slice()
    const machine = new MachineReference(W * H)
    paintSegment(m, 3, 2, 3, 2, 1.2, 9, 'overwrite', null)
    let diff = 0
    for (let i = 0; i < W * H; i++) if (m.data[i] !== loaded[i]) diff++
    expect(diff).toBeGreaterThan(0)
    expect(machine.handPixels(loaded, m.data)).toBe(diff)
    // lengths that are no multiple of 4 count the tail too
    const odd = new MachineReference(7)
    expect(
      odd.handPixels(Uint8Array.from([1, 2, 3, 4, 5, 6, 7]), Uint8Array.from([1, 9, 3, 4, 5, 6, 8])),
    ).toBe(2)
    // any byte pattern inside a word (high bits, 255 vs 0, neighbours): the word-wise count equals a per-byte count
    let seed = 3
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32
    const before = Uint8Array.from({ length: 4099 }, () => (rnd() < 0.3 ? 255 : Math.floor(rnd() * 21)))
    const after = before.map((v) =>
      rnd() < 0.2 ? (rnd() < 0.5 ? 255 - v : v ^ (1 << Math.floor(rnd() * 8))) : v,
    )
    let bytes = 0
    for (let i = 0; i < before.length; i++) if (before[i] !== after[i]) bytes++
    expect(new MachineReference(before.length).handPixels(before, after)).toBe(bytes)
  })
})

describe('paintRect (run-length colouring)', () => {
  it('equals a per-pixel lookup on flat and noisy maps, into a rectangle-sized or a whole-image buffer', () => {
    const w = 97
    const h = 41
    const m = newLabelMap(w, h)
    for (let i = 0; i < w * h; i++)
      m.data[i] = i % w < 30 ? 255 : i % w < 60 ? ((i * 2654435761) >>> 7) % 21 : Math.floor(i / w / 10)
    const lut = overlayLut()
    const rect = { x0: 5, y0: 3, x1: 90, y1: 40 }
    const small = new Uint32Array((rect.x1 - rect.x0) * (rect.y1 - rect.y0))
    const whole = new Uint32Array(w * h)
    paintRect(m, rect, lut, small)
    paintRect(m, rect, lut, whole, w)
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const inside = x >= rect.x0 && x < rect.x1 && y >= rect.y0 && y < rect.y1
        const want = lut[m.data[y * w + x]!]!
        expect(whole[y * w + x]).toBe(inside ? want : 0)
        if (inside) expect(small[(y - rect.y0) * (rect.x1 - rect.x0) + x - rect.x0]).toBe(want)
      }
    }
  })
})

describe('paintHatchedRect', () => {
  it('stripes proposal pixels and leaves 255 fully transparent', () => {
    const labels = Uint8Array.from([255, 12, 12, 255, 12, 12, 12, 12, 12])
    const out = new Uint32Array(9)
    const lut = overlayLut()
    paintHatchedRect(labels, 9, { x0: 0, y0: 0, x1: 9, y1: 1 }, lut, out)
    expect(out[0]).toBe(0)
    expect(out[3]).toBe(0)
    const alphas = [1, 2, 4, 5, 6, 7, 8].map((i) => out[i]! >>> 24)
    expect(alphas).toEqual([0xe6, 0xe6, 0x50, 0x50, 0x50, 0x50, 0xe6])
    expect(out[1]! & 0xffffff).toBe(lut[12]! & 0xffffff)
  })
})
