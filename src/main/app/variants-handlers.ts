/**
 * Prediction variants of a done album run (issue 7: TTA and the dense CRF from the studio):
 *
 *   predictVariant  checks the run at once (a done album run, not SegSort, its model snapshot and its
 *                   scored masks still there; bad input fails the call before any job exists) and enqueues
 *                   a job (queue 'run') that predicts the album again in the inference worker with the
 *                   run's model — the same stage and snapshot its predictions came from, the same batches
 *                   (one album group per batch for a group-context model) — and TTA, the CRF or both,
 *                   scores the run's validation images against the run's mask versions (run_masks) with the
 *                   run's scoring code, and stores predictions + variant.json in runs/<id>/variants/<v>/;
 *   listVariants    the variants of a run or of every run of an album: done ones (their files) and those
 *                   being made (jobs of this session).
 */
import fs from 'node:fs'
import path from 'node:path'
import { isRunMethod, RUN_DEFAULTS, RUN_METHOD_LABELS } from '../../shared/runs'
import {
  VARIANT_KINDS,
  variantKindOf,
  variantOptions,
  variantTitle,
  type StartedVariant,
  type VariantInfo,
  type VariantKind,
} from '../../shared/variants'
import { VOC_CLASSES } from '../../shared/voc'
import { isBackendChoice, parseBackendChoice, type BackendChoice } from '../engine/api'
import { chunkBatches, type InferItem } from '../engine/api'
import { startInferenceWorker } from '../engine/api'
import { readAdaptRunFile } from '../engine/api'
import { sourceCheckpointIteration } from '../engine/api'
import { SOURCE_CANDIDATE_STAGE } from '../../shared/adaptation-guard'
import { contextFor } from '../engine/api'
import { scoreItems, withCancel, type ScoreItem } from '../engine/api'
import { groupBatches } from '../engine/api'
import { listSnapshots } from '../engine/api'
import {
  readVariantRecord,
  swapInVariant,
  variantDir,
  VARIANT_PREDICTIONS,
  writeVariantRecord,
  type VariantRecord,
} from '../engine/api'
import type { JobContext } from '../jobs/job-queue'
import { parseJson } from '../project/db'
import { ConflictError, InvalidInputError } from '../project/errors'
import { fromRelPath } from '../project/layout'
import type { Project } from '../project/project'
import { RunsRepo, type RunMask, type RunRow } from '../project/runs-repo'
import { SnapshotsRepo } from '../project/snapshots-repo'
import type { ImageRow } from '../project/images-repo'
import type { HandlerContext, HandlerGroup } from './handler-context'
import { runStage } from './snapshots-handlers'
import { miouPaperFromClasses } from '../../shared/miou-paper'
import { makeDirSync } from '../files/make-dir'

export const VARIANT_JOB_KIND = 'variant'
/** run-jobs.ts's RUN_QUEUE: a variant waits for (and never runs beside) training or another variant. */
const RUN_QUEUE_NAME = 'run'
const NUM_CLASSES = VOC_CLASSES.length

interface ActiveVariant {
  jobId: number
  status: 'queued' | 'running'
  live: VariantInfo['live']
}

/** Variants being made, per open project: `${runId}/${variant}` → its job (gone when the job ends). */
const activeByProject = new WeakMap<Project, Map<string, ActiveVariant>>()

function active(project: Project): Map<string, ActiveVariant> {
  let m = activeByProject.get(project)
  if (!m) activeByProject.set(project, (m = new Map()))
  return m
}

const key = (runId: number, v: VariantKind): string => `${runId}/${v}`

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

/** The model a run's predictions came from: the stage folder and the snapshot iteration. */
export interface RunModelRef {
  stage: string
  dir: string
  iteration: number
}

