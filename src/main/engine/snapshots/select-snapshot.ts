/**
 * Chooses a run's snapshot from its evaluated points (pure): `last` takes the final iteration, `heldout`
 * the best FIoU on the selection part, `oracle` the best FIoU on the full split. Ties between adapted
 * snapshots go to the later one (trained longer). Iteration 0 — the source model an adaptation run started
 * from, when the caller evaluated it — competes too, and wins every tie: an adapted snapshot must show a
 * gain on the part it is chosen on, or the run keeps the source model. A mode whose part has no scores
 * cannot choose: it throws, naming it.
 */
import type { SelectionMode, SnapshotPart, SnapshotPoint } from '../../../shared/snapshots'

export interface Selected {
  iteration: number
  chosenOn: SnapshotPart | null
  reportOn: SnapshotPart
  oracle: boolean
  /**
   * True when the source model (iteration 0) was chosen although adapted snapshots were scored on the same
   * part: no adapted snapshot beat it there.
   */
  keptSource: boolean
}

/** The iteration of the chain's starting model (the source model) among the points. */
export const SOURCE_ITERATION = 0

function exhaustive(x: never): never {
  throw new Error(`unknown selection mode ${String(x)}`)
}

export function selectSnapshot(points: readonly SnapshotPoint[], mode: SelectionMode): Selected {
  if (points.length === 0) throw new Error('no evaluated snapshot to choose from')
  const byIteration = [...points].sort((a, b) => a.iteration - b.iteration)
  const best = (part: SnapshotPart): { iteration: number; keptSource: boolean } => {
    let pick: SnapshotPoint | null = null
    let source: SnapshotPoint | null = null
    for (const p of byIteration) {
      const s = p.parts[part]
      if (!s || !Number.isFinite(s.fiou)) continue
      if (p.iteration === SOURCE_ITERATION) source = p
      else if (pick === null || s.fiou >= pick.parts[part]!.fiou) pick = p
    }
    if (source !== null && (pick === null || source.parts[part]!.fiou >= pick.parts[part]!.fiou))
      return { iteration: SOURCE_ITERATION, keptSource: pick !== null }
    if (pick === null) throw new Error(`no snapshot has a score on the ${part} part`)
    return { iteration: pick.iteration, keptSource: false }
  }
  switch (mode) {
    case 'last': {
      const last = byIteration[byIteration.length - 1]!.iteration
      return { iteration: last, chosenOn: null, reportOn: 'full', oracle: false, keptSource: false }
    }
    case 'heldout':
      return { ...best('selection'), chosenOn: 'selection', reportOn: 'report', oracle: false }
    case 'oracle':
      return { ...best('full'), chosenOn: 'full', reportOn: 'full', oracle: true }
    default:
      return exhaustive(mode)
  }
}
