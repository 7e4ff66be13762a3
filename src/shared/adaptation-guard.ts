/**
 * What keeps a one-click Personalize from handing back a worse model, as the run record says it (plain
 * data, no Node or DOM imports). Kept in the album run's config JSON under `adaptationGuard`:
 *
 *   keptSource  the source model (iteration 0 of the adapted chain) was evaluated beside the adapted
 *               snapshots and no adapted snapshot beat it on the part the choice was made on (ties go to
 *               the source model: no evidence of gain), so the run predicts with the source model;
 *   notice      the sentence the run page shows for it (null when the run uses an adapted snapshot);
 *   stops       stages stopped early by the collapse detector, each with its message.
 */
import type { SnapshotPart } from './snapshots'

/**
 * The stage name of the source-model candidate among an adaptation run's snapshot points (its iteration is
 * 0). Not 'source', which names a No-DA run's own snapshots of the source training.
 */
export const SOURCE_CANDIDATE_STAGE = 'source-model'

/** Why a stage stopped early. */
export type CollapseKind = 'background' | 'single-class'

export interface StageStop {
  /** The adaptation stage (e.g. 'advent', 'pss-s1'). */
  stage: string
  /** The step it stopped at, of `steps`. */
  iteration: number
  steps: number
  kind: CollapseKind
  /** Share of the probe pixels in the collapsed class (background for 'background'), 0–1… */
  share: number
  /** …and that class's share at the stage's start. */
  startShare: number
  message: string
}

export interface AdaptationGuard {
  keptSource: boolean
  notice: string | null
  stops: StageStop[]
}

/** The notice of a run that kept its source model, by the part the choice was made on. */
export function keptSourceNotice(chosenOn: SnapshotPart | null): string {
  if (chosenOn === 'selection') return 'adaptation did not help on the held-out half; kept the source model'
  if (chosenOn === 'full')
    return 'adaptation did not help on the validation split (oracle selection); kept the source model'
  return 'no adapted snapshot was kept; kept the source model'
}

function isStop(v: unknown): v is StageStop {
  if (typeof v !== 'object' || v === null) return false
  const s = v as Record<string, unknown>
  return (
    typeof s.stage === 'string' &&
    typeof s.iteration === 'number' &&
    typeof s.steps === 'number' &&
    (s.kind === 'background' || s.kind === 'single-class') &&
    typeof s.share === 'number' &&
    typeof s.startShare === 'number' &&
    typeof s.message === 'string'
  )
}

/** The guard recorded in a run's config (null when the run has none, e.g. No-DA or an older run). */
export function readAdaptationGuard(config: Record<string, unknown>): AdaptationGuard | null {
  const g = config.adaptationGuard
  if (typeof g !== 'object' || g === null) return null
  const r = g as Record<string, unknown>
  return {
    keptSource: r.keptSource === true,
    notice: typeof r.notice === 'string' ? r.notice : null,
    stops: Array.isArray(r.stops) ? r.stops.filter(isStop) : [],
  }
}
