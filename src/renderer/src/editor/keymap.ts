/**
 * Editor shortcuts: action → key chord, remappable and kept in localStorage; the actions and their
 * default keys are the registry in actions.ts. A chord is
 * written like "ctrl+shift+z", "[" or "d"; letters are matched case-insensitively, Ctrl and Cmd are
 * the same modifier.
 */
import { ACTIONS, type EditorAction } from './actions'

export type { EditorAction }

/** Action → its label for the shortcut sheet (from the action registry, actions.ts). */
export const EDITOR_ACTIONS = Object.fromEntries(ACTIONS.map((a) => [a.id, a.label])) as Record<
  EditorAction,
  string
>

/** Action → its default chord (from the action registry, actions.ts). */
export const DEFAULT_BINDINGS = Object.fromEntries(ACTIONS.map((a) => [a.id, a.defaultKey])) as Record<
  EditorAction,
  string
>

export const BINDINGS_KEY = 'pss.editor.bindings'

interface KeyLike {
  key: string
  /** The physical key ("Digit1"): Shift+digit reads as a symbol in `key` on most layouts. */
  code?: string
  ctrlKey: boolean
  metaKey: boolean
  shiftKey: boolean
  altKey: boolean
}

/** The chord of a key event, in the binding notation. */
export function chordOf(e: KeyLike): string {
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key.toLowerCase()
  const mods: string[] = []
  if (e.ctrlKey || e.metaKey) mods.push('ctrl')
  if (e.altKey) mods.push('alt')
  // Shift is part of symbols like '?' or '{' already; keep it only for letters and digits.
  if (e.shiftKey && /^[a-z0-9]$/.test(key)) mods.push('shift')
  return [...mods, key].join('+')
}

export function normaliseChord(chord: string): string {
  const parts = chord
    .toLowerCase()
    .split('+')
    .map((p) => p.trim())
    .filter((p) => p !== '')
  const key = parts.pop() ?? ''
  const mods = ['ctrl', 'alt', 'shift'].filter(
    (m) => parts.includes(m) || (m === 'ctrl' && (parts.includes('cmd') || parts.includes('meta'))),
  )
  return [...mods, key].join('+')
}

/** The action bound to this event, if any. */
export function actionFor(bindings: Record<EditorAction, string>, e: KeyLike): EditorAction | null {
  const chord = chordOf(e)
  for (const a of Object.keys(bindings) as EditorAction[]) if (normaliseChord(bindings[a]) === chord) return a
  return null
}

/**
 * Class hotkeys (VOC ids): 1–9 → classes 1–9, 0 → background, Shift+0–9 → classes 10–19 (Shift+5 is
 * person, 15). The physical digit row decides (KeyboardEvent.code), so Shift+1 is class 11 whether the
 * layout prints "!" or "1" there; without a code (or on the numpad) the typed digit does.
 */
export function classForKey(e: KeyLike): number | null {
  if (e.ctrlKey || e.metaKey || e.altKey) return null
  const row = /^Digit([0-9])$/.exec(e.code ?? '')
  if (row) return Number(row[1]) + (e.shiftKey ? 10 : 0)
  return !e.shiftKey && /^[0-9]$/.test(e.key) ? Number(e.key) : null
}

/** The hotkey shown next to a class in the list and the help sheet (null: pick it by name). */
export function classKeyLabel(c: number): string | null {
  if (c >= 0 && c <= 9) return String(c)
  if (c >= 10 && c <= 19) return `⇧${c - 10}`
  return null
}

/**
 * Whether a key event belongs to a text field rather than to the editor: shortcuts never fire there
 * (typing "b" in the class search must not pick the brush). Checkboxes, radios, ranges and buttons take
 * no text, so the editor's keys still work after clicking one.
 */
export function isTypingTarget(t: EventTarget | null): boolean {
  if (typeof HTMLElement === 'undefined' || !(t instanceof HTMLElement)) return false
  if (t.isContentEditable || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT') return true
  return (
    t.tagName === 'INPUT' && !['checkbox', 'radio', 'range', 'button'].includes((t as HTMLInputElement).type)
  )
}

/** Whether a binding would shadow a class hotkey (a bare digit, or a symbol on the Shift+digit row). */
export function shadowsClassKey(chord: string): boolean {
  return /^(shift\+)?[0-9]$/.test(normaliseChord(chord)) || /^[!@#$%^&*()]$/.test(normaliseChord(chord))
}

interface StorageLike {
  getItem(k: string): string | null
  setItem(k: string, v: string): void
}

/** Stored bindings over the defaults; unknown actions and non-string values are dropped. */
export function loadBindings(storage: StorageLike | null): Record<EditorAction, string> {
  const out = { ...DEFAULT_BINDINGS }
  try {
    const raw = storage?.getItem(BINDINGS_KEY)
    if (!raw) return out
    const parsed = JSON.parse(raw) as Record<string, unknown>
    for (const a of Object.keys(out) as EditorAction[]) {
      const v = parsed[a]
      if (typeof v === 'string' && v.trim() !== '') out[a] = normaliseChord(v)
    }
  } catch {
    /* a damaged entry falls back to the defaults */
  }
  return out
}

/** Stores one remapped action; a chord used by another action moves (the other loses it). */
export function rebind(
  storage: StorageLike | null,
  bindings: Record<EditorAction, string>,
  action: EditorAction,
  chord: string,
): Record<EditorAction, string> {
  const c = normaliseChord(chord)
  const next = { ...bindings }
  for (const a of Object.keys(next) as EditorAction[])
    if (a !== action && normaliseChord(next[a]) === c) next[a] = ''
  next[action] = c
  storage?.setItem(BINDINGS_KEY, JSON.stringify(next))
  return next
}
