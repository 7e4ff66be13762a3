/**
 * Chooses a run's snapshot from its evaluated points (pure): `last` takes the final iteration, `heldout`
 * the best FIoU on the selection part, `oracle` the best FIoU on the full split. Ties go to the later
 * snapshot (the one trained longer). A mode whose part has no scores cannot choose: it throws, naming it.
 */
import type { SelectionMode, SnapshotPart, SnapshotPoint } from '../../../shared/snapshots'

export interface Selected {
  iteration: number
  chosenOn: SnapshotPart | null
  reportOn: SnapshotPart
  oracle: boolean
}

function exhaustive(x: never): never {
  throw new Error(`unknown selection mode ${String(x)}`)
}

export function selectSnapshot(points: readonly SnapshotPoint[], mode: SelectionMode): Selected {
  if (points.length === 0) throw new Error('no evaluated snapshot to choose from')
  const byIteration = [...points].sort((a, b) => a.iteration - b.iteration)
  const best = (part: SnapshotPart): number => {
    let pick: SnapshotPoint | null = null
    for (const p of byIteration) {
      const s = p.parts[part]
      if (!s || !Number.isFinite(s.fiou)) continue
      if (pick === null || s.fiou >= pick.parts[part]!.fiou) pick = p
    }
    if (pick === null) throw new Error(`no snapshot has a score on the ${part} part`)
    return pick.iteration
  }
  switch (mode) {
    case 'last':
      return { iteration: byIteration[byIteration.length - 1]!.iteration, chosenOn: null, reportOn: 'full', oracle: false }
    case 'heldout':
      return { iteration: best('selection'), chosenOn: 'selection', reportOn: 'report', oracle: false }
    case 'oracle':
      return { iteration: best('full'), chosenOn: 'full', reportOn: 'full', oracle: true }
    default:
      return exhaustive(mode)
  }
}