/** The stage and snapshot the run predicts with now: its chosen snapshot, else the stage's last one. */
export function currentModel(project: Project, row: RunRow, config: Record<string, unknown>): RunModelRef {
  if (!isRunMethod(row.method))
    throw new InvalidInputError(`run ${row.id} has an unknown method "${row.method}"`)
  const { stage, dir } = runStage(project, row.id, row.method, config)
  const choice = new SnapshotsRepo(project.db).choice(row.id)
  // An adaptation run that kept its source model predicts with the source run's latest checkpoint.
  if (choice && choice.stage === SOURCE_CANDIDATE_STAGE && typeof config.sourceRunId === 'number') {
    const sourceDir = new RunsRepo(project.db, project.paths).dir(config.sourceRunId)
    return { stage: SOURCE_CANDIDATE_STAGE, dir: sourceDir, iteration: sourceCheckpointIteration(sourceDir) }
  }
  const onDisk = listSnapshots(dir).iterations
  if (choice && choice.stage === stage) {
    if (!onDisk.includes(choice.iteration))
      throw new InvalidInputError(
        `run ${row.id} predicts with snapshot ${choice.iteration} of stage ${stage}, which is no longer on disk (${dir}); the variant cannot use the run's model`,
      )
    return { stage, dir, iteration: choice.iteration }
  }
  const last = onDisk[onDisk.length - 1]
  if (last === undefined)
    throw new InvalidInputError(`run ${row.id}: its model (${dir}) has no checkpoint on disk any more`)
  return { stage, dir, iteration: last }
}

interface ScoredMask {
  mask: RunMask
  file: string
}

/** The run's scored (image, mask version) pairs and their files; fails when one is gone. */
function runMaskFiles(project: Project, runId: number): ScoredMask[] {
  const masks = new RunsRepo(project.db, project.paths).masks(runId)
  if (masks.length === 0)
    throw new InvalidInputError(
      `run ${runId} was never scored: it has no validation masks to score a variant on`,
    )
  const file = project.db.prepare('SELECT file FROM masks WHERE image_id = ? AND version = ?')
  return masks.map((m) => {
    const r = file.get(m.imageId, m.maskVersion) as { file: string } | undefined
    if (!r)
      throw new InvalidInputError(
        `run ${runId}: mask version ${m.maskVersion} of image ${m.imageId} no longer exists, so the variant cannot be scored as the run was`,
      )
    return { mask: m, file: fromRelPath(project.paths, r.file) }
  })
}

/**
 * The album in the run's prediction order (image id order, name = id) cut into the run's batches. A model
 * with the group context takes its context from the batch, so its batches hold one group each, with the
 * groups the run trained and predicted with (its stage's run.json), as the run's own prediction did.
 */
function albumBatches(project: Project, albumId: number, model: RunModelRef, batch: number): InferItem[][] {
  const rows = project.db
    .prepare('SELECT * FROM images WHERE album_id = ? ORDER BY id')
    .all(albumId) as ImageRow[]
  if (rows.length === 0) throw new InvalidInputError(`album ${albumId} has no images to predict`)
  const items = rows.map((r) => ({ image: project.originalPath(r), name: String(r.id) }))
  const raw = parseJson<{ kind?: unknown }>(safeRead(path.join(model.dir, 'run.json')), {})
  if (raw.kind !== 'adaptation') return chunkBatches(items, batch)
  const { config } = readAdaptRunFile(model.dir)
  if (contextFor(config).variant === 'none') return chunkBatches(items, batch)
  const stored = new Map(config.target.map((t) => [t.name, t.group]))
  const groupOf = (it: InferItem, i: number): number | undefined =>
    stored.get(it.name) ?? rows[i]!.cluster ?? undefined
  const groups = items.map(groupOf)
  if (groups.some((g) => g === undefined)) return chunkBatches(items, batch)
  const byItem = new Map(items.map((it, i) => [it, groups[i]!]))
  return groupBatches(items, (it) => byItem.get(it) ?? null, batch)
}

function safeRead(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8')
  } catch {
    return '{}'
  }
}

function chooseBackend(fallback: string): BackendChoice {
  return (
    parseBackendChoice(process.env.PSS_BACKEND, 'PSS_BACKEND') ??
    (isBackendChoice(fallback) ? fallback : 'wasm')
  )
}

