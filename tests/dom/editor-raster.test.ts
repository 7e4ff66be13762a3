import { describe, expect, it } from 'vitest'
import { magicWand, labelComponent } from '../../src/renderer/src/editor/flood'
import { EditRecorder, History } from '../../src/renderer/src/editor/history'
import { countDifferences, newLabelMap, type LabelMap } from '../../src/renderer/src/editor/label-map'
import { applyRegion, fillPolygon, paintSegment } from '../../src/renderer/src/editor/raster'

const count = (m: LabelMap, v: number) => m.data.filter((x) => x === v).length
const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i])

/** Independent point-in-polygon (winding number) for checking the scanline fill. */
function windingInside(pts: { x: number; y: number }[], px: number, py: number): boolean {
  let wn = 0
  for (let i = 0; i < pts.length; i++) {
    const a = pts[i]!
    const b = pts[(i + 1) % pts.length]!
    const isLeft = (b.x - a.x) * (py - a.y) - (px - a.x) * (b.y - a.y)
    if (a.y <= py) {
      if (b.y > py && isLeft > 0) wn++
    } else if (b.y <= py && isLeft < 0) wn--
  }
  return wn !== 0
}

describe('brush raster', () => {
  it('a click is a disc of pixel centres within r', () => {
    const m = newLabelMap(10, 10)
    paintSegment(m, 2.5, 2.5, 2.5, 2.5, 0.5, 7, 'overwrite', null)
    expect(count(m, 7)).toBe(1)
    expect(m.data[2 * 10 + 2]).toBe(7)
    const n = newLabelMap(10, 10)
    paintSegment(n, 5, 5, 5, 5, 1.5, 3, 'overwrite', null)
    expect(count(n, 3)).toBe(4) // centres (4.5|5.5, 4.5|5.5) are 0.71 away; the next ring is 1.58
  })

  it('a segment paints the capsule and is clipped at the borders', () => {
    const m = newLabelMap(20, 8)
    paintSegment(m, -5, 4, 25, 4, 1, 15, 'overwrite', null)
    // rows 3 and 4 (centres 3.5, 4.5 within 1 of y=4) across the whole width
    expect(count(m, 15)).toBe(40)
    for (let x = 0; x < 20; x++)
      expect([m.data[3 * 20 + x], m.data[4 * 20 + x], m.data[2 * 20 + x]]).toEqual([15, 15, 255])
  })

  it('modes: preserve keeps object labels, unlabelled-only paints only 255', () => {
    const m = newLabelMap(4, 1)
    m.data.set([0, 255, 12, 5])
    paintSegment(m, 0, 0.5, 4, 0.5, 0.6, 9, 'preserve', null)
    expect([...m.data]).toEqual([9, 9, 12, 5])
    m.data.set([0, 255, 12, 5])
    paintSegment(m, 0, 0.5, 4, 0.5, 0.6, 9, 'unlabelled', null)
    expect([...m.data]).toEqual([0, 9, 12, 5])
  })
})

describe('polygon fill', () => {
  it('fills an axis-aligned rectangle exactly', () => {
    const m = newLabelMap(10, 10)
    fillPolygon(
      m,
      [
        { x: 2, y: 2 },
        { x: 6, y: 2 },
        { x: 6, y: 5 },
        { x: 2, y: 5 },
      ],
      4,
      'overwrite',
      null,
    )
    expect(count(m, 4)).toBe(12)
    expect(m.data[2 * 10 + 2]).toBe(4)
    expect(m.data[4 * 10 + 5]).toBe(4)
    expect(m.data[5 * 10 + 5]).toBe(255)
  })

  it('matches an independent winding-number test on a concave polygon', () => {
    const pts = [
      { x: 1.2, y: 1.7 },
      { x: 30.4, y: 3.1 },
      { x: 12.5, y: 12.2 },
      { x: 28.9, y: 27.3 },
      { x: 2.6, y: 24.8 },
    ]
    const m = newLabelMap(32, 32)
    fillPolygon(m, pts, 1, 'overwrite', null)
    for (let y = 0; y < 32; y++)
      for (let x = 0; x < 32; x++)
        expect(m.data[y * 32 + x] === 1, `${x},${y}`).toBe(windingInside(pts, x + 0.5, y + 0.5))
  })
})

