/**
 * Album runs as jobs (kind 'run', queue 'run': one run at a time, and never blocking an import). This is
 * where the project store meets the engine's run plan (engine/pipelines/run-plan.ts, one worker session):
 *
 *   startAlbumRun   checks the album, its validation split and the source dataset at once (bad input fails
 *                   the call, before any job exists), creates the album run row and enqueues the job;
 *   the job         run-album-job.ts;
 *   after a restart resumeInterruptedRuns queues the runs whose job was cut off again.
 */
import { isRunMethod, RUN_DEFAULTS, type RunMethod, type StartedRun } from '../../shared/runs'
import { STUDIO_METHODS } from '../../shared/methods'
import { adaptedStageMethods, isAdaptiveMethod } from '../engine/api'
import { MethodConfigError, parseMethodConfig } from '../engine/api'
import type { ApiParsedArgs, JobRecord } from '../../shared/api'
import { bankDescription } from '../engine/api'
import { InvalidInputError } from '../project/errors'
import { RunsRepo } from '../project/runs-repo'
import { parseJson } from '../project/db'
import type { Project } from '../project/project'
import type { RunEventSink } from './run-events'
import { appVersion } from './app-version'
import { MAX_SNAPSHOTS_PER_STAGE } from '../../shared/snapshots'
import { resolveSelection } from './snapshots-handlers'
import { cosegTrainingRecord, requireCosegTrainingSet } from './coseg-training'
import { pickSource, pickSourceModel, validationItems } from './run-inputs'
import {
  liveRuns,
  runAlbumJob,
  SOURCE_CHECKPOINT_EVERY,
  type AlbumJobSpec,
  type RunJobDeps,
} from './run-album-job'

export { liveRuns, SOURCE_CHECKPOINT_EVERY, type RunJobDeps }

export const RUN_JOB_KIND = 'run'
export const RUN_QUEUE = 'run'

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
  const m = STUDIO_METHODS[args.method]
  // Every method but No-DA trains a step of its own after the source model (adaptation iterations, ndf).
  const trains = m.step !== 'none'
  // An imported source model replaces source training; a method that trains nothing on the source set
  // (No-DA) then needs no labelled source set at all.
  const imported =
    args.sourceModelId !== undefined ? pickSourceModel(project, args.sourceModelId, args.method) : null
  const source =
    imported && !m.sourceSet && args.sourceId === undefined ? null : pickSource(project, args.sourceId)
  // Tag-proposal self-training refuses an album without proposals to train on ("make tag proposals first").
  const coseg = m.step === 'coseg-st' ? requireCosegTrainingSet(project, album, album.splitId) : null
  if (args.segsortBank !== undefined && m.step !== 'segsort') {
    throw new InvalidInputError(`segsortBank applies to SegSort runs only, not to ${args.method}`)
  }
  if (args.methodConfig !== undefined) checkMethodConfig(args.method, args.methodConfig)
  if (trains && (args.size ?? RUN_DEFAULTS.size) < 32) {
    throw new InvalidInputError(
      'the adaptive methods train discriminators on 32×32 maps at least: use a size of 32 or more',
    )
  }
  const training = {
    iterations: args.iterations ?? RUN_DEFAULTS.iterations,
    size: args.size ?? RUN_DEFAULTS.size,
    seed: args.seed ?? RUN_DEFAULTS.seed,
    batch: RUN_DEFAULTS.batch,
    width: RUN_DEFAULTS.width,
    lr: RUN_DEFAULTS.lr,
  }
  const adaptIterations = !trains ? 0 : (args.adaptIterations ?? RUN_DEFAULTS.adaptIterations)
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
    ...(!trains
      ? {}
      : { adaptIterations: args.adaptIterations ?? RUN_DEFAULTS.adaptIterations, ndf: RUN_DEFAULTS.ndf }),
    // SegSort: the memory bank (source segments by default, so the metrics stay held out), stated in the record.
    ...(m.step === 'segsort'
      ? {
          segsortBankMode: args.segsortBank ?? 'source',
          segsortBank: bankDescription(args.segsortBank === 'source+validation'),
        }
      : {}),
    // Tag-proposal self-training: its proposals source and images (updated when the job starts).
    ...(coseg ? { cosegTraining: cosegTrainingRecord(coseg) } : {}),
    ...(source ? { sourceId: source.sourceId, sourceName: source.sourceName, sourceList: source.list } : {}),
    ...(imported
      ? { sourceModel: imported.record, ...(imported.notice ? { sourceModelNotice: imported.notice } : {}) }
      : {}),
    inferBatch: RUN_DEFAULTS.inferBatch,
    scoring: 'original resolution; validation masks = newest human version of each split image',
    selection: selection.mode,
    selectionReason: selection.reason,
    snapshotEvery: args.snapshotEvery ?? null,
    ...(args.methodConfig !== undefined ? { methodConfig: args.methodConfig } : {}),
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

/** Method settings over the defaults: only for the adaptive methods, and valid for each of their stages. */
function checkMethodConfig(method: RunMethod, overrides: Record<string, unknown>): void {
  if (!isAdaptiveMethod(method))
    throw new InvalidInputError(`methodConfig applies to the adaptive methods only, not to ${method}`)
  for (const key of ['kind', 'stage'])
    if (key in overrides)
      throw new InvalidInputError(`methodConfig cannot set "${key}": the method decides its stages`)
  for (const stage of adaptedStageMethods(method, overrides)) {
    try {
      parseMethodConfig(stage)
    } catch (e) {
      if (e instanceof MethodConfigError)
        throw new InvalidInputError(`methodConfig for the ${stage.kind} stage: ${e.issues.join('; ')}`)
      throw e
    }
  }
}

function enqueueAlbumJob(deps: RunJobDeps, spec: AlbumJobSpec, albumName: string, resumed: boolean): number {
  const runs = new RunsRepo(deps.project.db, deps.project.paths)
  const job = deps.jobs.enqueue(
    {
      kind: RUN_JOB_KIND,
      // The run's display name ("No-DA #1", "Personalize #2 — OURS-S2"), as the runs view shows it.
      title: `${resumed ? 'Resume ' : ''}${runs.displayName(spec.runId)} on "${albumName}"`,
      args: { runId: spec.runId, albumId: spec.albumId, method: spec.method, resumed },
      // Farm mode: runs go to the farm's workers side by side; here, one at a time on this machine's cores.
      queue: deps.farm?.() ? `${RUN_QUEUE}:${spec.runId}` : RUN_QUEUE,
    },
    (ctx) => runAlbumJob(deps, ctx, spec),
  )
  runs.setJob(spec.runId, job.id)
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

/**
 * Settles the runs whose job ended without them (`RunsRepo.reconcile`: the studio closed mid-run, a queued
 * run cancelled before it started) and tells the views with an `ended` event each. Called when a project
 * opens and when a run job ends, so reading a run never has to write.
 */
export function settleOrphanRuns(project: Project, emit: RunEventSink): number[] {
  const runs = new RunsRepo(project.db, project.paths)
  const settled = runs.settleOrphans()
  for (const id of settled) {
    const row = runs.row(id)
    emit({ runId: id, albumId: row.album_id, change: 'ended', status: row.status, live: null })
  }
  return settled
}
