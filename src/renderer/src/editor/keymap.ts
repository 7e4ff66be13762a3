/**
 * Editor shortcuts as data: action → key chord, remappable and kept in localStorage. A chord is
 * written like "ctrl+shift+z", "[" or "d"; letters are matched case-insensitively, Ctrl and Cmd are
 * the same modifier.
 */
export const EDITOR_ACTIONS = {
  brush: 'Brush',
  eraser: 'Eraser',
  polygon: 'Polygon fill',
  wand: 'Magic wand (flood fill)',
  superpixel: 'Superpixel fill',
  prediction: 'Accept a region of the proposal',
  reject: 'Hide (reject) a region of the proposal',
  smaller: 'Smaller brush',
  bigger: 'Bigger brush',
  undo: 'Undo',
  redo: 'Redo',
  redoAlt: 'Redo (alternative)',
  save: 'Save',
  next: 'Next image in the split',
  prev: 'Previous image in the split',
  fit: 'Fit to view',
  actual: '1:1',
  toggleOverlay: 'Toggle the overlay',
  imageOnly: 'Hold: image only',
  labelsOnly: 'Hold: labels only',
  help: 'Show shortcuts',
  ignore: 'Select ignore (255)',
} as const
export type EditorAction = keyof typeof EDITOR_ACTIONS

export const DEFAULT_BINDINGS: Record<EditorAction, string> = {
  brush: 'b',
  eraser: 'e',
  polygon: 'p',
  wand: 'w',
  superpixel: 's',
  prediction: 'r',
  reject: 'shift+r',
  smaller: '[',
  bigger: ']',
  undo: 'ctrl+z',
  redo: 'ctrl+shift+z',
  redoAlt: 'ctrl+y',
  save: 'ctrl+s',
  next: 'd',
  prev: 'a',
  fit: 'f',
  actual: 'ctrl+0',
  toggleOverlay: 't',
  imageOnly: 'i',
  labelsOnly: 'l',
  help: '?',
  ignore: 'x',
}

export const BINDINGS_KEY = 'pss.editor.bindings'

interface KeyLike {
  key: string
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
  const parts = chord.toLowerCase().split('+').map((p) => p.trim()).filter((p) => p !== '')
  const key = parts.pop() ?? ''
  const mods = ['ctrl', 'alt', 'shift'].filter((m) => parts.includes(m) || (m === 'ctrl' && (parts.includes('cmd') || parts.includes('meta'))))
  return [...mods, key].join('+')
}

/** The action bound to this event, if any. */
export function actionFor(bindings: Record<EditorAction, string>, e: KeyLike): EditorAction | null {
  const chord = chordOf(e)
  for (const a of Object.keys(bindings) as EditorAction[]) if (normaliseChord(bindings[a]) === chord) return a
  return null
}

/** Class hotkeys: 1–9 → classes 1–9, 0 → background (VOC ids). */
export function classForKey(e: KeyLike): number | null {
  if (e.ctrlKey || e.metaKey || e.altKey) return null
  return /^[0-9]$/.test(e.key) ? Number(e.key) : null
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
export function rebind(storage: StorageLike | null, bindings: Record<EditorAction, string>, action: EditorAction, chord: string): Record<EditorAction, string> {
  const c = normaliseChord(chord)
  const next = { ...bindings }
  for (const a of Object.keys(next) as EditorAction[]) if (a !== action && normaliseChord(next[a]) === c) next[a] = ''
  next[action] = c
  storage?.setItem(BINDINGS_KEY, JSON.stringify(next))
  return next
}