describe('flood fills', () => {
  it('magic wand takes the 4-connected pixels within tolerance', () => {
    const w = 6
    const h = 4
    const rgba = new Uint8ClampedArray(w * h * 4)
    for (let i = 0; i < w * h; i++) {
      const x = i % w
      const v = x < 3 ? 100 + (i % 2) * 8 : 200
      rgba.set([v, v, v, 255], i * 4)
    }
    const r = magicWand(rgba, w, h, 0, 0, 10)
    expect(r.size).toBe(12)
    expect(r.rect).toEqual({ x0: 0, y0: 0, x1: 3, y1: 4 })
    expect(magicWand(rgba, w, h, 0, 0, 5).size).toBeLessThan(12)
    const m = newLabelMap(w, h)
    applyRegion(m, r, 8, 'overwrite', null)
    expect(count(m, 8)).toBe(12)
  })

  it('labelComponent stops at other labels (diagonals are not connected)', () => {
    const labels = new Uint8Array([1, 1, 0, 0, 1, 0, 0, 0, 1])
    expect(labelComponent(labels, 3, 3, 0, 0).size).toBe(3)
    expect(labelComponent(labels, 3, 3, 2, 2).size).toBe(1)
  })
})

describe('undo/redo patches', () => {
  it('150 random strokes: undo restores each state, redo replays, capacity 100+ kept', () => {
    const m = newLabelMap(150, 90)
    const h = new History(200)
    const states: Uint8Array[] = [m.data.slice()]
    let seed = 42
    const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32
    for (let s = 0; s < 150; s++) {
      const rec = new EditRecorder(m)
      let x = rnd() * 150
      let y = rnd() * 90
      for (let k = 0; k < 5; k++) {
        const nx = x + (rnd() - 0.5) * 40
        const ny = y + (rnd() - 0.5) * 40
        paintSegment(m, x, y, nx, ny, 1 + rnd() * 6, Math.floor(rnd() * 21), 'overwrite', rec)
        x = nx
        y = ny
      }
      const p = rec.finish()
      if (p) {
        expect(p.changed).toBe(countDifferences(p.before, p.after))
        h.push(p)
        states.push(m.data.slice())
      }
    }
    expect(h.undoDepth).toBe(states.length - 1)
    expect(h.undoDepth).toBeGreaterThanOrEqual(100)
    for (let i = states.length - 2; i >= 0; i--) {
      h.undo(m)
      expect(same(m.data, states[i]!)).toBe(true)
    }
    expect(h.canUndo).toBe(false)
    for (let i = 1; i < states.length; i++) {
      h.redo(m)
      expect(same(m.data, states[i]!)).toBe(true)
    }
  })

  it('a no-op edit records nothing; a new edit clears redo; capacity drops the oldest', () => {
    const m = newLabelMap(8, 8, 3)
    const rec = new EditRecorder(m)
    paintSegment(m, 4, 4, 4, 4, 2, 3, 'overwrite', rec)
    expect(rec.finish()).toBeNull()
    const h = new History(2)
    for (const v of [1, 2, 4]) {
      const r = new EditRecorder(m)
      paintSegment(m, 4, 4, 4, 4, 2, v, 'overwrite', r)
      h.push(r.finish()!)
    }
    expect(h.undoDepth).toBe(2)
    h.undo(m)
    expect(h.canRedo).toBe(true)
    const r = new EditRecorder(m)
    paintSegment(m, 1, 1, 1, 1, 1, 9, 'overwrite', r)
    h.push(r.finish()!)
    expect(h.canRedo).toBe(false)
  })
})
