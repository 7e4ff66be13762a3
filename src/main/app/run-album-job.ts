/**
 * The body of an album run's job: picks the source model (reusing a finished source run with the same
 * training config and source masks, else training a new one, resuming from its checkpoint after a
 * restart; or an imported .pth), clusters an unclustered album first when the method needs groups, builds
 * the run plan (plain data: engine/pipelines/run-plan.ts) and runs it as ONE engine worker session
 * ('run'): source training, the method's stages, snapshot evaluation and choice, one album prediction with
 * the chosen checkpoint and the scoring all happen in that worker. The job then stores the metrics, the
 * scored mask versions, the snapshot points and choice, the adaptation guard's record and the durations in
 * one transaction.
 */
import path from 'node:path'
import { VOC_CLASSES } from '../../shared/voc'
import {
  RUN_DEFAULTS,
  RUN_PHASE_LABELS,
  type RunLive,
  type RunMethod,
  type RunStatus,
} from '../../shared/runs'
import {
  writeLossCurve,
  type ChainProgress,
  type MethodStep,
  type ProjectRunPlan,
  type ScoreItem,
} from '../engine/api'
import type { FileProblem } from '../engine/api'
import type { TargetItem } from '../engine/api'
import { isAdaptiveMethod } from '../engine/api'
import { STUDIO_METHODS } from '../../shared/methods'
import { clusterAndStore } from './cluster-and-store'
import type { JobContext, JobQueue } from '../jobs/job-queue'
import { MetricsRepo } from '../project/metrics-repo'
import type { Project } from '../project/project'
import { maskSetFingerprint, RunsRepo } from '../project/runs-repo'
import type { ImageRow } from '../project/images-repo'
import { appVersion } from './app-version'
import { defaultSnapshotEvery, isSelectionMode } from '../../shared/snapshots'
import { choiceRecord, hasSourceCandidate, selectionPlan } from './snapshots-handlers'
import { recordAdaptationGuard } from './adaptation-guard-record'
import { SnapshotsRepo } from '../project/snapshots-repo'
import { chooseJobBackend } from './job-backend'
import { cosegRunStep } from './coseg-training'
import {
  validationItems,
  pickSource,
  pickSourceModel,
  sourceModelOf,
  type SourceModelPick,
  type ValidationItem,
} from './run-inputs'
import { writePthSourceRun } from '../engine/api'
import { makeDirSync } from '../files/make-dir'
import { ChainEta } from '../jobs/chain-eta'
import { RunEvents, type RunEventSink } from './run-events'
import type { FarmClient } from './farm/farm-client'
import { executeRunPlan } from './farm/run-executor'

/** Source training checkpoints this often, so a run interrupted by a restart loses at most this much. */
export const SOURCE_CHECKPOINT_EVERY = 100
const NUM_CLASSES = VOC_CLASSES.length

/** Live progress of running runs, per open project (gone when the run ends). */
const liveByProject = new WeakMap<Project, Map<number, RunLive>>()

export function liveRuns(project: Project): Map<number, RunLive> {
  let m = liveByProject.get(project)
  if (!m) liveByProject.set(project, (m = new Map()))
  return m
}

