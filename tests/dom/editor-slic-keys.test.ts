import { describe, expect, it } from 'vitest'
import {
  actionFor,
  classForKey,
  DEFAULT_BINDINGS,
  loadBindings,
  rebind,
} from '../../src/renderer/src/editor/keymap'
import { labelComponent } from '../../src/renderer/src/editor/flood'
import { enforceConnectivity, slic } from '../../src/renderer/src/editor/slic'

function twoTone(w: number, h: number, split: number): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray(w * h * 4)
  for (let i = 0; i < w * h; i++) {
    const left = i % w < split
    rgba.set(left ? [200, 40, 40, 255] : [30, 60, 220, 255], i * 4)
  }
  return rgba
}

describe('SLIC', () => {
  it('labels every pixel, each superpixel is one 4-connected region, none crosses a colour edge', () => {
    const w = 60
    const h = 40
    const r = slic(twoTone(w, h, 23), w, h, { regionSize: 10 })
    expect(r.labels.every((v) => v >= 0 && v < r.count)).toBe(true)
    const sizes = new Map<number, number>()
    for (const v of r.labels) sizes.set(v, (sizes.get(v) ?? 0) + 1)
    expect(sizes.size).toBe(r.count)
    expect(r.count).toBeGreaterThan(12)
    expect(r.count).toBeLessThan(60)
    for (const [id, size] of sizes) {
      const start = r.labels.indexOf(id)
      const comp = labelComponent(r.labels, w, h, start % w, Math.floor(start / w))
      expect(comp.size, `superpixel ${id}`).toBe(size)
      // all on one side of the edge at x = 23
      const xs = [...r.labels.keys()].filter((i) => r.labels[i] === id).map((i) => i % w)
      expect(Math.max(...xs) < 23 || Math.min(...xs) >= 23).toBe(true)
    }
  })

  it('is deterministic, and granularity sets the count', () => {
    const rgba = new Uint8ClampedArray(48 * 48 * 4)
    for (let i = 0; i < rgba.length; i++) rgba[i] = (i * 37 + (i >> 6) * 11) % 256
    const a = slic(rgba, 48, 48, { regionSize: 8 })
    const b = slic(rgba, 48, 48, { regionSize: 8 }).labels
    expect(b.every((v, i) => v === a.labels[i])).toBe(true)
    expect(slic(rgba, 48, 48, { regionSize: 16 }).count).toBeLessThan(a.count)
  })

  it('enforceConnectivity splits disconnected labels and merges tiny fragments', () => {
    const labels = new Int32Array([0, 0, 1, 0, 0, 0, 1, 1, 1, 1])
    const r = enforceConnectivity(labels, 5, 2, 1)
    // components: the 0s at the left (3 px), the 1s (5 px), the 0s at x=3–4 of row 0 (2 px)
    expect(r.count).toBe(3)
    const merged = enforceConnectivity(labels, 5, 2, 3)
    expect(merged.count).toBe(2)
  })
})

describe('keymap', () => {
  const ev = (
    key: string,
    mods: Partial<{ ctrlKey: boolean; shiftKey: boolean; metaKey: boolean; altKey: boolean }> = {},
  ) => ({ key, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods })
  it('maps events to actions and digits to classes', () => {
    expect(actionFor(DEFAULT_BINDINGS, ev('Z', { ctrlKey: true, shiftKey: true }))).toBe('redo')
    expect(actionFor(DEFAULT_BINDINGS, ev('z', { metaKey: true }))).toBe('undo')
    expect(actionFor(DEFAULT_BINDINGS, ev('['))).toBe('smaller')
    expect(actionFor(DEFAULT_BINDINGS, ev('?', { shiftKey: true }))).toBe('help')
    expect(actionFor(DEFAULT_BINDINGS, ev('0', { ctrlKey: true }))).toBe('actual')
    expect(classForKey(ev('7'))).toBe(7)
    expect(classForKey(ev('0'))).toBe(0)
    expect(classForKey(ev('0', { ctrlKey: true }))).toBeNull()
  })
  it('remaps and persists; a taken chord moves; damaged storage falls back to defaults', () => {
    const store = new Map<string, string>()
    const storage = {
      getItem: (k: string) => store.get(k) ?? null,
      setItem: (k: string, v: string) => void store.set(k, v),
    }
    const b = rebind(storage, DEFAULT_BINDINGS, 'brush', 'E')
    expect(b.brush).toBe('e')
    expect(b.eraser).toBe('')
    expect(loadBindings(storage).brush).toBe('e')
    store.set('pss.editor.bindings', '{not json')
    expect(loadBindings(storage)).toEqual(DEFAULT_BINDINGS)
  })
})
