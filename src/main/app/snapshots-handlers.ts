/**
 * Snapshots of album runs, project side: which stage's snapshots a run selects from, the seeded division
 * of its validation split into selection and report parts, and the re-evaluation of a finished run. A run
 * job evaluates and chooses inside its own worker session (engine/pipelines/run-plan.ts) from the
 * selection plan built here (selectionPlan), and stores the choice as choiceRecord writes it.
 *
 *   snapshotPhase      re-evaluation: every snapshot evaluated in engine workers (engine/snapshots/), the
 *                      choice (last / held-out / oracle; an adaptation run's source model competes as
 *                      iteration 0 and is kept — and said to be — when nothing beats it), and, when the
 *                      chosen snapshot is not the one the run's predictions came from, the album predicted
 *                      again with it and rescored;
 *   runSnapshots       the curve, the choice and the snapshots on disk;
 *   evaluateSnapshots  (re)evaluates a finished run as a job (queue 'run'), optionally with another mode.
 */
import fs from 'node:fs'
import path from 'node:path'
import { isRunMethod, type RunMethod } from '../../shared/runs'
import { STUDIO_METHODS } from '../../shared/methods'
import {
  defaultSelection,
  isSelectionMode,
  SELECTION_MODE_LABELS,
  type RunSnapshots,
  type SelectionMode,
  type SnapshotPoint,
} from '../../shared/snapshots'
import { VOC_CLASSES } from '../../shared/voc'
import { isBackendChoice, parseBackendChoice, type BackendChoice } from '../engine/api'
import { scoreItems, type ScoredItem } from '../engine/api'
import { finalStage, isAdaptiveMethod } from '../engine/api'
import { COSEG_ST_STAGE, cosegStStageDir } from '../engine/api'
import type { UserMetrics } from '../engine/api'
import type { FileProblem } from '../engine/api'
import { listSnapshots } from '../engine/api'
import { predictWithSnapshot, type StagePlan } from '../engine/api'
import { chooseStageSnapshot, snapshotsRoot, type ProjectRunPlan, type RunSelection } from '../engine/api'
import { SOURCE_CANDIDATE_STAGE } from '../../shared/adaptation-guard'
import type { JobContext } from '../jobs/job-queue'
import { parseJson } from '../project/db'
import { ConflictError, InvalidInputError } from '../project/errors'
import { fromRelPath } from '../project/layout'
import { MetricsRepo } from '../project/metrics-repo'
import type { Project } from '../project/project'
import { RunsRepo } from '../project/runs-repo'
import { SnapshotsRepo, type NewChoice } from '../project/snapshots-repo'
import type { HandlerContext, HandlerGroup } from './handler-context'
import { recordAdaptationGuard } from './adaptation-guard-record'

export const SNAPSHOTS_JOB_KIND = 'snapshots'
/** run-jobs.ts's RUN_QUEUE: snapshot evaluation waits for (and never runs beside) training. */
const RUN_QUEUE_NAME = 'run'
const NUM_CLASSES = VOC_CLASSES.length

/** The stage whose snapshots an album run selects from: the source model (No-DA) or the last adaptation stage. */
export function runStage(
  project: Project,
  runId: number,
  method: RunMethod,
  config: Record<string, unknown>,
): { stage: string; dir: string } {
  const runs = new RunsRepo(project.db, project.paths)
  // SegSort labels by k-NN against its memory bank: the source model's snapshots never made its predictions.
  if (method === 'segsort')
    throw new InvalidInputError(
      `run ${runId} is a SegSort run: it predicts by k-NN against its memory bank and has no snapshots to select`,
    )
  // Tag-proposal self-training: its one fine-tuning stage (<run>/adapt/coseg-st/) predicts the album.
  if (method === 'coseg-st') return { stage: COSEG_ST_STAGE, dir: cosegStStageDir(runs.dir(runId)) }
  if (isAdaptiveMethod(method)) {
    const s = finalStage(method, runs.dir(runId))
    return { stage: s.name, dir: s.dir }
  }
  const sourceRunId = config.sourceRunId
  if (typeof sourceRunId !== 'number' || !Number.isInteger(sourceRunId))
    throw new InvalidInputError(`run ${runId} does not record the source model it used`)
  return { stage: 'source', dir: runs.dir(sourceRunId) }
}

