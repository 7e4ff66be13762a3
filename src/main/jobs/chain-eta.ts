/**
 * One ETA for a whole run chain (source model → adaptation stages → predict → score → snapshots) instead
 * of one per phase, so the estimate does not jump from "1m 04s" to "11m 19s" when the next phase starts.
 *
 * Each phase is planned ahead with its number of steps and its kind: training phases count iterations,
 * the others images. A phase's measured rate (the engine's recent-window rate) prices its remaining steps
 * and every later phase of the same kind. A kind with no rate measured yet is priced at the other kind's
 * rate — one image taken as costly as one training iteration — until its own phase measures it. A
 * phase's real total replaces the planned one when it reports (adaptation totals its stages itself).
 * Pure: no clock, no I/O.
 */

export type ChainStepKind = 'train' | 'images'

export interface PlannedPhase {
  phase: string
  kind: ChainStepKind
  /** Steps planned (0: skipped, e.g. a reused source model). */
  steps: number
}

export class ChainEta {
  private readonly phases: PlannedPhase[]
  private readonly secondsPerStep = new Map<ChainStepKind, number>()

  constructor(phases: readonly PlannedPhase[]) {
    this.phases = phases.map((p) => ({ ...p }))
  }

  /** The kind of a phase (train or images); phases not in the plan count images. */
  kindOf(phase: string): ChainStepKind {
    return this.phases.find((p) => p.phase === phase)?.kind ?? 'images'
  }

  private price(kind: ChainStepKind): number | null {
    const own = this.secondsPerStep.get(kind)
    if (own !== undefined) return own
    const other = this.secondsPerStep.get(kind === 'train' ? 'images' : 'train')
    return other ?? null
  }

  /**
   * Progress of `phase` (`done` of `total` steps at `rate` steps per second, null while unknown).
   * Returns the seconds left in the whole chain, or null while no rate has been measured.
   */
  update(phase: string, done: number, total: number, rate: number | null): number | null {
    const i = this.phases.findIndex((p) => p.phase === phase)
    // A phase outside the plan: only its own remaining steps are known.
    if (i < 0) return rate !== null && rate > 0 ? Math.max(0, total - done) / rate : null
    const current = this.phases[i]!
    if (total > 0) current.steps = total
    if (rate !== null && Number.isFinite(rate) && rate > 0) this.secondsPerStep.set(current.kind, 1 / rate)
    const here = this.price(current.kind)
    if (here === null) return null
    let left = Math.max(0, current.steps - done) * here
    for (const later of this.phases.slice(i + 1)) {
      if (later.steps === 0) continue
      const p = this.price(later.kind)
      if (p === null) return null
      left += later.steps * p
    }
    return left
  }
}