interface VariantPlan {
  project: Project
  row: RunRow
  albumId: number
  variant: VariantKind
  model: RunModelRef
  batches: InferItem[][]
  masks: ScoredMask[]
}

/** Checks the request and builds the plan; throws before any job exists. */
function planVariant(project: Project, args: { runId: number; tta: boolean; crf: boolean }): VariantPlan {
  const variant = variantKindOf(args.tta, args.crf)
  if (!variant)
    throw new InvalidInputError('choose TTA, the CRF or both: without either the variant is the run itself')
  const runs = new RunsRepo(project.db, project.paths)
  runs.reconcile()
  const row = runs.row(args.runId)
  if (row.kind !== 'album')
    throw new InvalidInputError(`run ${row.id} is a source model run: variants are made of album runs`)
  if (row.method === 'segsort')
    throw new InvalidInputError(
      `run ${row.id} is a SegSort run: it labels segments by k-NN against its memory bank and has no class probabilities for TTA or the CRF to refine`,
    )
  if (row.status !== 'done')
    throw new ConflictError(`run ${row.id} is ${row.status}; a variant is made of a done run`)
  if (row.album_id === null) throw new InvalidInputError(`run ${row.id} has lost its album`)
  const config = parseJson<Record<string, unknown>>(row.config, {})
  const model = currentModel(project, row, config)
  const masks = runMaskFiles(project, row.id)
  const batch =
    typeof config.inferBatch === 'number' && Number.isInteger(config.inferBatch) && config.inferBatch >= 1
      ? config.inferBatch
      : RUN_DEFAULTS.inferBatch
  const batches = albumBatches(project, row.album_id, model, batch)
  const busy = active(project).get(key(row.id, variant))
  if (busy)
    throw new ConflictError(
      `${variantTitle(runs.displayName(row.id), variant)} is already being made (job ${busy.jobId})`,
    )
  return { project, row, albumId: row.album_id, variant, model, batches, masks }
}

export function startVariant(
  ctx: Pick<HandlerContext, 'project' | 'jobs' | 'backend'>,
  args: { runId: number; tta: boolean; crf: boolean },
): StartedVariant {
  const project = ctx.project()
  const plan = planVariant(project, args)
  const k = key(plan.row.id, plan.variant)
  const method = isRunMethod(plan.row.method) ? RUN_METHOD_LABELS[plan.row.method] : plan.row.method
  const job = ctx.jobs().enqueue(
    {
      kind: VARIANT_JOB_KIND,
      title: `Predict ${method} ${variantTitle(new RunsRepo(ctx.project().db, ctx.project().paths).displayName(plan.row.id), plan.variant)}`,
      args: { runId: plan.row.id, variant: plan.variant },
      queue: RUN_QUEUE_NAME,
    },
    async (job) => {
      active(project).set(k, { jobId: job.jobId, status: 'running', live: null })
      try {
        return await runVariantJob(plan, job, chooseBackend((await ctx.backend()).name), (live) => {
          const e = active(project).get(k)
          if (e) e.live = live
        })
      } finally {
        active(project).delete(k)
      }
    },
  )
  // (The queue may already have started it.) A job cancelled while queued never runs its function: forget it when it settles.
  if (active(project).get(k)?.jobId !== job.id)
    active(project).set(k, { jobId: job.id, status: 'queued', live: null })
  void ctx
    .jobs()
    .settled(job.id)
    .then(
      () => {
        const e = active(project).get(k)
        if (e?.jobId === job.id) active(project).delete(k)
      },
      () => undefined,
    )
  return { jobId: job.id, runId: plan.row.id, variant: plan.variant }
}