/** Groups and seed of the division: the split's own seed, stratified by the clustering the split was drawn over. */
export function divisionOf(
  project: Project,
  splitId: number,
): { seed: number; groups: Map<number, number> | null; text: string } {
  const row = project.db.prepare('SELECT meta FROM splits WHERE id = ?').get(splitId) as
    { meta: string } | undefined
  const meta = parseJson<Record<string, unknown>>(row?.meta ?? '{}', {})
  const seed = typeof meta.seed === 'number' && Number.isInteger(meta.seed) && meta.seed >= 0 ? meta.seed : 0
  let clusteringId = typeof meta.clusteringId === 'number' ? meta.clusteringId : null
  if (
    clusteringId !== null &&
    !project.db.prepare('SELECT 1 FROM clusterings WHERE id = ?').get(clusteringId)
  )
    clusteringId = null
  if (clusteringId === null) {
    const newest = project.db
      .prepare(
        'SELECT max(c.id) AS id FROM clusterings c JOIN splits s ON s.album_id = c.album_id WHERE s.id = ?',
      )
      .get(splitId) as { id: number | null } | undefined
    clusteringId = newest?.id ?? null
  }
  if (clusteringId === null)
    return { seed, groups: null, text: `random half of the images (not clustered), seed ${seed}` }
  const members = project.db
    .prepare('SELECT image_id, cluster FROM cluster_members WHERE clustering_id = ?')
    .all(clusteringId) as { image_id: number; cluster: number }[]
  return {
    seed,
    groups: new Map(members.map((m) => [m.image_id, m.cluster])),
    text: `stratified by clustering #${clusteringId} (half of each cluster), seed ${seed}`,
  }
}

export interface PhaseValidationItem {
  imageId: number
  maskFile: string
}

export interface SnapshotPhaseInput {
  project: Project
  runId: number
  splitId: number
  method: RunMethod
  config: Record<string, unknown>
  backend: BackendChoice
  /** The album in the run's prediction order (name = image id), with groups for a context model. */
  album: { image: string; name: string; group?: number }[]
  batch: number
  validation: PhaseValidationItem[]
  /** The run's prediction folder. */
  predictionsDir: string
  /** The snapshot the run's current predictions come from (null: the stage's last). */
  predictedIteration: number | null
  mode: SelectionMode
  modeReason: string
  signal: AbortSignal
  onProgress(p: { done: number; total: number; message: string }): void
  onProblem(p: FileProblem): void
}

export interface SnapshotPhaseResult {
  status: 'done' | 'cancelled'
  points: SnapshotPoint[]
  choice: NewChoice | null
  /** The album predicted again with the chosen snapshot and rescored (null: the predictions stand). */
  rescored: { metrics: UserMetrics; scored: ScoredItem[] } | null
  /** The run uses its source model (iteration 0): no adapted snapshot beat it, or none was kept. */
  keptSource: boolean
  /** What the run page says about it (shared/adaptation-guard.ts), null when an adapted snapshot is used. */
  notice: string | null
}

/**
 * The source run whose model competes as iteration 0: adaptation runs that start from the source model's
 * checkpoint (the adaptive methods and tag-proposal self-training). No-DA selects among the source model's
 * own snapshots; SegSort has none.
 */
export function hasSourceCandidate(method: RunMethod): boolean {
  const step = STUDIO_METHODS[method].step
  return step === 'adapt' || step === 'coseg-st'
}

function sourceCandidateDir(
  project: Project,
  runId: number,
  method: RunMethod,
  config: Record<string, unknown>,
): string | null {
  if (!hasSourceCandidate(method)) return null
  const sourceRunId = config.sourceRunId
  if (typeof sourceRunId !== 'number' || !Number.isInteger(sourceRunId))
    throw new InvalidInputError(`run ${runId} does not record the source model it started from`)
  return new RunsRepo(project.db, project.paths).dir(sourceRunId)
}

