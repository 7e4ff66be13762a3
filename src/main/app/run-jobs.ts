/**
 * Album runs as jobs (kind 'run', queue 'run': one run at a time, and never blocking an import). This is
 * where the project store meets the engine chain (engine/pipelines/project-run.ts):
 *
 *   startAlbumRun   checks the album, its validation split and the source dataset at once (bad input fails
 *                   the call, before any job exists), creates the album run row and enqueues the job;
 *   the job         picks the source model (reusing a finished source run with the same training config
 *                   and the same source masks, else training a new one), runs the chain, and stores the
 *                   metrics, the scored mask versions and the durations in one transaction.
 */
import fs from 'node:fs'
import path from 'node:path'
import { VOC_CLASSES } from '../../shared/voc'
import {
  isRunMethod,
  RUN_DEFAULTS,
  RUN_METHOD_LABELS,
  RUN_PHASE_LABELS,
  type RunLive,
  type RunMethod,
  type StartedRun,
} from '../../shared/runs'
import type { ApiParsedArgs, JobRecord } from '../../shared/api'
import {
  runProjectChain,
  writeLossCurve,
  type ChainProgress,
  type ProjectRunPlan,
  type ScoreItem,
} from '../engine/pipelines/project-run'
import type { FileProblem, LabelledFile } from '../engine/runs/file-dataset'
import type { TargetItem } from '../engine/methods/adapt-config'
import { needsGroups, projectAdaptStep } from '../engine/pipelines/project-adapt'
import { bankDescription, projectSegsortStep } from '../engine/segsort/project-segsort'
import { clusterAndStore } from './cluster-and-store'
import type { JobContext, JobQueue } from '../jobs/job-queue'
import { InvalidInputError, NotFoundError } from '../project/errors'
import { fromRelPath } from '../project/layout'
import { MetricsRepo } from '../project/metrics-repo'
import type { Project } from '../project/project'
import { maskSetFingerprint, RunsRepo, type RunMask } from '../project/runs-repo'
import { parseJson } from '../project/db'
import type { ImageRow } from '../project/images-repo'
import { appVersion } from './app-version'
import { MAX_SNAPSHOTS_PER_STAGE, defaultSnapshotEvery, isSelectionMode } from '../../shared/snapshots'
import { resolveSelection, snapshotPhase } from './snapshots-handlers'
import { SnapshotsRepo } from '../project/snapshots-repo'
import { chooseJobBackend } from './job-backend'
import { cosegRunStep, cosegTrainingRecord, requireCosegTrainingSet } from './coseg-training'

export const RUN_JOB_KIND = 'run'
/** Source training checkpoints this often, so a run interrupted by a restart loses at most this much. */
export const SOURCE_CHECKPOINT_EVERY = 100
export const RUN_QUEUE = 'run'
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
}


interface ValidationItem {
  imageId: number
  name: string
  maskVersion: number
  maskFile: string
}

interface SourcePick {
  sourceId: number
  sourceName: string
  list: 'train' | 'all'
  files: LabelledFile[]
  masks: RunMask[]
}

/** The album's active split members that have a human mask: their newest human mask version. */
function validationItems(project: Project, splitId: number): { items: ValidationItem[]; members: number } {
  const rows = project.db
    .prepare(
      `SELECT sm.image_id AS image_id, i.name AS name,
         (SELECT m.version FROM masks m WHERE m.image_id = sm.image_id AND m.author = 'human' ORDER BY m.version DESC LIMIT 1) AS version,
         (SELECT m.file FROM masks m WHERE m.image_id = sm.image_id AND m.author = 'human' ORDER BY m.version DESC LIMIT 1) AS file
       FROM split_members sm JOIN images i ON i.id = sm.image_id
       WHERE sm.split_id = ? ORDER BY i.name COLLATE NOCASE, i.id`,
    )
    .all(splitId) as { image_id: number; name: string; version: number | null; file: string | null }[]
  const items: ValidationItem[] = []
  for (const r of rows) {
    if (r.version === null || r.file === null) continue
    items.push({ imageId: r.image_id, name: r.name, maskVersion: r.version, maskFile: fromRelPath(project.paths, r.file) })
  }
  return { items, members: rows.length }
}