async function runVariantJob(
  plan: VariantPlan,
  job: JobContext,
  backend: BackendChoice,
  onLive: (l: VariantInfo['live']) => void,
): Promise<unknown> {
  const { project, row, variant } = plan
  const runs = new RunsRepo(project.db, project.paths)
  // Named now: the run may be deleted while this job runs, and the error must still name it.
  const title = variantTitle(runs.displayName(row.id), variant)
  const target = variantDir(runs.dir(row.id), variant)
  const fresh = `${target}.tmp-${job.jobId}`
  fs.rmSync(fresh, { recursive: true, force: true })
  const predictions = path.join(fresh, VARIANT_PREDICTIONS)
  makeDirSync(predictions)
  const opts = variantOptions(variant)
  const total = plan.batches.reduce((s, b) => s + b.length, 0)
  let usedBackend: string = backend
  let iteration = plan.model.iteration
  const progress = (done: number, all: number, text: string): void => {
    job.progress({ done, total: all, message: text })
    onLive({ done, total: all, message: text })
  }
  try {
    progress(0, total, `predicting ${total} album images with ${title}`)
    const t0 = performance.now()
    const handle = startInferenceWorker(
      {
        runDir: plan.model.dir,
        checkpoint: plan.model.iteration,
        backend,
        albums: [{ outDir: predictions, batches: plan.batches }],
        // Empty objects: the engine's defaults (scales 0.5–1.5 with flips; DeepLab's CRF setting).
        tta: opts.tta ? {} : null,
        crf: opts.crf ? {} : null,
      },
      {
        onStarted: (s) => {
          usedBackend = s.backend.name
          iteration = s.checkpointIteration
        },
        onProgress: (p) =>
          progress(
            p.done,
            p.total,
            `image ${p.done}/${p.total} · ${(p.msPerImage / 1000).toFixed(2)} s per image`,
          ),
        onProblem: (p) => job.problem(p),
      },
    )
    const r = await withCancel(job.signal, () => handle.cancel(), handle.result)
    const seconds = (performance.now() - t0) / 1000
    if (r.status !== 'done' || job.signal.aborted) {
      fs.rmSync(fresh, { recursive: true, force: true })
      return { runId: row.id, variant, status: 'cancelled' }
    }
    if (iteration !== plan.model.iteration)
      throw new Error(`the worker loaded snapshot ${iteration}, not the run's ${plan.model.iteration}`)

    // Score exactly as the run was: its validation images, its mask versions, its scoring code.
    const items: ScoreItem[] = plan.masks.map((m) => ({
      key: m.mask.imageId,
      gtFile: m.file,
      predName: String(m.mask.imageId),
    }))
    const { metrics, scored } = scoreItems(items, predictions, NUM_CLASSES, {
      signal: job.signal,
      onProblem: (p) => job.problem(p),
      onProgress: (p) => progress(p.done, p.total, `scoring ${p.done}/${p.total}`),
    })
    if (job.signal.aborted) {
      fs.rmSync(fresh, { recursive: true, force: true })
      return { runId: row.id, variant, status: 'cancelled' }
    }
    if (scored.length === 0)
      throw new Error(
        `none of the ${items.length} validation images could be scored (see the job's problems)`,
      )
    const versions = new Map(plan.masks.map((m) => [m.mask.imageId, m.mask.maskVersion]))
    const perSecond = (ms: number | null): number | null => (ms === null ? null : ms / 1000)
    const record: VariantRecord = {
      version: 1,
      runId: row.id,
      variant,
      createdAt: new Date().toISOString(),
      jobId: job.jobId,
      backend: usedBackend,
      checkpoint: { stage: plan.model.stage, iteration: plan.model.iteration },
      options: r.options,
      // The same content fingerprint as the runs' (RunsRepo.maskSets), so a variant compares with its run.
      maskSet: runs.contentFingerprint(
        scored.map((s) => ({ imageId: s.key, maskVersion: versions.get(s.key)! })),
      ),
      metrics: {
        images: metrics.images,
        fiou: metrics.fiou,
        miouAll21: metrics.miouAll21,
        miouPresent: Number.isNaN(metrics.miouPresent) ? null : metrics.miouPresent,
      },
      perClass: [...metrics.perClass],
      perClassPresent: [...metrics.perClassPresent].map((v) => (Number.isNaN(v) ? null : v)),
      perClassImages: [...metrics.perClassImages],
      confusion: toRows(metrics.confusion.counts, metrics.confusion.numClasses),
      perImage: scored.map((s) => ({ imageId: s.key, maskVersion: versions.get(s.key)!, fiou: s.fiou })),
      predicted: r.predicted,
      skipped: r.skipped,
      cost: {
        images: r.cost.images,
        seconds,
        secondsPerImage: r.cost.msPerImage / 1000,
        predictSecondsPerImage: r.cost.predictMsPerImage / 1000,
        plainSecondsPerImage: perSecond(r.cost.plainMsPerImage),
        crfSecondsPerImage: perSecond(r.cost.crfMsPerImage),
        passes: r.cost.passes,
      },
    }
    writeVariantRecord(fresh, record)
    // The run may have been deleted while this job ran: then leave nothing behind.
    runs.row(row.id)
    swapInVariant(fresh, target)
    return {
      runId: row.id,
      variant,
      status: 'done',
      images: scored.length,
      fiou: metrics.fiou,
      miouAll21: metrics.miouAll21,
      seconds,
    }
  } catch (e) {
    fs.rmSync(fresh, { recursive: true, force: true })
    throw new Error(`${title}: ${message(e)}`)
  }
}