/** The run plan's snapshot selection (the run session evaluates, chooses and predicts once with it). */
export function selectionPlan(
  project: Project,
  i: { runId: number; splitId: number; mode: SelectionMode; validation: PhaseValidationItem[] },
): NonNullable<ProjectRunPlan['selection']> {
  const division = divisionOf(project, i.splitId)
  return {
    mode: i.mode,
    validation: i.validation.map((v) => ({
      key: v.imageId,
      gtFile: v.maskFile,
      group: division.groups?.get(v.imageId) ?? null,
    })),
    seed: division.seed,
    runDir: new RunsRepo(project.db, project.paths).dir(i.runId),
  }
}

/** The stored choice of a run (the mode, why it was used, the division's text) from the engine's selection. */
export function choiceRecord(
  project: Project,
  splitId: number,
  mode: SelectionMode,
  modeReason: string,
  s: Pick<RunSelection, 'picked' | 'stage' | 'partImages'>,
): NewChoice {
  return {
    mode,
    modeReason,
    stage: s.stage,
    iteration: s.picked.iteration,
    chosenOn: s.picked.chosenOn,
    reportOn: s.picked.reportOn,
    oracle: s.picked.oracle,
    partImages: s.partImages,
    division: divisionOf(project, splitId).text,
  }
}

/** Evaluates the run's snapshots, chooses one, and re-predicts the album when the choice is not the current one. */
export async function snapshotPhase(i: SnapshotPhaseInput): Promise<SnapshotPhaseResult> {
  const { stage, dir } = runStage(i.project, i.runId, i.method, i.config)
  const sel = selectionPlan(i.project, i)
  const root = snapshotsRoot(sel.runDir)
  const plan: StagePlan = {
    backend: i.backend,
    stage,
    stageDir: dir,
    album: i.album,
    batch: i.batch,
    validation: sel.validation,
    seed: sel.seed,
    outRoot: path.join(root, stage),
  }
  const hooks = { signal: i.signal, onProgress: i.onProgress, onProblem: i.onProblem }
  const cancelled: SnapshotPhaseResult = {
    status: 'cancelled',
    points: [],
    choice: null,
    rescored: null,
    keptSource: false,
    notice: null,
  }
  const c = await chooseStageSnapshot(
    {
      plan,
      sourceRunDir: sourceCandidateDir(i.project, i.runId, i.method, i.config),
      sourceOutRoot: path.join(root, SOURCE_CANDIDATE_STAGE),
      mode: i.mode,
    },
    hooks,
  )
  if (c.status !== 'done') return cancelled
  const { points, picked, keptSource, notice } = c
  const choice = choiceRecord(i.project, i.splitId, i.mode, i.modeReason, {
    picked,
    stage: c.stage,
    partImages: { selection: c.parts.selection, report: c.parts.report },
  })
  const last = Math.max(...points.map((p) => p.iteration))
  if (picked.iteration === (i.predictedIteration ?? last))
    return { status: 'done', points, choice, rescored: null, keptSource, notice }

  // Predict the album with the chosen snapshot into a fresh folder, swapped in only once complete.
  const fresh = `${i.predictionsDir}.snapshot-${picked.iteration}`
  fs.rmSync(fresh, { recursive: true, force: true })
  i.onProgress({
    done: 0,
    total: i.album.length,
    message: `predicting the album with snapshot ${picked.iteration} (${SELECTION_MODE_LABELS[i.mode]})`,
  })
  const status = await predictWithSnapshot(
    { ...plan, stageDir: c.weights.stageDir },
    c.weights.iteration,
    fresh,
    hooks,
  )
  if (status !== 'done' || i.signal.aborted) {
    fs.rmSync(fresh, { recursive: true, force: true })
    return cancelled
  }
  const old = `${i.predictionsDir}.old`
  fs.rmSync(old, { recursive: true, force: true })
  if (fs.existsSync(i.predictionsDir)) fs.renameSync(i.predictionsDir, old)
  fs.renameSync(fresh, i.predictionsDir)
  fs.rmSync(old, { recursive: true, force: true })
  const { metrics, scored } = scoreItems(
    i.validation.map((v) => ({ key: v.imageId, gtFile: v.maskFile, predName: String(v.imageId) })),
    i.predictionsDir,
    NUM_CLASSES,
    { signal: i.signal, onProblem: i.onProblem, onProgress: () => undefined },
  )
  if (i.signal.aborted) return cancelled
  return { status: 'done', points, choice, rescored: { metrics, scored }, keptSource, notice }
}

