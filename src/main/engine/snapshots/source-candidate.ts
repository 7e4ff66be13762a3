/**
 * The source model as iteration 0 of an adaptation run's snapshot curve (issue 13 item 7): the No-DA
 * checkpoint the adapted chain started from is evaluated on the same validation parts as the adapted
 * snapshots (same division, same album batches — a model without group context batches the album as the
 * No-DA run's prediction does), so it competes in the selection and the run can keep it. Store-free and
 * tfjs-free: the work runs in a session of the given host through evaluateStage.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { SOURCE_CANDIDATE_STAGE } from '../../../shared/adaptation-guard'
import type { SnapshotPoint } from '../../../shared/snapshots'
import { latestCheckpoint } from '../runs/checkpoint-files'
import { snapshotDirName } from './list-snapshots'
import { SOURCE_ITERATION } from './select-snapshot'
import { evaluateStage, type StageHooks, type StagePlan } from './stage-evaluation'
import { workerHost, type SessionHost } from '../sessions/session-host'

export interface SourceCandidate {
  status: 'done' | 'cancelled'
  /** The source model's point, as iteration 0 of stage 'source' (null when cancelled or nothing scored). */
  point: SnapshotPoint | null
  /** The source run's own checkpoint iteration the point was evaluated at (what predicts with it). */
  checkpointIteration: number
  sourceRunDir: string
}

/** The source run's latest checkpoint iteration: the weights the adapted chain started from. */
export function sourceCheckpointIteration(sourceRunDir: string): number {
  const ck = latestCheckpoint(sourceRunDir)
  if (!ck) throw new Error(`${sourceRunDir}: the source model has no checkpoint to evaluate as iteration 0`)
  return ck.state.iteration
}

/** Evaluates the source model on `plan`'s validation parts (plan.stageDir is the adapted stage; it is replaced). */
export async function evaluateSourceCandidate(
  plan: StagePlan,
  sourceRunDir: string,
  outRoot: string,
  hooks: StageHooks,
  host: SessionHost = workerHost,
): Promise<SourceCandidate> {
  const checkpointIteration = sourceCheckpointIteration(sourceRunDir)
  const ev = await evaluateStage(
    {
      ...plan,
      stage: SOURCE_CANDIDATE_STAGE,
      stageDir: sourceRunDir,
      outRoot,
      iterations: [checkpointIteration],
    },
    hooks,
    host,
  )
  const p = ev.status === 'done' ? ev.points[0] : undefined
  // Its prediction files sit where iteration 0's belong (<outRoot>/000000), like every other point's.
  const from = path.join(outRoot, snapshotDirName(checkpointIteration))
  const to = path.join(outRoot, snapshotDirName(SOURCE_ITERATION))
  if (p && from !== to && fs.existsSync(from)) {
    fs.rmSync(to, { recursive: true, force: true })
    fs.renameSync(from, to)
  }
  return {
    status: ev.status,
    point: p ? { stage: SOURCE_CANDIDATE_STAGE, iteration: SOURCE_ITERATION, parts: p.parts } : null,
    checkpointIteration,
    sourceRunDir,
  }
}
