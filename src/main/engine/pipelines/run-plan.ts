/**
 * A studio run as one plan of plain data (JSON-serialisable, no closures) and the one body that executes
 * it — in a single engine worker session ('run', sessions/run.ts), whose steps are sessions of the worker's
 * own thread (worker/in-thread-host.ts): no second worker boots, nothing is reloaded between steps.
 *
 *   source model (train, or a reused / imported one)
 *   → the method's adaptation stages (none for No-DA), the album NOT predicted at their end
 *   → evaluate the selecting stage's snapshots on the validation split (+ the source model as iteration 0
 *     where the method starts from it) and choose one by the selection mode
 *   → predict the album ONCE with the chosen checkpoint (group batches for a context model)
 *   → score the validation images (here, in the worker)
 *
 * SegSort predicts by k-NN voting against its memory bank, not with a checkpoint: it has no snapshots, and
 * its own session predicts the album. The app stores the outcome in one transaction.
 */
import * as path from 'node:path'
import { SOURCE_CANDIDATE_STAGE, type StageStop } from '../../../shared/adaptation-guard'
import type { SelectionMode, SnapshotPoint } from '../../../shared/snapshots'
import type { BackendChoice } from '../backend/backend-choice'
import type { UserMetrics } from '../eval/user-metrics'
import type { LossPoint } from '../runs/checkpoint-files'
import { cosegStStageDir, COSEG_ST_STAGE, runCosegSelfTraining } from '../coseg/coseg-self-training'
import type { CosegSelfTrainingOptions } from '../coseg/coseg-self-training'
import { projectSegsortStep, type ProjectSegsortOptions } from '../segsort/project-segsort'
import type { SessionHost } from '../sessions/session-host'
import { withCancel } from '../sessions/session-host'
import { listSnapshots } from '../snapshots/list-snapshots'
import type { Selected } from '../snapshots/select-snapshot'
import { chooseStageSnapshot, snapshotsRoot } from '../snapshots/stage-choice'
import type { StageValidationItem } from '../snapshots/stage-evaluation'
import { makeDirSync } from '../../files/make-dir'
import { finalStage, runAdaptStages, type ProjectAdaptOptions } from './project-adapt'
import {
  readLossCurve,
  scoreItems,
  trainSource,
  writeLossCurve,
  type ChainHooks,
  type PredictStep,
  type ScoredItem,
  type ScoreItem,
  type SourceStep,
} from './project-run'

/** The method's step, as data: which pipeline trains from the source model, with its options. */
export type MethodStep =
  | { kind: 'adapt'; options: ProjectAdaptOptions }
  | { kind: 'segsort'; options: ProjectSegsortOptions }
  | { kind: 'coseg-st'; options: CosegSelfTrainingOptions }

/** How the run chooses the snapshot that predicts the album. */
export interface SelectionPlan {
  mode: SelectionMode
  /** The labelled validation images, with the cluster that stratifies their division (null: none). */
  validation: StageValidationItem[]
  /** Seed of the selection/report division (the split's). */
  seed: number
  /** The album run's folder: snapshot predictions go to <runDir>/snapshots/<stage>/<iteration>/. */
  runDir: string
}

export interface ProjectRunPlan {
  backend: BackendChoice
  /** Classes of the model and the masks (VOC: 21). */
  numClasses: number
  source: SourceStep
  /** null: No-DA (the source model predicts). */
  method: MethodStep | null
  predict: PredictStep
  score: ScoreItem[]
  /** null: SegSort (no snapshots); otherwise every snapshot method selects, 'last' included. */
  selection: SelectionPlan | null
}

/** The snapshot choice of a run, as the app stores it (it adds the mode's reason and the division's text). */
export interface RunSelection {
  points: SnapshotPoint[]
  picked: Selected
  /** The chosen snapshot's stage (SOURCE_CANDIDATE_STAGE when the source model is kept). */
  stage: string
  partImages: { selection: number[]; report: number[] }
  /** The division was stratified by the validation images' clusters. */
  stratified: boolean
  keptSource: boolean
  notice: string | null
}