/** The labelled source set: its `train` list when it has one, else every masked image. */
function pickSource(project: Project, sourceId: number | undefined): SourcePick {
  const sources = project.sources.list()
  let source = sourceId !== undefined ? sources.find((s) => s.id === sourceId) : sources.find((s) => s.maskedCount > 0)
  if (sourceId !== undefined && !source) throw new NotFoundError(`source dataset ${sourceId} does not exist`)
  if (!source) {
    throw new InvalidInputError(
      sources.length === 0
        ? 'this project has no source dataset to train the source model on; import a labelled VOC dataset first'
        : `no source dataset of this project has masks (${sources.map((s) => `"${s.name}"`).join(', ')}); the source model needs labelled images`,
    )
  }
  const listId = project.sources.listId(source.id, 'train')
  const rows = project.db
    .prepare(
      `SELECT i.*, m.file AS mask_file FROM images i JOIN masks m ON m.image_id = i.id AND m.version = i.mask_version
       WHERE i.source_id = ? ${listId !== null ? 'AND i.id IN (SELECT image_id FROM source_list_members WHERE list_id = ?)' : ''}
       ORDER BY i.id`,
    )
    .all(...(listId !== null ? [source.id, listId] : [source.id])) as (ImageRow & { mask_file: string })[]
  if (rows.length === 0) {
    throw new InvalidInputError(
      `source dataset "${source.name}" has no masked image${listId !== null ? ' in its train list' : ''}; the source model needs labelled images`,
    )
  }
  source = source as NonNullable<typeof source>
  return {
    sourceId: source.id,
    sourceName: source.name,
    list: listId !== null ? 'train' : 'all',
    files: rows.map((r) => ({ image: project.originalPath(r), mask: fromRelPath(project.paths, r.mask_file) })),
    masks: rows.map((r) => ({ imageId: r.id, maskVersion: r.mask_version! })),
  }
}


function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

