/**
 * The editor tools as state machines (editor/tools/), driven through a ToolHost over a real label map
 * and history: a brush stroke is one undo step however many moves it has, the eraser paints ignore, a
 * polygon fills on Enter and drops its points on Esc, click tools edit on pointer-down, and every tool
 * names its cursor.
 */
import { describe, expect, it } from 'vitest'
import { EditRecorder, History } from '../../src/renderer/src/editor/history'
import { newLabelMap } from '../../src/renderer/src/editor/label-map'
import { applyRegion, type Region } from '../../src/renderer/src/editor/raster'
import { createTools } from '../../src/renderer/src/editor/tools'
import type { Point, ToolHost } from '../../src/renderer/src/editor/tools/tool'

function makeHost(w = 40, h = 30) {
  const map = newLabelMap(w, h)
  const history = new History(50)
  const log: string[] = []
  let outline: readonly Point[] = []
  const host: ToolHost & { value: number } = {
    map,
    value: 7,
    radius: 3,
    mode: 'overwrite',
    tolerance: 10,
    regionSize: 8,
    viewScale: 1,
    clickMask: { model: async () => null, applied: () => {}, failed: () => {} },
    inside: (p) => {
      const x = Math.floor(p.x)
      const y = Math.floor(p.y)
      return x >= 0 && y >= 0 && x < w && y < h ? { x, y } : null
    },
    beginEdit: () => new EditRecorder(map),
    commit: (rec) => {
      const patch = rec.finish()
      if (patch) history.push(patch)
      return patch !== null
    },
    redraw: () => {},
    applyRegion: (region: Region | null) => {
      if (!region) return
      const rec = new EditRecorder(map)
      applyRegion(map, region, host.value, 'overwrite', rec)
      host.commit(rec)
    },
    photoRgba: () => new Uint8ClampedArray(w * h * 4).fill(90),
    superpixels: async () => null,
    acceptComponentAt: (x, y) => (log.push(`accept ${x},${y}`), true),
    applyMachineRegion: () => false,
    eraseRegion: () => {},
    rejectComponentAt: (x, y) => (log.push(`reject ${x},${y}`), true),
    capturePointer: (id) => void log.push(`capture ${id}`),
    setOutline: (pts) => void (outline = [...pts]),
    changed: () => void log.push('changed'),
  }
  return { host, map, history, log, outline: () => outline }
}

const count = (data: Uint8Array, v: number): number => data.reduce((n, x) => n + (x === v ? 1 : 0), 0)

describe('editor tools', () => {
  it('a brush stroke is one gesture: painted on every move, one undo step on release', () => {
    const { host, map, history, log } = makeHost()
    const brush = createTools().brush
    brush.onPointerDown(host, { x: 5, y: 5 }, 1)
    expect(brush.gestureActive).toBe(true)
    expect(log).toContain('capture 1')
    brush.onPointerMove(
      host,
      () => [
        { x: 10, y: 5 },
        { x: 15, y: 6 },
      ],
      1,
    )
    brush.onPointerMove(host, () => [{ x: 20, y: 8 }], 2) // another pointer: not this stroke
    brush.onPointerMove(host, () => [{ x: 20, y: 8 }], 1)
    expect(history.undoDepth).toBe(0)
    brush.onPointerUp(host, 1)
    expect(brush.gestureActive).toBe(false)
    expect(history.undoDepth).toBe(1)
    const painted = count(map.data, 7)
    expect(painted).toBeGreaterThan(60)
    expect(map.data[8 * 40 + 20]).toBe(7)
    history.undo(map)
    expect(count(map.data, 7)).toBe(0)
  })

  it('the eraser paints ignore (255) whatever the class', () => {
    const { host, map } = makeHost()
    map.data.fill(3)
    const eraser = createTools().eraser
    eraser.onPointerDown(host, { x: 10, y: 10 }, 1)
    eraser.onPointerUp(host, 1)
    expect(map.data[10 * 40 + 10]).toBe(255)
    expect(count(map.data, 7)).toBe(0)
  })

  it('a polygon collects clicks, fills on Enter as one step, and Esc drops the points', () => {
    const { host, map, history, outline } = makeHost()
    const poly = createTools().polygon
    for (const p of [
      { x: 2, y: 2 },
      { x: 20, y: 2 },
      { x: 20, y: 20 },
    ])
      poly.onPointerDown(host, p)
    expect(poly.pointCount).toBe(3)
    expect(outline()).toHaveLength(3)
    expect(poly.onKey(host, 'Enter')).toBe(true)
    expect(poly.pointCount).toBe(0)
    expect(outline()).toHaveLength(0)
    expect(history.undoDepth).toBe(1)
    expect(map.data[5 * 40 + 15]).toBe(7) // inside the triangle
    expect(map.data[18 * 40 + 3]).toBe(255) // outside it
    poly.onPointerDown(host, { x: 1, y: 1 })
    expect(poly.onKey(host, 'Escape')).toBe(true)
    expect(poly.pointCount).toBe(0)
    expect(history.undoDepth).toBe(1)
    expect(poly.onKey(host, 'Enter')).toBe(false) // nothing drawn: the key is not the tool's
  })

  it('click tools edit on pointer-down, and every tool names its cursor', () => {
    const { host, map, history, log } = makeHost()
    const tools = createTools()
    tools.wand.onPointerDown(host, { x: 3, y: 3 }, 1) // a flat photo: the wand fills it all
    expect(count(map.data, 7)).toBe(40 * 30)
    expect(history.undoDepth).toBe(1)
    tools.prediction.onPointerDown(host, { x: 4.6, y: 2.2 }, 1)
    tools.reject.onPointerDown(host, { x: 99, y: 2 }, 1) // outside the image: nothing
    expect(log).toEqual(['accept 4,2'])
    for (const [id, t] of Object.entries(tools)) {
      expect(t.id).toBe(id)
      expect(t.cursor).toBe(id === 'brush' || id === 'eraser' ? 'none' : 'crosshair')
      expect(t.showsBrush).toBe(id === 'brush' || id === 'eraser')
    }
  })
})