export interface RunJobDeps {
  project: Project
  jobs: JobQueue
  /** The backend the engine would pick here (the studio's probe); used unless PSS_BACKEND forces one. */
  backend: () => Promise<string>
  /** Where the run's `run` events go (the studio's event bus). */
  emit: RunEventSink
  /** Farm mode: the farm the run's plan goes to; absent or null = this machine's engine. */
  farm?: () => FarmClient | null
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

export interface AlbumJobSpec {
  runId: number
  albumId: number
  splitId: number
  method: RunMethod
  training: { iterations: number; size: number; seed: number; batch: number; width: 16 | 32; lr: number }
  config: Record<string, unknown>
}

export async function runAlbumJob(deps: RunJobDeps, ctx: JobContext, spec: AlbumJobSpec): Promise<unknown> {
  const { project } = deps
  const runs = new RunsRepo(project.db, project.paths)
  const metrics = new MetricsRepo(project.db)
  const live = liveRuns(project)
  const { runId } = spec
  const events = new RunEvents(deps.emit, runId, spec.albumId)
  runs.markRunning(runId)
  events.started()
  let sourceRunId: number | null = null
  let sourceTraining = false
  let resumeSource = false
  const t0 = performance.now()
  try {
    // Re-read the inputs now: masks may have changed while the job waited in the queue.
    const { items: validation } = validationItems(project, spec.splitId)
    if (validation.length === 0) throw new Error('no validation image has a human mask any more')
    const asked = sourceModelOf(spec.config)
    // Checked again now: the model may have been removed since the run was queued.
    const imported = asked ? pickSourceModel(project, asked.id, spec.method) : null
    if (imported && asked && imported.record.sha256 !== asked.sha256) {
      throw new Error(
        `source model #${asked.id} is no longer the checkpoint this run was started with (sha256 ${asked.sha256.slice(0, 12)}…)`,
      )
    }
    // A method that trains nothing on the source set (No-DA), from an imported model, needs no labelled source set.
    const source =
      imported && !STUDIO_METHODS[spec.method].sourceSet && spec.config.sourceId === undefined
        ? null
        : pickSource(project, spec.config.sourceId as number | undefined)
    const sourceFiles = source?.files ?? []
    const backend = await chooseJobBackend(deps.backend)
    const sourceConfig = source
      ? {
          sourceId: source.sourceId,
          sourceList: source.list,
          numClasses: NUM_CLASSES,
          ...spec.training,
          masks: maskSetFingerprint(source.masks),
        }
      : null
    // The imported model's source run, or a trained one (reused, resumed or new) for this training config.
    const importedRun = imported ? importedSourceRun(runs, imported, spec, ctx.jobId) : null
    const reused = sourceConfig && !importedRun ? runs.findReusableSource(sourceConfig) : null
    const resumable = sourceConfig && !reused ? runs.findResumableSource(sourceConfig) : null
    if (importedRun) {
      sourceRunId = importedRun.id
    } else if (reused) {
      sourceRunId = reused.id
    } else if (resumable) {
      // An interrupted source training with this config: continue it from its latest checkpoint.
      sourceRunId = resumable.id
      runs.reopen(sourceRunId, ctx.jobId)
      sourceTraining = true
      resumeSource = true
    } else {
      sourceRunId = runs.create({
        kind: 'source',
        method: 'source',
        albumId: null,
        config: sourceConfig!,
        seed: spec.training.seed,
        backend: null,
        codeVersion: `pss-studio ${appVersion()}`,
        splitId: null,
        jobId: ctx.jobId,
      })
      runs.markRunning(sourceRunId)
      sourceTraining = true
    }
    const sourceId = sourceRunId
    runs.setConfig(runId, {
      ...spec.config,
      sourceRunId: sourceId,
      sourceReused: importedRun ? importedRun.reused : reused !== null,
    })

    const runDir = runs.dir(runId)
    const predictionsDir = path.join(runDir, 'predictions')
    makeDirSync(predictionsDir)
    const albumImages = project.db
      .prepare('SELECT * FROM images WHERE album_id = ? ORDER BY id')
      .all(spec.albumId) as ImageRow[]
    const score: ScoreItem[] = validation.map((v) => ({
      key: v.imageId,
      gtFile: v.maskFile,
      predName: String(v.imageId),
    }))
    const adaptIterations = numberOf(spec.config.adaptIterations, RUN_DEFAULTS.adaptIterations)
    const albumItems = albumImages.map((r) => ({ image: project.originalPath(r), name: String(r.id) }))
    // The method's step as data; an adaptive method predicts (and selects among snapshots) with the album's groups.
    let predictItems: ProjectRunPlan['predict']['items'] = albumItems
    let method: MethodStep | null = null
    const step = STUDIO_METHODS[spec.method].step
    if (step === 'coseg-st') {
      method = {
        kind: 'coseg-st',
        options: cosegRunStep(project, {
          runId,
          albumId: spec.albumId,
          splitId: spec.splitId,
          runDir,
          sourceRunId: sourceId,
          source: sourceFiles,
          seed: spec.training.seed,
          iterations: adaptIterations,
          size: spec.training.size,
          batch: spec.training.batch,
          width: spec.training.width,
          backend,
          numClasses: NUM_CLASSES,
          snapshotEvery: snapshotEveryOf(spec.config, adaptIterations),
        }),
      }
    } else if (step === 'segsort') {
      method = {
        kind: 'segsort',
        options: {
          runDir,
          seed: spec.training.seed,
          iterations: adaptIterations,
          size: spec.training.size,
          batch: spec.training.batch,
          width: spec.training.width,
          backend,
          numClasses: NUM_CLASSES,
          source: sourceFiles,
          sourceKeys: (source?.masks ?? []).map((m) => String(m.imageId)),
          target: albumItems,
          validationBank:
            spec.config.segsortBankMode === 'source+validation'
              ? validationBankFiles(project, albumImages, validation)
              : null,
        },
      }
    } else if (isAdaptiveMethod(spec.method)) {
      const targets = await adaptTargets(deps, ctx, spec, albumImages)
      predictItems = targets
      method = {
        kind: 'adapt',
        options: {
          method: spec.method,
          runDir,
          seed: spec.training.seed,
          iterations: adaptIterations,
          size: spec.training.size,
          batch: spec.training.batch,
          width: spec.training.width,
          ndf: numberOf(spec.config.ndf, RUN_DEFAULTS.ndf),
          backend,
          numClasses: NUM_CLASSES,
          source: sourceFiles,
          target: targets,
          snapshotEvery: snapshotEveryOf(spec.config, adaptIterations),
          // A studio run stops a collapsing stage and selects among its snapshots, the source model included.
          collapseGuard: true,
          ...(isRecord(spec.config.methodConfig) ? { methodConfig: spec.config.methodConfig } : {}),
        },
      }
    }
    const mode = selectionOf(spec.config)
    const modeReason =
      typeof spec.config.selectionReason === 'string' ? spec.config.selectionReason : 'asked for'
    const plan: ProjectRunPlan = {
      backend,
      numClasses: NUM_CLASSES,
      source: {
        runDir: runs.dir(sourceId),
        train: sourceTraining
          ? {
              ...spec.training,
              items: sourceFiles,
              numClasses: NUM_CLASSES,
              // Snapshots for selection (No-DA selects among the source model's), at least every 100 for a resume.
              checkpointEvery: sourceCheckpointEvery(spec.config, spec.training.iterations),
              resume: resumeSource,
            }
          : null,
      },
      method,
      predict: { outDir: predictionsDir, items: predictItems, batch: RUN_DEFAULTS.inferBatch },
      score,
      // SegSort predicts by k-NN against its memory bank, not with a checkpoint: it has no snapshots to select.
      selection:
        step === 'segsort'
          ? null
          : selectionPlan(project, { runId, splitId: spec.splitId, mode, validation }),
    }
    // One ETA for the whole chain: every phase is planned here (adaptation reports its real stage total).
    const eta = new ChainEta([
      { phase: 'source', kind: 'train', steps: plan.source.train ? plan.source.train.iterations : 0 },
      { phase: 'adapt', kind: 'train', steps: method ? adaptIterations : 0 },
      { phase: 'predict', kind: 'images', steps: plan.predict.items.length },
      { phase: 'score', kind: 'images', steps: plan.score.length },
    ])
    const problems: FileProblem[] = []
    // The whole run in one engine worker (here, or a farm worker's): source, stages, snapshots, one album
    // prediction, scoring.
    const executed = await executeRunPlan(
      deps.farm?.() ?? null,
      project,
      runId,
      plan,
      {
        onProgress: (p) => report(ctx, live, events, runId, p, eta),
        onProblem: (p) => {
          problems.push(p)
          ctx.problem(p)
        },
        onBackend: ({ name }) => {
          runs.setBackend(runId, name)
          if (sourceTraining) runs.setBackend(sourceId, name)
        },
        onSourceTrained: (r) => {
          // Only the masks training could read count as "trained on".
          const bad = new Set(problems.map((p) => p.file))
          const used = (source?.masks ?? []).filter(
            (_, i) => !bad.has(sourceFiles[i]!.mask) && !bad.has(sourceFiles[i]!.image),
          )
          project.db.transaction(() => {
            runs.setMasks(sourceId, used)
            metrics.storeDurations(sourceId, { source: r.seconds, total: r.seconds })
            runs.setBackend(sourceId, r.backend)
            runs.finish(sourceId, 'done', null)
          })()
          sourceTraining = false
        },
      },
      ctx.signal,
    )
    const outcome = executed.outcome
    writeLossCurve(runDir, outcome.losses)
    if (outcome.status === 'cancelled') {
      if (sourceTraining) runs.finish(sourceId, 'cancelled', null)
      runs.finish(runId, 'cancelled', null)
      return { runId, status: 'cancelled' }
    }
    const snap = outcome.selection
    if (!snap && plan.selection) throw new Error('the run session returned no snapshot choice')
    const choice = snap ? choiceRecord(project, spec.splitId, mode, modeReason, snap) : null
    const m = outcome.metrics!
    const scoredItems = outcome.scored
    const byKey = new Map(validation.map((v) => [v.imageId, v]))
    const storing: RunLive = {
      phase: 'store',
      done: 0,
      total: 1,
      loss: null,
      etaSeconds: null,
      message: RUN_PHASE_LABELS.store,
    }
    live.set(runId, storing)
    events.progress(storing)
    project.db.transaction(() => {
      // Stored once: a run already done (its outcome ingested by an earlier attempt) is left as it is.
      if (runs.row(runId).status === 'done') return
      // Farm mode: which worker ran it, on which attempt, and whether it resumed (no credentials).
      if (executed.farm) runs.setConfig(runId, { ...runs.config(runId), farm: executed.farm })
      metrics.storeEvaluation({
        runId,
        albumId: spec.albumId,
        images: scoredItems.map((s) => ({
          imageId: s.key,
          maskVersion: byKey.get(s.key)!.maskVersion,
          fiou: s.fiou,
        })),
        fiou: m.fiou,
        miouAll21: m.miouAll21,
        miouPresent: m.miouPresent,
        perClass: m.perClass,
        perClassPresent: m.perClassPresent,
        perClassImages: m.perClassImages,
        confusion: m.confusion,
      })
      if (snap && choice) new SnapshotsRepo(project.db).store(runId, snap.points, choice)
      if (hasSourceCandidate(spec.method))
        recordAdaptationGuard(runs, runId, {
          keptSource: snap?.keptSource ?? false,
          notice: snap?.notice ?? null,
          stops: outcome.stops,
        })
      metrics.storeDurations(runId, { ...outcome.seconds, total: (performance.now() - t0) / 1000 })
      runs.setBackend(runId, outcome.backend)
      runs.finish(runId, 'done', null)
    })()
    return {
      runId,
      status: 'done',
      sourceRunId: sourceId,
      images: scoredItems.length,
      snapshot: choice ? { mode: choice.mode, iteration: choice.iteration, stage: choice.stage } : null,
      fiou: m.fiou,
      miouAll21: m.miouAll21,
      miouPresent: Number.isNaN(m.miouPresent) ? null : m.miouPresent,
      keptSource: snap?.keptSource ?? false,
      notice: snap?.notice ?? null,
      stops: outcome.stops.map((st) => st.message),
    }
  } catch (e) {
    const why = message(e)
    if (ctx.signal.aborted) {
      if (sourceTraining && sourceRunId !== null) runs.finish(sourceRunId, 'cancelled', null)
      runs.finish(runId, 'cancelled', null)
    } else {
      if (sourceTraining && sourceRunId !== null) runs.finish(sourceRunId, 'failed', why)
      runs.finish(runId, 'failed', why)
    }
    throw e
  } finally {
    live.delete(runId)
    events.ended(finalStatus(runs, runId))
  }
}

/** The run's status as stored once its job body ends; 'failed' when its row is gone (deleted meanwhile). */
function finalStatus(runs: RunsRepo, runId: number): RunStatus {
  try {
    return runs.row(runId).status
  } catch {
    return 'failed'
  }
}

/**
 * The source run of an imported model (a pth-source folder: its .pth is its checkpoint), one per model and
 * input size, reused by every later run that starts from that model at that size. The folder is written at
 * each start, so it points at the project's copy of the .pth where the project is now.
 */
function importedSourceRun(
  runs: RunsRepo,
  m: SourceModelPick,
  spec: AlbumJobSpec,
  jobId: number,
): { id: number; reused: boolean } {
  const size = spec.training.size
  const config = { sourceModel: m.record, size, numClasses: NUM_CLASSES }
  const found = runs.findReusableSource(config)
  const id =
    found?.id ??
    runs.create({
      kind: 'source',
      method: 'source',
      albumId: null,
      config,
      seed: null,
      backend: null,
      codeVersion: `pss-studio ${appVersion()}`,
      splitId: null,
      jobId,
    })
  writePthSourceRun(runs.dir(id), {
    source: { kind: 'pth', file: m.file, arch: m.arch, sha256: m.record.sha256, aux: m.aux },
    name: m.record.name,
    size,
    numClasses: NUM_CLASSES,
  })
  if (!found) runs.finish(id, 'done', null)
  return { id, reused: found !== null }
}

/** The album's validation images as SegSort memory-bank files (their newest human masks). */
function validationBankFiles(
  project: Project,
  images: ImageRow[],
  validation: ValidationItem[],
): { image: string; mask: string; key: string }[] {
  const byId = new Map(images.map((r) => [r.id, r]))
  return validation.flatMap((v) => {
    const row = byId.get(v.imageId)
    return row ? [{ image: project.originalPath(row), mask: v.maskFile, key: String(v.imageId) }] : []
  })
}

/**
 * One progress report, for the run page (live) and the job (jobs panel) alike: the same numbers, the ETA
 * of the whole chain, and the rate's unit (training counts steps, the other phases images).
 */
function report(
  ctx: JobContext,
  live: Map<number, RunLive>,
  events: RunEvents,
  runId: number,
  p: ChainProgress,
  eta: ChainEta,
): void {
  const label = RUN_PHASE_LABELS[p.phase]
  // A phase without a rate (loading the album's images before training) keeps the planned total.
  const left = eta.update(p.phase, p.done, p.rate !== null ? p.total : 0, p.rate) ?? p.etaSeconds
  const unit = eta.kindOf(p.phase) === 'train' ? 'steps' : 'images'
  const now: RunLive = {
    phase: p.phase,
    done: p.done,
    total: p.total,
    loss: p.loss,
    rate: p.rate,
    unit,
    etaSeconds: left,
    message: p.message,
  }
  live.set(runId, now)
  events.progress(now)
  ctx.progress({
    done: p.done,
    total: p.total,
    rate: p.rate,
    unit,
    etaSeconds: left,
    message: `${label} · ${p.message}`,
  })
}

/** The run's snapshot interval for a stage of `iterations`: asked for, else ⌈iterations/10⌉. */
function snapshotEveryOf(config: Record<string, unknown>, iterations: number): number {
  const v = config.snapshotEvery
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 ? v : defaultSnapshotEvery(iterations)
}

/**
 * The source training's checkpoint interval: the asked snapshot interval (at most SOURCE_CHECKPOINT_EVERY),
 * else the largest divisor of SOURCE_CHECKPOINT_EVERY not above ⌈iterations/10⌉ — every 100th iteration
 * stays a checkpoint for a resume, and a No-DA run still gets about ten snapshots to select from.
 */
function sourceCheckpointEvery(config: Record<string, unknown>, iterations: number): number {
  const v = config.snapshotEvery
  if (typeof v === 'number' && Number.isInteger(v) && v >= 1) return Math.min(SOURCE_CHECKPOINT_EVERY, v)
  const want = defaultSnapshotEvery(iterations)
  let every = 1
  for (let k = 1; k <= Math.min(want, SOURCE_CHECKPOINT_EVERY); k++)
    if (SOURCE_CHECKPOINT_EVERY % k === 0) every = k
  return every
}

/** The run's selection mode (runs started before snapshots existed: the final weights). */
function selectionOf(config: Record<string, unknown>): 'heldout' | 'oracle' | 'last' {
  const v = config.selection
  return typeof v === 'string' && isSelectionMode(v) ? v : 'last'
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function numberOf(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback
}

/**
 * The album's images as adaptation targets (name = the prediction stem, the image id), each with its
 * group from the album's newest clustering. A method with the group context needs groups: an album that
 * was never clustered is clustered here first (colour features, K = N/8, seeded), and the clustering is
 * stored like any other — the one-click chain is cluster → source → stage 1 → stage 2 → predict → score.
 */
async function adaptTargets(
  deps: RunJobDeps,
  ctx: JobContext,
  spec: AlbumJobSpec,
  images: ImageRow[],
): Promise<TargetItem[]> {
  const { project } = deps
  let groups = new Map(images.map((r) => [r.id, r.cluster]))
  if (STUDIO_METHODS[spec.method].groupContext && images.every((r) => r.cluster === null)) {
    const stored = await clusterAndStore(
      project,
      spec.albumId,
      {
        images: images.map((r) => ({ id: r.id, path: project.originalPath(r) })),
        k: 'default',
        features: 'color',
        seed: spec.training.seed,
      },
      ctx,
      (meta) =>
        `k-means color K=${meta.k} seed ${meta.seed} (for ${new RunsRepo(project.db, project.paths).displayName(spec.runId)})`,
    )
    if (!stored) throw new Error('clustering the album was cancelled')
    groups = stored.assignments
  }
  return images.map((r) => {
    const g = groups.get(r.id)
    return g === null || g === undefined
      ? { image: project.originalPath(r), name: String(r.id) }
      : { image: project.originalPath(r), name: String(r.id), group: g }
  })
}