/** Checks the request, creates the album run and enqueues its job. */
export function startAlbumRun(deps: RunJobDeps, args: ApiParsedArgs<'startRun'>): StartedRun {
  const { project } = deps
  const runs = new RunsRepo(project.db, project.paths)
  const album = project.albums.get(args.albumId)
  if (album.splitId === null) {
    throw new InvalidInputError(
      `album "${album.name}" has no validation split; make one (and label its images) before running a method`,
    )
  }
  const { items: validation, members } = validationItems(project, album.splitId)
  if (validation.length === 0) {
    throw new InvalidInputError(
      `album "${album.name}": none of the ${members} validation images has a human mask yet; label some before running a method`,
    )
  }
  const source = pickSource(project, args.sourceId)
  // Tag-proposal self-training refuses an album without proposals to train on ("make tag proposals first").
  const coseg = args.method === 'coseg-st' ? requireCosegTrainingSet(project, album, album.splitId) : null
  if (args.segsortBank !== undefined && args.method !== 'segsort') {
    throw new InvalidInputError(`segsortBank applies to SegSort runs only, not to ${args.method}`)
  }
  if (args.method !== 'noda' && (args.size ?? RUN_DEFAULTS.size) < 32) {
    throw new InvalidInputError('the adaptive methods train discriminators on 32×32 maps at least: use a size of 32 or more')
  }
  const training = {
    iterations: args.iterations ?? RUN_DEFAULTS.iterations,
    size: args.size ?? RUN_DEFAULTS.size,
    seed: args.seed ?? RUN_DEFAULTS.seed,
    batch: RUN_DEFAULTS.batch,
    width: RUN_DEFAULTS.width,
    lr: RUN_DEFAULTS.lr,
  }
  const adaptIterations = args.method === 'noda' ? 0 : (args.adaptIterations ?? RUN_DEFAULTS.adaptIterations)
  const selection = resolveSelection(args.selection, validation.length)
  if (args.snapshotEvery !== undefined) {
    const most = Math.ceil(Math.max(training.iterations, adaptIterations) / args.snapshotEvery)
    if (most > MAX_SNAPSHOTS_PER_STAGE)
      throw new InvalidInputError(
        `a snapshot every ${args.snapshotEvery} iterations keeps ${most} snapshots of a stage; at most ${MAX_SNAPSHOTS_PER_STAGE} are allowed (use ${Math.ceil(Math.max(training.iterations, adaptIterations) / MAX_SNAPSHOTS_PER_STAGE)} or more)`,
      )
  }
  const config: Record<string, unknown> = {
    method: args.method,
    ...training,
    ...(args.method === 'noda'
      ? {}
      : { adaptIterations: args.adaptIterations ?? RUN_DEFAULTS.adaptIterations, ndf: RUN_DEFAULTS.ndf }),
    // SegSort: the memory bank (source segments by default, so the metrics stay held out), stated in the record.
    ...(args.method === 'segsort'
      ? { segsortBankMode: args.segsortBank ?? 'source', segsortBank: bankDescription(args.segsortBank === 'source+validation') }
      : {}),
    // Tag-proposal self-training: its proposals source and images (updated when the job starts).
    ...(coseg ? { cosegTraining: cosegTrainingRecord(coseg) } : {}),
    sourceId: source.sourceId,
    sourceName: source.sourceName,
    sourceList: source.list,
    inferBatch: RUN_DEFAULTS.inferBatch,
    scoring: 'original resolution; validation masks = newest human version of each split image',
    selection: selection.mode,
    selectionReason: selection.reason,
    snapshotEvery: args.snapshotEvery ?? null,
  }
  const runId = runs.create({
    kind: 'album',
    method: args.method,
    albumId: album.id,
    config,
    seed: training.seed,
    backend: null,
    codeVersion: `pss-studio ${appVersion()}`,
    splitId: album.splitId,
    jobId: null,
  })
  const jobId = enqueueAlbumJob(
    deps,
    { runId, albumId: album.id, splitId: album.splitId, method: args.method, training, config },
    album.name,
    false,
  )
  return { jobId, runId }
}

function enqueueAlbumJob(deps: RunJobDeps, spec: AlbumJobSpec, albumName: string, resumed: boolean): number {
  const label = RUN_METHOD_LABELS[spec.method]
  const job = deps.jobs.enqueue(
    {
      kind: RUN_JOB_KIND,
      title: `${resumed ? 'Resume ' : ''}${label} run #${spec.runId} on "${albumName}"`,
      args: { runId: spec.runId, albumId: spec.albumId, method: spec.method, resumed },
      queue: RUN_QUEUE,
    },
    (ctx) => runAlbumJob(deps, ctx, spec),
  )
  new RunsRepo(deps.project.db, deps.project.paths).setJob(spec.runId, job.id)
  return job.id
}

const TRAINING_KEYS = ['iterations', 'size', 'seed', 'batch', 'width', 'lr'] as const

/** The training settings stored in an album run's config, or null when they are not all there. */
function trainingOf(config: Record<string, unknown>): AlbumJobSpec['training'] | null {
  const t: Record<string, number> = {}
  for (const k of TRAINING_KEYS) {
    const v = config[k]
    if (typeof v !== 'number' || !Number.isFinite(v)) return null
    t[k] = v
  }
  if (t.width !== 16 && t.width !== 32) return null
  return t as AlbumJobSpec['training']
}

/**
 * After a restart: album runs whose job was interrupted (the studio closed or crashed while they were
 * queued or running) are queued again under a new job. The source model continues from its latest
 * checkpoint (see runAlbumJob); prediction and scoring start over. Returns the run ids resumed; a run
 * whose record no longer allows it (album or split gone, unknown method) is left for `reconcile`.
 */