/** The selection mode of a run: asked for, else the default for its labelled validation images, with why. */
export function resolveSelection(
  asked: SelectionMode | undefined,
  labelled: number,
): { mode: SelectionMode; reason: string } {
  if (asked === undefined) return defaultSelection(labelled)
  if (asked === 'heldout' && labelled < 2) {
    throw new InvalidInputError(
      `held-out selection needs at least 2 labelled validation images (one to choose, one to report); this split has ${labelled}`,
    )
  }
  return { mode: asked, reason: 'asked for' }
}

function chooseBackend(fallback: string): BackendChoice {
  return (
    parseBackendChoice(process.env.PSS_BACKEND, 'PSS_BACKEND') ??
    (isBackendChoice(fallback) ? fallback : 'wasm')
  )
}

/** The curve, the choice and what is on disk for an album run. */
export function runSnapshots(project: Project, runId: number): RunSnapshots {
  const runs = new RunsRepo(project.db, project.paths)
  const row = runs.row(runId)
  const repo = new SnapshotsRepo(project.db)
  const config = parseJson<Record<string, unknown>>(row.config, {})
  let stage: { stage: string; dir: string } | null = null
  if (row.kind === 'album' && isRunMethod(row.method)) {
    try {
      stage = runStage(project, runId, row.method, config)
    } catch {
      stage = null
    }
  }
  const onDisk = stage ? listSnapshots(stage.dir) : { iterations: [], bytes: 0 }
  const every = config.snapshotEvery
  return {
    runId,
    stage: stage?.stage ?? null,
    every: typeof every === 'number' ? every : null,
    points: repo.points(runId),
    choice: repo.choice(runId),
    onDisk: { count: onDisk.iterations.length, bytes: onDisk.bytes },
  }
}