export interface ProjectRunOutcome {
  status: 'done' | 'cancelled'
  backend: string
  /** Loss history of the source training (empty when a reused source run has none stored). */
  losses: LossPoint[]
  seconds: { source: number | null; adapt: number | null; predict: number | null; score: number | null }
  metrics: UserMetrics | null
  /** The items actually scored, in the order of `metrics.perImage`. */
  scored: ScoredItem[]
  /** Adaptation stages the collapse detector stopped early (empty when none did). */
  stops: StageStop[]
  /** null: SegSort, or a cancelled run. */
  selection: RunSelection | null
  /** Album images predicted (0 when SegSort's own session predicted them). */
  predicted: number
}

const secondsSince = (t: number): number => (performance.now() - t) / 1000

/** The stage whose snapshots the run selects from, and whether the source model competes as iteration 0. */
function selectingStage(plan: ProjectRunPlan): { name: string; dir: string; sourceCompetes: boolean } | null {
  const m = plan.method
  if (m === null) return { name: 'source', dir: plan.source.runDir, sourceCompetes: false }
  switch (m.kind) {
    case 'adapt': {
      const s = finalStage(m.options.method, m.options.runDir)
      return { ...s, sourceCompetes: true }
    }
    case 'coseg-st':
      return { name: COSEG_ST_STAGE, dir: cosegStStageDir(m.options.runDir), sourceCompetes: true }
    case 'segsort':
      return null
    default: {
      const never: never = m
      throw new Error(`unknown method step ${JSON.stringify(never)}`)
    }
  }
}

/** Predicts the album once with one snapshot of a stage folder (a 'snapshots' predict session). */
async function predictAlbum(
  plan: ProjectRunPlan,
  weights: { stageDir: string; iteration: number },
  hooks: ChainHooks,
  host: SessionHost,
): Promise<{ status: 'done' | 'cancelled'; predicted: number }> {
  const { outDir, items, batch } = plan.predict
  makeDirSync(outDir)
  hooks.onProgress({
    phase: 'predict',
    done: 0,
    total: items.length,
    loss: null,
    rate: null,
    etaSeconds: null,
    message: `predicting ${items.length} album images`,
  })
  if (items.length === 0) return { status: 'done', predicted: 0 }
  const t0 = performance.now()
  const handle = host.run(
    'snapshots',
    {
      kind: 'predict',
      backend: plan.backend,
      stageDir: weights.stageDir,
      album: items,
      batch,
      iteration: weights.iteration,
      outDir,
    },
    {
      onStarted: (s) => hooks.onBackend?.(s.backend),
      onProgress: (p) => {
        const elapsed = secondsSince(t0)
        const rate = elapsed > 0 && p.done > 0 ? p.done / elapsed : null
        hooks.onProgress({
          phase: 'predict',
          done: p.done,
          total: p.total,
          loss: null,
          rate,
          etaSeconds: rate ? (p.total - p.done) / rate : null,
          message: `image ${p.done}/${p.total}`,
        })
      },
      onProblem: (p) => hooks.onProblem(p),
    },
  )
  return withCancel(hooks.signal, () => handle.cancel(), handle.result)
}

