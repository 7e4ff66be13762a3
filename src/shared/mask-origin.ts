/**
 * How a saved mask version came about, told honestly in its `origin` text and `author`: by hand, by a
 * machine (pixels copied from a proposal and left as they were), or mixed. The counts come from the
 * editor's hand-pixel rule (src/renderer/src/editor/proposal.ts): a changed pixel is machine-made when
 * it holds the label an accepted proposal put there, otherwise hand-made. Encoded in the existing
 * free-text origin (no schema change): "by hand", "machine, from No-DA #4", "mixed (hand + machine),
 * from No-DA #4"; a machine-only version is stored with author 'model'.
 */
import type { MaskAuthor } from './domain'

export type OriginKind = 'hand' | 'machine' | 'mixed'

export function originKindOf(handPixels: number, machinePixels: number): OriginKind {
  if (machinePixels > 0) return handPixels > 0 ? 'mixed' : 'machine'
  return 'hand'
}

/** The origin text of a version; `sources` name the proposals (runs) machine pixels came from. */
export function describeOrigin(kind: OriginKind, sources: readonly string[]): string {
  const from = sources.length > 0 ? `, from ${sources.join(' + ')}` : ''
  const text =
    kind === 'hand' ? 'by hand' : kind === 'machine' ? `machine${from}` : `mixed (hand + machine)${from}`
  return text.slice(0, 200)
}

/** The author column of a version of this kind: only a machine-only version is the model's. */
export function authorOf(kind: OriginKind): MaskAuthor {
  return kind === 'machine' ? 'model' : 'human'
}

const COPY_PREFIX = /^(?:restored from|undo back to) version \d+ \((.*)\)$/

/**
 * The origin of a restored copy of a version: how it was restored, which version, and what that
 * version's content was originally (a copy of a copy names the first origin, not a nest of copies).
 */
export function restoredOrigin(reason: 'restore' | 'undo', version: number, sourceOrigin: string): string {
  let first = sourceOrigin
  for (let m = COPY_PREFIX.exec(first); m; m = COPY_PREFIX.exec(first)) first = m[1]!
  return `${reason === 'undo' ? 'undo back to' : 'restored from'} version ${version} (${first})`.slice(0, 200)
}