/** A flat row-major count matrix → rows. */
function toRows(counts: ArrayLike<number>, n: number): number[][] {
  const out: number[][] = []
  for (let i = 0; i < n; i++) out.push(Array.from({ length: n }, (_, j) => Number(counts[i * n + j] ?? 0)))
  return out
}

/** The variants of the given album runs: done ones from their folders, those being made from the jobs. */
export function listRunVariants(project: Project, rows: readonly RunRow[]): VariantInfo[] {
  const runs = new RunsRepo(project.db, project.paths)
  const making = active(project)
  const out: VariantInfo[] = []
  for (const row of rows) {
    if (row.kind !== 'album') continue
    let now: RunModelRef | null = null
    try {
      now =
        row.status === 'done'
          ? currentModel(project, row, parseJson<Record<string, unknown>>(row.config, {}))
          : null
    } catch {
      now = null
    }
    for (const v of VARIANT_KINDS) {
      const busy = making.get(key(row.id, v))
      const read = readVariantRecord(variantDir(runs.dir(row.id), v))
      const rec = read.record
      if (!rec && !busy) continue
      out.push({
        runId: row.id,
        variant: v,
        status: busy ? busy.status : 'done',
        jobId: busy ? busy.jobId : (rec?.jobId ?? null),
        createdAt: rec?.createdAt ?? null,
        checkpoint: rec?.checkpoint ?? null,
        current:
          rec !== null &&
          now !== null &&
          rec.checkpoint.stage === now.stage &&
          rec.checkpoint.iteration === now.iteration,
        backend: rec?.backend ?? null,
        options: rec?.options ?? null,
        // miou_paper is derived from the record's per-class numbers (records do not store it).
        metrics: rec
          ? { ...rec.metrics, miouPaper: miouPaperFromClasses(rec.perClass, rec.perClassImages) }
          : null,
        perClass: rec?.perClass ?? [],
        perImage: rec?.perImage ?? [],
        cost: rec?.cost ?? null,
        live: busy?.live ?? null,
      })
    }
  }
  return out
}

export function variantsHandlers(ctx: HandlerContext): HandlerGroup<'predictVariant' | 'listVariants'> {
  return {
    predictVariant: (a) => startVariant(ctx, a),
    listVariants: (a) => {
      const project = ctx.project()
      const runs = new RunsRepo(project.db, project.paths)
      if (a.runId !== undefined) return listRunVariants(project, [runs.row(a.runId)])
      project.albums.get(a.albumId!) // NOT_FOUND for a missing album
      return listRunVariants(project, runs.list(a.albumId))
    },
  }
}
