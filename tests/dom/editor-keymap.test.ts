/**
 * Every class from the keyboard: 1–0 for classes 0–9, Shift+1–0 for 10–19 (by the physical digit row),
 * type-to-pick for the rest; no default shortcut shadows a class key or another shortcut; shortcuts never
 * fire in text fields. Plus the editor state naming (History.stateId) that lets an undo after an
 * autosave take the stored version back, and the machine-pixel count that decides hand / machine / mixed.
 */
import { describe, expect, it } from 'vitest'
import {
  actionFor,
  chordOf,
  classForKey,
  classKeyLabel,
  DEFAULT_BINDINGS,
  EDITOR_ACTIONS,
  isTypingTarget,
  normaliseChord,
  shadowsClassKey,
  type EditorAction,
} from '../../src/renderer/src/editor/keymap'
import { ALL_CLASSES, filterClasses, moveHighlight } from '../../src/renderer/src/editor/class-pick'
import { EditRecorder, History } from '../../src/renderer/src/editor/history'
import { MachineReference } from '../../src/renderer/src/editor/proposal'
import { describeOrigin, originKindOf, restoredOrigin } from '../../src/shared/mask-origin'
import { VOC_CLASSES } from '../../src/shared/voc'

type Mods = Partial<{ ctrlKey: boolean; shiftKey: boolean; metaKey: boolean; altKey: boolean; code: string }>
const ev = (key: string, mods: Mods = {}) => ({
  key,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  altKey: false,
  ...mods,
})
// What Chromium reports on a US layout for the digit row, with and without Shift.
const US_SHIFTED = [')', '!', '@', '#', '$', '%', '^', '&', '*', '(']
const digit = (d: number, shift: boolean) =>
  ev(shift ? US_SHIFTED[d]! : String(d), { code: `Digit${d}`, shiftKey: shift })

/** The class a key press selects, as AnnotateView decides it: bound actions first, then class keys. */
function classOf(e: ReturnType<typeof ev>): number | null {
  return actionFor(DEFAULT_BINDINGS, e) === null ? classForKey(e) : null
}

describe('class keys', () => {
  it('reach classes 0–19 by digit and Shift+digit, unshadowed by any default shortcut', () => {
    const reached = new Set<number>()
    for (let d = 0; d <= 9; d++) {
      expect(classOf(digit(d, false))).toBe(d)
      expect(classOf(digit(d, true))).toBe(10 + d)
      reached.add(d).add(10 + d)
    }
    expect(classOf(digit(5, true))).toBe(15) // person
    expect([...reached].sort((a, b) => a - b)).toEqual([...Array(20).keys()])
  })

  it('reads the physical row (AZERTY prints & unshifted and 1 shifted), the numpad and no modifiers but Shift', () => {
    expect(classForKey(ev('&', { code: 'Digit1' }))).toBe(1)
    expect(classForKey(ev('1', { code: 'Digit1', shiftKey: true }))).toBe(11)
    expect(classForKey(ev('7', { code: 'Numpad7' }))).toBe(7)
    expect(classForKey(ev('7'))).toBe(7)
    expect(classForKey(ev('0', { code: 'Digit0', ctrlKey: true }))).toBeNull()
    expect(classForKey(ev('1', { code: 'Digit1', altKey: true }))).toBeNull()
    expect(classForKey(ev('c', { code: 'KeyC' }))).toBeNull()
    expect(actionFor(DEFAULT_BINDINGS, ev('0', { ctrlKey: true, code: 'Digit0' }))).toBe('actual')
  })

  it('labels the keys as the list and help sheet show them', () => {
    expect(classKeyLabel(0)).toBe('0')
    expect(classKeyLabel(9)).toBe('9')
    expect(classKeyLabel(15)).toBe('⇧5')
    expect(classKeyLabel(20)).toBeNull()
    expect(classKeyLabel(255)).toBeNull()
  })

  it('keeps default shortcuts unique and off the class keys; C opens the class search', () => {
    const chords = Object.values(DEFAULT_BINDINGS).map(normaliseChord)
    expect(new Set(chords).size).toBe(chords.length)
    for (const c of chords) expect(shadowsClassKey(c), c).toBe(false)
    expect(actionFor(DEFAULT_BINDINGS, ev('c', { code: 'KeyC' }))).toBe('classSearch')
    expect(actionFor(DEFAULT_BINDINGS, ev('C', { code: 'KeyC', shiftKey: true }))).toBeNull()
    expect(Object.keys(EDITOR_ACTIONS).sort()).toEqual(
      (Object.keys(DEFAULT_BINDINGS) as EditorAction[]).sort(),
    )
    expect(shadowsClassKey('5')).toBe(true)
    expect(shadowsClassKey(chordOf(digit(5, true)))).toBe(true) // '%'
    expect(shadowsClassKey('shift+5')).toBe(true)
    expect(shadowsClassKey('ctrl+5')).toBe(false)
  })
})

describe('type-to-pick', () => {
  it('finds every class by name, best match first, and ignore by its name', () => {
    for (const [id, name] of VOC_CLASSES.entries())
      expect(filterClasses(ALL_CLASSES, name)[0]!.id, name).toBe(id)
    expect(filterClasses(ALL_CLASSES, 'per')[0]!.name).toBe('person')
    expect(filterClasses(ALL_CLASSES, 'tv')[0]!.id).toBe(20)
    expect(filterClasses(ALL_CLASSES, '15')[0]!.id).toBe(15)
    expect(filterClasses(ALL_CLASSES, ' BIKE ').map((c) => c.name)).toEqual(['motorbike'])
    expect(filterClasses(ALL_CLASSES, 'bo').map((c) => c.name)).toEqual(['boat', 'bottle']) // prefix matches, by id
    expect(filterClasses(ALL_CLASSES, 'zebra')).toEqual([])
    expect(filterClasses(ALL_CLASSES, '')).toHaveLength(22)
  })

  it('moves the highlight with wrap-around', () => {
    expect(moveHighlight(0, 1, 3)).toBe(1)
    expect(moveHighlight(2, 1, 3)).toBe(0)
    expect(moveHighlight(0, -1, 3)).toBe(2)
    expect(moveHighlight(-1, -1, 3)).toBe(2)
    expect(moveHighlight(0, 1, 0)).toBe(-1)
  })
})