/** Runs a plan with `host`'s sessions. Throws with a message naming what failed; a cancel returns 'cancelled'. */
export async function runProjectPlan(
  plan: ProjectRunPlan,
  host: SessionHost,
  hooks: ChainHooks,
): Promise<ProjectRunOutcome> {
  const seconds: ProjectRunOutcome['seconds'] = { source: null, adapt: null, predict: null, score: null }
  let backend: string = plan.backend
  const chainHooks: ChainHooks = {
    ...hooks,
    onBackend: (name) => {
      backend = name
      hooks.onBackend?.(name)
    },
  }
  let stops: StageStop[] = []
  const cancelled = (losses: LossPoint[]): ProjectRunOutcome => ({
    status: 'cancelled',
    backend,
    losses,
    seconds,
    metrics: null,
    scored: [],
    stops,
    selection: null,
    predicted: 0,
  })

  // 1. Source model.
  let losses: LossPoint[]
  if (plan.source.train) {
    const t = performance.now()
    const r = await trainSource(plan.source, plan.source.train, plan.backend, chainHooks, host)
    seconds.source = secondsSince(t)
    if (r.status !== 'done') return cancelled(r.losses)
    losses = r.losses
    writeLossCurve(plan.source.runDir, losses)
    hooks.onSourceTrained?.({ losses, seconds: seconds.source, backend: r.backend })
  } else {
    losses = readLossCurve(plan.source.runDir)
  }
  if (hooks.signal.aborted) return cancelled(losses)

  // 2. The method's stages (SegSort's session also predicts the album, by k-NN).
  const sourceRunDir = plan.source.runDir
  let t = performance.now()
  const m = plan.method
  if (m) {
    let status: 'done' | 'cancelled'
    if (m.kind === 'adapt') {
      const r = await runAdaptStages(m.options, sourceRunDir, chainHooks, host)
      stops = r.stops
      status = r.status
    } else if (m.kind === 'coseg-st') {
      status = (await runCosegSelfTraining(m.options, sourceRunDir, chainHooks, host)).status
    } else {
      status = (await projectSegsortStep(m.options, host).run(sourceRunDir, plan.predict, chainHooks)).status
    }
    seconds.adapt = secondsSince(t)
    if (status !== 'done' || hooks.signal.aborted) return cancelled(losses)
  }

  // 3. Choose the snapshot that predicts the album, then 4. predict it once.
  let selection: RunSelection | null = null
  let predicted = 0
  const stage = selectingStage(plan)
  if (stage) {
    let weights: { stageDir: string; iteration: number }
    if (plan.selection) {
      const sel = plan.selection
      const root = snapshotsRoot(sel.runDir)
      const stageHooks = {
        signal: hooks.signal,
        onProblem: hooks.onProblem,
        onProgress: (p: { done: number; total: number; message: string }) =>
          hooks.onProgress({ phase: 'snapshots', loss: null, rate: null, etaSeconds: null, ...p }),
      }
      const c = await chooseStageSnapshot(
        {
          plan: {
            backend: plan.backend,
            stage: stage.name,
            stageDir: stage.dir,
            album: plan.predict.items,
            batch: plan.predict.batch,
            validation: sel.validation,
            seed: sel.seed,
            outRoot: path.join(root, stage.name),
          },
          sourceRunDir: stage.sourceCompetes ? sourceRunDir : null,
          sourceOutRoot: path.join(root, SOURCE_CANDIDATE_STAGE),
          mode: sel.mode,
        },
        stageHooks,
        host,
      )
      if (c.status !== 'done' || hooks.signal.aborted) return cancelled(losses)
      selection = {
        points: c.points,
        picked: c.picked,
        stage: c.stage,
        partImages: { selection: c.parts.selection, report: c.parts.report },
        stratified: c.parts.stratified,
        keptSource: c.keptSource,
        notice: c.notice,
      }
      weights = c.weights
    } else {
      // No selection asked: the stage's final snapshot.
      const kept = listSnapshots(stage.dir).iterations
      if (kept.length === 0) throw new Error(`${stage.dir}: the stage kept no snapshot to predict with`)
      weights = { stageDir: stage.dir, iteration: kept[kept.length - 1]! }
    }
    t = performance.now()
    const p = await predictAlbum(plan, weights, chainHooks, host)
    seconds.predict = secondsSince(t)
    if (p.status !== 'done' || hooks.signal.aborted) return cancelled(losses)
    predicted = p.predicted
  }

  // 5. Score the validation images.
  t = performance.now()
  const { metrics, scored } = scoreItems(plan.score, plan.predict.outDir, plan.numClasses, chainHooks)
  seconds.score = secondsSince(t)
  if (hooks.signal.aborted) return cancelled(losses)
  if (scored.length === 0) {
    throw new Error(
      `none of the ${plan.score.length} validation images could be scored (see the job's problems for each file)`,
    )
  }
  return { status: 'done', backend, losses, seconds, metrics, scored, stops, selection, predicted }
}
