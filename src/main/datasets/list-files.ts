/**
 * Parsers for the text lists shipped with PIS and VOC. Pure functions over the file's text: they return
 * the entries with their line numbers plus the lines they could not read, and never touch the disk.
 */
import { parseVocClass } from '../../shared/voc'

export interface LineIssue {
  line: number
  reason: string
}

/** Splits into non-empty trimmed lines, keeping 1-based line numbers; tolerates CRLF and a BOM. */
export function numberedLines(text: string): { line: number; text: string }[] {
  return text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((t, i) => ({ line: i + 1, text: t.trim() }))
    .filter((l) => l.text !== '' && !l.text.startsWith('#'))
}

/** "/JPEGImages/x.jpg" → "x.jpg"; also accepts Windows separators and bare names. */
export function baseName(token: string): string {
  const parts = token.split(/[\\/]/)
  return parts[parts.length - 1] ?? token
}

const KNOWN_EXTENSIONS = /\.(jpe?g|jpe|jfif|png|webp)$/i

/**
 * Name without an image extension ("x.jpg" → "x", "-abc" → "-abc"). Only image extensions are cut:
 * ids may hold dots of their own.
 */
export function stemOf(name: string): string {
  return name.replace(KNOWN_EXTENSIONS, '')
}

/**
 * The largest group number a list may hold. A group is a cluster of one album's photos, so a number above a
 * million cannot be one; refusing it here keeps a typo or a hostile file (1e20, 4294967294) from ever
 * reaching code that sizes anything by it. Imported ids are re-numbered densely anyway (pis-import.ts).
 */
export const MAX_GROUP_NUMBER = 999_999

export interface PairEntry {
  line: number
  /** Image token as written ("/JPEGImages/x.jpg"). */
  image: string
  /** Mask token as written, when present. */
  mask: string | null
  /** Trailing integer (0 in val_all.txt, the group in train_cluster*.txt), null when absent. */
  group: number | null
}

/** Lines `/JPEGImages/x.jpg /SegmentationClass/x.png <int>` (val_all.txt, train_cluster*.txt). */
export function parsePairList(
  text: string,
  opts: { groupRequired: boolean },
): { entries: PairEntry[]; issues: LineIssue[] } {
  const entries: PairEntry[] = []
  const issues: LineIssue[] = []
  for (const { line, text: t } of numberedLines(text)) {
    const tokens = t.split(/\s+/)
    const image = tokens[0]!
    let mask: string | null = null
    let group: number | null = null
    const rest = tokens.slice(1)
    if (rest.length > 0 && /^-?\d+$/.test(rest[rest.length - 1]!)) group = Number(rest.pop())
    if (rest.length > 1) {
      issues.push({ line, reason: `expected "image mask group", got ${tokens.length} fields: "${t}"` })
      continue
    }
    if (rest.length === 1) mask = rest[0]!
    if (opts.groupRequired && group === null) {
      issues.push({ line, reason: `missing group number: "${t}"` })
      continue
    }
    if (group !== null && group < 0) {
      issues.push({ line, reason: `group must be 0 or more, got ${group}` })
      continue
    }
    if (group !== null && group > MAX_GROUP_NUMBER) {
      issues.push({
        line,
        reason: `group ${tokens[tokens.length - 1]} is out of range (0–${MAX_GROUP_NUMBER.toLocaleString('en-US')}); line skipped`,
      })
      continue
    }
    entries.push({ line, image, mask, group })
  }
  return { entries, issues }
}

export interface TagEntry {
  line: number
  image: string
  tags: number[]
}

/**
 * imgLabelList.txt: `x.jpg:cls,cls` (class names or ids) or `x.jpg:UNKNOWN` (no tags known). Unknown
 * class tokens are reported as issues; the line's other tags are kept.
 */
export function parseTagList(text: string): { entries: TagEntry[]; issues: LineIssue[] } {
  const entries: TagEntry[] = []
  const issues: LineIssue[] = []
  for (const { line, text: t } of numberedLines(text)) {
    const colon = t.lastIndexOf(':')
    if (colon <= 0) {
      issues.push({ line, reason: `expected "name.jpg:class,class" or "name.jpg:UNKNOWN", got "${t}"` })
      continue
    }
    const image = t.slice(0, colon).trim()
    const spec = t.slice(colon + 1).trim()
    const tags: number[] = []
    if (spec !== '' && spec.toUpperCase() !== 'UNKNOWN') {
      for (const token of spec.split(/[,;]/)) {
        if (token.trim() === '') continue
        const id = parseVocClass(token)
        if (id === null) issues.push({ line, reason: `unknown class "${token.trim()}" for ${image}` })
        else if (!tags.includes(id)) tags.push(id)
      }
    }
    entries.push({ line, image, tags })
  }
  return { entries, issues }
}

/** VOC ImageSets lines: an image id ("2007_000032"), or a path pair as in DeepLab's train_aug.txt. */
export function parseIdList(text: string): { line: number; id: string }[] {
  return numberedLines(text).map(({ line, text: t }) => ({ line, id: stemOf(baseName(t.split(/\s+/)[0]!)) }))
}