describe('text fields keep their keys', () => {
  it('treats text inputs, selects, textareas and editable elements as typing, not checkboxes, ranges or buttons', () => {
    const el = (html: string): HTMLElement => {
      const d = document.createElement('div')
      d.innerHTML = html
      return d.firstElementChild as HTMLElement
    }
    expect(isTypingTarget(el('<input type="text">'))).toBe(true)
    expect(isTypingTarget(el('<input>'))).toBe(true)
    expect(isTypingTarget(el('<input type="number">'))).toBe(true)
    expect(isTypingTarget(el('<select><option>a</option></select>'))).toBe(true)
    expect(isTypingTarget(el('<textarea></textarea>'))).toBe(true)
    const editable = el('<div contenteditable="true"></div>')
    document.body.append(editable)
    expect(isTypingTarget(editable)).toBe(editable.isContentEditable)
    expect(isTypingTarget(el('<input type="checkbox">'))).toBe(false)
    expect(isTypingTarget(el('<input type="range">'))).toBe(false)
    expect(isTypingTarget(el('<button>b</button>'))).toBe(false)
    expect(isTypingTarget(el('<div tabindex="-1"></div>'))).toBe(false)
    expect(isTypingTarget(null)).toBe(false)
  })
})

describe('editor state ids and machine pixels', () => {
  const map = (w: number, h: number) => ({ width: w, height: h, data: new Uint8Array(w * h) })
  function paint(h: History, m: ReturnType<typeof map>, i: number, v: number): void {
    const rec = new EditRecorder(m)
    rec.touch({
      x0: i % m.width,
      y0: Math.floor(i / m.width),
      x1: (i % m.width) + 1,
      y1: Math.floor(i / m.width) + 1,
    })
    m.data[i] = v
    h.push(rec.finish()!)
  }

  it('names equal states equally across undo/redo, and never reuses a replaced state’s name', () => {
    const h = new History(200)
    const m = map(4, 4)
    expect(h.stateId).toBe(0)
    paint(h, m, 1, 3)
    const s1 = h.stateId
    paint(h, m, 2, 4)
    const s2 = h.stateId
    expect(new Set([0, s1, s2]).size).toBe(3)
    h.undo(m)
    expect(h.stateId).toBe(s1)
    h.redo(m)
    expect(h.stateId).toBe(s2)
    h.undo(m)
    h.undo(m)
    expect(h.stateId).toBe(0)
    paint(h, m, 5, 7) // a new branch: its state is new
    expect([0, s1, s2]).not.toContain(h.stateId)
  })

  it('keeps the bottom state’s name apart from the loaded state once old steps fall off', () => {
    const h = new History(2)
    const m = map(4, 4)
    for (let i = 0; i < 4; i++) paint(h, m, i, 9)
    h.undo(m)
    h.undo(m)
    expect(h.canUndo).toBe(false)
    expect(h.stateId).not.toBe(0) // two edits are still in the labels
    h.clear()
    expect(h.stateId).toBe(0)
  })

  it('counts machine pixels as the complement of hand pixels among the changed ones', () => {
    const loaded = new Uint8Array([0, 0, 0, 0, 5, 5])
    const m = map(3, 2)
    m.data.set(loaded)
    const ref = new MachineReference(6)
    expect(ref.machinePixels(loaded, m.data)).toBe(0)
    const proposal = new Uint8Array([12, 12, 255, 255, 5, 255])
    const region = { mask: new Uint8Array([1, 1, 0, 0, 1, 0]), rect: { x0: 0, y0: 0, x1: 3, y1: 2 }, size: 3 }
    for (let i = 0; i < 6; i++) if (region.mask[i] && proposal[i] !== 255) m.data[i] = proposal[i]!
    ref.record(m, proposal, region)
    expect(ref.machinePixels(loaded, m.data)).toBe(2) // pixel 4 already held 5: unchanged, neither
    m.data[1] = 3 // painted over by hand
    m.data[3] = 8 // painted by hand
    expect(ref.machinePixels(loaded, m.data)).toBe(1)
    expect(ref.handPixels(loaded, m.data)).toBe(2)
    expect(originKindOf(2, 1)).toBe('mixed')
    expect(originKindOf(0, 1)).toBe('machine')
    expect(originKindOf(2, 0)).toBe('hand')
    expect(describeOrigin('machine', ['No-DA run #4'])).toBe('machine, from No-DA run #4')
    expect(describeOrigin('mixed', ['No-DA run #4'])).toBe('mixed (hand + machine), from No-DA run #4')
    expect(describeOrigin('hand', [])).toBe('by hand')
    expect(restoredOrigin('undo', 3, 'undo back to version 1 (restored from version 2 (by hand))')).toBe(
      'undo back to version 3 (by hand)',
    )
    expect(restoredOrigin('restore', 2, 'PIS id1/x.png (a)')).toBe(
      'restored from version 2 (PIS id1/x.png (a))',
    )
  })
})