export function resumeInterruptedRuns(deps: RunJobDeps, interrupted: readonly JobRecord[]): number[] {
  const runs = new RunsRepo(deps.project.db, deps.project.paths)
  const jobIds = new Set(interrupted.filter((j) => j.kind === RUN_JOB_KIND).map((j) => j.id))
  const resumed: number[] = []
  for (const row of [...runs.list(undefined)].reverse()) {
    if (row.job_id === null || !jobIds.has(row.job_id)) continue
    if (row.kind !== 'album' || (row.status !== 'queued' && row.status !== 'running')) continue
    if (row.album_id === null || row.split_id === null || !isRunMethod(row.method)) continue
    const runId = row.id
    const config = parseJson<Record<string, unknown>>(row.config, {})
    const training = trainingOf(config)
    if (!training) continue
    const spec: AlbumJobSpec = {
      runId,
      albumId: row.album_id,
      splitId: row.split_id,
      method: row.method,
      training,
      config,
    }
    enqueueAlbumJob(deps, spec, row.album_name ?? `album ${row.album_id}`, true)
    resumed.push(runId)
  }
  return resumed
}

interface AlbumJobSpec {
  runId: number
  albumId: number
  splitId: number
  method: RunMethod
  training: { iterations: number; size: number; seed: number; batch: number; width: 16 | 32; lr: number }
  config: Record<string, unknown>
}

