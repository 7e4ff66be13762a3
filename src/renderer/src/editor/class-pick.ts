/**
 * Type-to-pick for classes: the editor's class search filters the 21 VOC classes (plus ignore) as the
 * curator types, ↑/↓ move the highlight and Enter picks it, so any class — also the ones without a
 * digit key, like tvmonitor (20) — is a few keystrokes away. Pure functions; the view wires the keys.
 */
import { VOC_CLASSES } from '../../../shared/voc'

export interface ClassEntry {
  id: number
  name: string
}

export const IGNORE_ENTRY: ClassEntry = { id: 255, name: 'ignore (unlabelled)' }

export const ALL_CLASSES: readonly ClassEntry[] = [
  ...VOC_CLASSES.map((name, id) => ({ id, name })),
  IGNORE_ENTRY,
]

/**
 * The classes matching a query, best first: an exact id ("15"), then names starting with it ("per" →
 * person), then names containing it ("bike" → motorbike, bicycle is not: it does not contain "bike").
 * An empty query lists every class in id order.
 */
export function filterClasses(all: readonly ClassEntry[], query: string): ClassEntry[] {
  const q = query.trim().toLowerCase()
  if (q === '') return [...all]
  const rank = (c: ClassEntry): number => {
    if (String(c.id) === q) return 0
    const name = c.name.toLowerCase()
    if (name.startsWith(q)) return 1
    if (name.includes(q)) return 2
    return -1
  }
  return all
    .map((c) => ({ c, r: rank(c) }))
    .filter((x) => x.r >= 0)
    .sort((a, b) => a.r - b.r || a.c.id - b.c.id)
    .map((x) => x.c)
}

/** The highlight after ↑/↓ in a list of `count` matches (it wraps; −1 when the list is empty). */
export function moveHighlight(index: number, delta: 1 | -1, count: number): number {
  if (count === 0) return -1
  if (index < 0 || index >= count) return delta === 1 ? 0 : count - 1
  return (index + delta + count) % count
}
