/**
 * Evaluate a stage's snapshots and choose one (store-free, tfjs-free): the source model an adaptation
 * started from competes as iteration 0 (source-candidate.ts), the stage's kept snapshots are evaluated on
 * the same seeded division of the validation split (stage-evaluation.ts), and select-snapshot.ts picks by
 * the mode. Returns the points, the pick, and the checkpoint that predicts with it. A studio run does this
 * inside its one worker session (pipelines/run-plan.ts); the re-evaluation job (app) from the main thread.
 */
import * as path from 'node:path'
import { keptSourceNotice, SOURCE_CANDIDATE_STAGE } from '../../../shared/adaptation-guard'
import type { SelectionMode, SnapshotPoint } from '../../../shared/snapshots'
import { workerHost, type SessionHost } from '../sessions/session-host'
import { listSnapshots } from './list-snapshots'
import { selectSnapshot, SOURCE_ITERATION, type Selected } from './select-snapshot'
import { evaluateSourceCandidate, sourceCheckpointIteration, type SourceCandidate } from './source-candidate'
import { divideValidation, type SplitParts } from './split-parts'
import { evaluateStage, type StageHooks, type StagePlan } from './stage-evaluation'

export interface StageChoiceInput {
  /** The stage whose snapshots are evaluated (plan.outRoot: <run>/snapshots/<stage>). */
  plan: StagePlan
  /** The source run whose model competes as iteration 0 (null: none competes, e.g. No-DA). */
  sourceRunDir: string | null
  /** Where the source model's point predictions go (<run>/snapshots/source-model). */
  sourceOutRoot: string
  mode: SelectionMode
}

export type StageChoice =
  | { status: 'cancelled' }
  | {
      status: 'done'
      points: SnapshotPoint[]
      picked: Selected
      /** The stage the chosen snapshot belongs to (SOURCE_CANDIDATE_STAGE when the source model is kept). */
      stage: string
      parts: SplitParts
      /** The run uses its source model (iteration 0): no adapted snapshot beat it, or none was kept. */
      keptSource: boolean
      /** What the run page says about it (shared/adaptation-guard.ts), null when an adapted snapshot is used. */
      notice: string | null
      /** The checkpoint that predicts with the choice: a stage folder and one of its snapshot iterations. */
      weights: { stageDir: string; iteration: number }
    }

export async function chooseStageSnapshot(
  i: StageChoiceInput,
  hooks: StageHooks,
  host: SessionHost = workerHost,
): Promise<StageChoice> {
  const { plan } = i
  let sourceDir = i.sourceRunDir
  if (sourceDir) {
    try {
      sourceCheckpointIteration(sourceDir)
    } catch (e) {
      // A source model deleted since (or unreadable) cannot compete; the adapted snapshots still can.
      hooks.onProblem?.({
        file: sourceDir,
        reason: `the source model cannot compete as iteration 0: ${e instanceof Error ? e.message : String(e)}`,
      })
      sourceDir = null
    }
  }
  let source: SourceCandidate | null = null
  if (sourceDir) {
    source = await evaluateSourceCandidate(plan, sourceDir, i.sourceOutRoot, hooks, host)
    if (source.status !== 'done') return { status: 'cancelled' }
  }
  let points: SnapshotPoint[] = []
  // A final stage that never ran (an earlier stage of its chain collapsed) has no snapshot: the source model stands alone.
  if (!source?.point || listSnapshots(plan.stageDir).iterations.length > 0) {
    const ev = await evaluateStage(plan, hooks, host)
    if (ev.status !== 'done') return { status: 'cancelled' }
    points = ev.points
  }
  if (source?.point) points = [source.point, ...points]
  if (points.length === 0) throw new Error('no snapshot could be evaluated (see the job problems)')
  const parts = divideValidation(
    plan.validation.map((v) => ({ id: v.key, group: v.group })),
    plan.seed,
  )
  const picked = selectSnapshot(points, i.mode)
  const keptSource = source?.point != null && picked.iteration === SOURCE_ITERATION
  return {
    status: 'done',
    points,
    picked,
    stage: keptSource ? SOURCE_CANDIDATE_STAGE : plan.stage,
    parts,
    keptSource,
    notice: keptSource ? keptSourceNotice(picked.keptSource ? picked.chosenOn : null) : null,
    weights:
      keptSource && source
        ? { stageDir: source.sourceRunDir, iteration: source.checkpointIteration }
        : { stageDir: plan.stageDir, iteration: picked.iteration },
  }
}

/** The snapshot folders of a run: <runDir>/snapshots/<stage>/ (and <runDir>/snapshots/source-model/). */
export function snapshotsRoot(runDir: string): string {
  return path.join(runDir, 'snapshots')
}