/** (Re)evaluates a finished album run's snapshots as a job; `select` changes its selection mode. */
export function startSnapshotEvaluation(
  project: Project,
  ctx: Pick<HandlerContext, 'jobs' | 'backend'>,
  args: { runId: number; select?: SelectionMode | undefined },
  queue: string,
): { jobId: number } {
  const runs = new RunsRepo(project.db, project.paths)
  runs.reconcile()
  const row = runs.row(args.runId)
  if (row.kind !== 'album' || !isRunMethod(row.method))
    throw new InvalidInputError(
      `run ${args.runId} is not an album run: only album runs have snapshots to select from`,
    )
  if (row.status !== 'done')
    throw new ConflictError(`run ${args.runId} is ${row.status}; its snapshots are evaluated once it is done`)
  if (row.album_id === null || row.split_id === null)
    throw new InvalidInputError(`run ${args.runId} has lost its album or validation split`)
  const method = row.method
  const albumId = row.album_id
  const splitId = row.split_id
  const masks = runs.masks(args.runId)
  if (masks.length === 0)
    throw new InvalidInputError(
      `run ${args.runId} was never scored: there are no validation masks to evaluate on`,
    )
  const file = project.db.prepare('SELECT file FROM masks WHERE image_id = ? AND version = ?')
  const validation = masks.map((m) => {
    const r = file.get(m.imageId, m.maskVersion) as { file: string } | undefined
    if (!r)
      throw new InvalidInputError(
        `run ${args.runId}: mask version ${m.maskVersion} of image ${m.imageId} no longer exists`,
      )
    return { imageId: m.imageId, maskFile: fromRelPath(project.paths, r.file) }
  })
  const config = parseJson<Record<string, unknown>>(row.config, {})
  const previous = new SnapshotsRepo(project.db).choice(args.runId)
  const stored =
    typeof config.selection === 'string' && isSelectionMode(config.selection) ? config.selection : undefined
  const sel = resolveSelection(args.select ?? previous?.mode ?? stored, validation.length)
  const reason =
    args.select !== undefined ? 'asked for (re-evaluation)' : (previous?.modeReason ?? sel.reason)
  runStage(project, args.runId, method, config) // fails now, not in the job, when the stage is unknown
  const job = ctx.jobs().enqueue(
    {
      kind: SNAPSHOTS_JOB_KIND,
      title: `Evaluate the snapshots of ${runs.displayName(args.runId)} (${SELECTION_MODE_LABELS[sel.mode]})`,
      args: { runId: args.runId, select: sel.mode },
      queue,
    },
    async (job: JobContext) => {
      const backend = chooseBackend((await ctx.backend()).name)
      const images = project.db
        .prepare('SELECT id, cluster FROM images WHERE album_id = ? ORDER BY id')
        .all(albumId) as { id: number; cluster: number | null }[]
      const paths = new Map(
        (
          project.db.prepare('SELECT * FROM images WHERE album_id = ?').all(albumId) as Parameters<
            Project['originalPath']
          >[0][]
        ).map((r) => [r.id, project.originalPath(r)]),
      )
      // As the run job gives them (adaptTargets): the model's context decides whether batches follow groups.
      const album = images.map((r) =>
        r.cluster !== null
          ? { image: paths.get(r.id)!, name: String(r.id), group: r.cluster }
          : { image: paths.get(r.id)!, name: String(r.id) },
      )
      const predictionsDir = path.join(runs.dir(args.runId), 'predictions')
      const r = await snapshotPhase({
        project,
        runId: args.runId,
        splitId,
        method,
        config,
        backend,
        album,
        batch: typeof config.inferBatch === 'number' ? config.inferBatch : 8,
        validation,
        predictionsDir,
        predictedIteration: previous?.iteration ?? null,
        mode: sel.mode,
        modeReason: reason,
        signal: job.signal,
        onProgress: (p) => job.progress(p),
        onProblem: (p) => job.problem(p),
      })
      if (r.status !== 'done' || !r.choice) return { runId: args.runId, status: 'cancelled' }
      const metrics = new MetricsRepo(project.db)
      const byId = new Map(masks.map((m) => [m.imageId, m.maskVersion]))
      project.db.transaction(() => {
        if (r.rescored) storeRescored(metrics, args.runId, albumId, r.rescored, byId)
        new SnapshotsRepo(project.db).store(args.runId, r.points, r.choice)
        if (hasSourceCandidate(method))
          recordAdaptationGuard(runs, args.runId, { keptSource: r.keptSource, notice: r.notice })
      })()
      return {
        runId: args.runId,
        status: 'done',
        mode: r.choice.mode,
        iteration: r.choice.iteration,
        repredicted: r.rescored !== null,
      }
    },
  )
  return { jobId: job.id }
}

/** Stores a rescored evaluation (the album predicted with the chosen snapshot) as the run's metrics. */
export function storeRescored(
  metrics: MetricsRepo,
  runId: number,
  albumId: number,
  r: NonNullable<SnapshotPhaseResult['rescored']>,
  maskVersions: Map<number, number>,
): void {
  metrics.storeEvaluation({
    runId,
    albumId,
    images: r.scored.map((s) => ({ imageId: s.key, maskVersion: maskVersions.get(s.key)!, fiou: s.fiou })),
    fiou: r.metrics.fiou,
    miouAll21: r.metrics.miouAll21,
    miouPresent: r.metrics.miouPresent,
    perClass: r.metrics.perClass,
    perClassPresent: r.metrics.perClassPresent,
    perClassImages: r.metrics.perClassImages,
    confusion: r.metrics.confusion,
  })
}

export function snapshotsHandlers(ctx: HandlerContext): HandlerGroup<'runSnapshots' | 'evaluateSnapshots'> {
  return {
    runSnapshots: (a) => runSnapshots(ctx.project(), a.runId),
    evaluateSnapshots: (a) => startSnapshotEvaluation(ctx.project(), ctx, a, RUN_QUEUE_NAME),
  }
}