async function runAlbumJob(deps: RunJobDeps, ctx: JobContext, spec: AlbumJobSpec): Promise<unknown> {
  const { project } = deps
  const runs = new RunsRepo(project.db, project.paths)
  const metrics = new MetricsRepo(project.db)
  const live = liveRuns(project)
  const { runId } = spec
  runs.markRunning(runId)
  let sourceRunId: number | null = null
  let sourceTraining = false
  let resumeSource = false
  const t0 = performance.now()
  try {
    // Re-read the inputs now: masks may have changed while the job waited in the queue.
    const { items: validation } = validationItems(project, spec.splitId)
    if (validation.length === 0) throw new Error('no validation image has a human mask any more')
    const source = pickSource(project, spec.config.sourceId as number)
    const backend = await chooseJobBackend(deps.backend)
    const sourceConfig = {
      sourceId: source.sourceId,
      sourceList: source.list,
      numClasses: NUM_CLASSES,
      ...spec.training,
      masks: maskSetFingerprint(source.masks),
    }
    const reused = runs.findReusableSource(sourceConfig)
    const resumable = reused ? null : runs.findResumableSource(sourceConfig)
    if (reused) {
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
        config: sourceConfig,
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
    runs.setConfig(runId, { ...spec.config, sourceRunId: sourceId, sourceReused: reused !== null })

    const runDir = runs.dir(runId)
    const predictionsDir = path.join(runDir, 'predictions')
    fs.mkdirSync(predictionsDir, { recursive: true })
    const albumImages = project.db
      .prepare('SELECT * FROM images WHERE album_id = ? ORDER BY id')
      .all(spec.albumId) as ImageRow[]
    let targets: TargetItem[] | null = null
    const score: ScoreItem[] = validation.map((v) => ({ key: v.imageId, gtFile: v.maskFile, predName: String(v.imageId) }))
    const plan: ProjectRunPlan = {
      backend,
      numClasses: NUM_CLASSES,
      source: {
        runDir: runs.dir(sourceId),
        train: sourceTraining
          ? {
              ...spec.training,
              items: source.files,
              numClasses: NUM_CLASSES,
              // Snapshots for selection (No-DA selects among the source model's), at least every 100 for a resume.
              checkpointEvery: sourceCheckpointEvery(spec.config, spec.training.iterations),
              resume: resumeSource,
            }
          : null,
      },
      adapt:
        spec.method === 'noda'
          ? null
          : spec.method === 'coseg-st'
            ? cosegRunStep(project, {
                runId,
                albumId: spec.albumId,
                splitId: spec.splitId,
                runDir,
                sourceRunId: sourceId,
                source: source.files,
                seed: spec.training.seed,
                iterations: numberOf(spec.config.adaptIterations, RUN_DEFAULTS.adaptIterations),
                size: spec.training.size,
                batch: spec.training.batch,
                width: spec.training.width,
                backend,
                numClasses: NUM_CLASSES,
                snapshotEvery: snapshotEveryOf(spec.config, numberOf(spec.config.adaptIterations, RUN_DEFAULTS.adaptIterations)),
              })
          : spec.method === 'segsort'
            ? projectSegsortStep({
                runDir,
                seed: spec.training.seed,
                iterations: numberOf(spec.config.adaptIterations, RUN_DEFAULTS.adaptIterations),
                size: spec.training.size,
                batch: spec.training.batch,
                width: spec.training.width,
                backend,
                numClasses: NUM_CLASSES,
                source: source.files,
                sourceKeys: source.masks.map((m) => String(m.imageId)),
                target: albumImages.map((r) => ({ image: project.originalPath(r), name: String(r.id) })),
                validationBank:
                  spec.config.segsortBankMode === 'source+validation'
                    ? validationBankFiles(project, albumImages, validation)
                    : null,
              })
          : projectAdaptStep({
              method: spec.method,
              runDir,
              seed: spec.training.seed,
              iterations: numberOf(spec.config.adaptIterations, RUN_DEFAULTS.adaptIterations),
              size: spec.training.size,
              batch: spec.training.batch,
              width: spec.training.width,
              ndf: numberOf(spec.config.ndf, RUN_DEFAULTS.ndf),
              backend,
              numClasses: NUM_CLASSES,
              source: source.files,
              target: (targets = await adaptTargets(deps, ctx, spec, albumImages)),
              sourceTraining: { iterations: spec.training.iterations, lr: spec.training.lr },
              snapshotEvery: snapshotEveryOf(spec.config, numberOf(spec.config.adaptIterations, RUN_DEFAULTS.adaptIterations)),
            }),
      predict: {
        outDir: predictionsDir,
        items: albumImages.map((r) => ({ image: project.originalPath(r), name: String(r.id) })),
        batch: RUN_DEFAULTS.inferBatch,
      },
      score,
    }
    const problems: FileProblem[] = []
    const outcome = await runProjectChain(plan, {
      signal: ctx.signal,
      onProgress: (p) => report(ctx, live, runId, p),
      onProblem: (p) => {
        problems.push(p)
        ctx.problem(p)
      },
      onBackend: (name) => {
        runs.setBackend(runId, name)
        if (sourceTraining) runs.setBackend(sourceId, name)
      },
      onSourceTrained: (r) => {
        // Only the masks training could read count as "trained on".
        const bad = new Set(problems.map((p) => p.file))
        const used = source.masks.filter((_, i) => !bad.has(source.files[i]!.mask) && !bad.has(source.files[i]!.image))
        project.db.transaction(() => {
          runs.setMasks(sourceId, used)
          metrics.storeDurations(sourceId, { source: r.seconds, total: r.seconds })
          runs.setBackend(sourceId, r.backend)
          runs.finish(sourceId, 'done', null)
        })()
        sourceTraining = false
      },
    })
    writeLossCurve(runDir, outcome.losses)
    if (outcome.status === 'cancelled') {
      if (sourceTraining) runs.finish(sourceId, 'cancelled', null)
      runs.finish(runId, 'cancelled', null)
      return { runId, status: 'cancelled' }
    }
    // Evaluate every snapshot of the stage that predicts the album and use the one the selection mode picks.
    // SegSort predicts by k-NN against its memory bank, not with a checkpoint: it has no snapshots to select.
    const snap: Awaited<ReturnType<typeof snapshotPhase>> = spec.method === 'segsort' ? { status: 'done', points: [], choice: null, rescored: null } : await snapshotPhase({
      project,
      runId,
      splitId: spec.splitId,
      method: spec.method,
      config: runs.config(runId),
      backend,
      album: targets ?? plan.predict.items,
      batch: plan.predict.batch,
      validation,
      predictionsDir,
      predictedIteration: null,
      mode: selectionOf(spec.config),
      modeReason: typeof spec.config.selectionReason === 'string' ? spec.config.selectionReason : 'asked for',
      signal: ctx.signal,
      onProgress: (p) =>
        report(ctx, live, runId, { phase: 'snapshots', done: p.done, total: p.total, loss: null, rate: null, etaSeconds: null, message: p.message }),
      onProblem: (p) => ctx.problem(p),
    })
    if (snap.status === 'cancelled' || (!snap.choice && spec.method !== 'segsort')) {
      runs.finish(runId, 'cancelled', null)
      return { runId, status: 'cancelled' }
    }
    const m = snap.rescored?.metrics ?? outcome.metrics!
    const scoredItems = snap.rescored?.scored ?? outcome.scored
    const byKey = new Map(validation.map((v) => [v.imageId, v]))
    live.set(runId, { phase: 'store', done: 0, total: 1, loss: null, etaSeconds: null, message: RUN_PHASE_LABELS.store })
    project.db.transaction(() => {
      metrics.storeEvaluation({
        runId,
        albumId: spec.albumId,
        images: scoredItems.map((s) => ({ imageId: s.key, maskVersion: byKey.get(s.key)!.maskVersion, fiou: s.fiou })),
        fiou: m.fiou,
        miouAll21: m.miouAll21,
        miouPresent: m.miouPresent,
        perClass: m.perClass,
        perClassPresent: m.perClassPresent,
        perClassImages: m.perClassImages,
        confusion: m.confusion,
      })
      if (snap.choice) new SnapshotsRepo(project.db).store(runId, snap.points, snap.choice)
      metrics.storeDurations(runId, { ...outcome.seconds, total: (performance.now() - t0) / 1000 })
      runs.setBackend(runId, outcome.backend)
      runs.finish(runId, 'done', null)
    })()
    return {
      runId,
      status: 'done',
      sourceRunId: sourceId,
      images: scoredItems.length,
      snapshot: snap.choice ? { mode: snap.choice.mode, iteration: snap.choice.iteration, stage: snap.choice.stage } : null,
      fiou: m.fiou,
      miouAll21: m.miouAll21,
      miouPresent: Number.isNaN(m.miouPresent) ? null : m.miouPresent,
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
  }
}

/** The album's validation images as SegSort memory-bank files (their newest human masks). */
function validationBankFiles(project: Project, images: ImageRow[], validation: ValidationItem[]): { image: string; mask: string; key: string }[] {
  const byId = new Map(images.map((r) => [r.id, r]))
  return validation.flatMap((v) => {
    const row = byId.get(v.imageId)
    return row ? [{ image: project.originalPath(row), mask: v.maskFile, key: String(v.imageId) }] : []
  })
}

function report(ctx: JobContext, live: Map<number, RunLive>, runId: number, p: ChainProgress): void {
  const label = RUN_PHASE_LABELS[p.phase]
  live.set(runId, { phase: p.phase, done: p.done, total: p.total, loss: p.loss, etaSeconds: p.etaSeconds, message: p.message })
  ctx.progress({
    done: p.done,
    total: p.total,
    rate: p.rate,
    etaSeconds: p.etaSeconds,
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
  for (let k = 1; k <= Math.min(want, SOURCE_CHECKPOINT_EVERY); k++) if (SOURCE_CHECKPOINT_EVERY % k === 0) every = k
  return every
}

/** The run's selection mode (runs started before snapshots existed: the final weights). */
function selectionOf(config: Record<string, unknown>): 'heldout' | 'oracle' | 'last' {
  const v = config.selection
  return typeof v === 'string' && isSelectionMode(v) ? v : 'last'
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
  if (spec.method !== 'noda' && spec.method !== 'segsort' && spec.method !== 'coseg-st' && needsGroups(spec.method) && images.every((r) => r.cluster === null)) {
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
      (meta) => `k-means color K=${meta.k} seed ${meta.seed} (for run #${spec.runId})`,
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
