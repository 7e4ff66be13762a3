/**
 * The project-side run chain, in the same shape for every method:
 *
 *   source model → (adaptation to the album) → predict the album → score the validation images
 *
 * It knows nothing of the project store: the app layer (src/main/app/run-jobs.ts) turns a project's rows
 * into this plan (file paths and image keys) and stores what comes back. Each heavy step runs in the
 * engine worker (training, inference); scoring runs here, one image at a time, through the metrics
 * module. A method plugs in by supplying `adapt` (e.g. a training run that starts from the source
 * checkpoint and returns its own run folder); No-DA has none and predicts with the source model.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { RunPhase } from '../../../shared/runs'
import { writeFileAtomic } from '../../files/atomic-file'
import { decodeLabelPng, type LabelMap } from '../../media/label-png'
import type { BackendChoice } from '../backend/backend-choice'
import { UserEvaluation, type UserMetrics } from '../eval/user-metrics'
import { resizeLabelsNearest } from '../eval/resize-nearest'
import { chunkBatches, type InferItem } from '../infer/infer-request'
import { startInferenceWorker, startTrainingWorker } from '../sessions/starters'
import type { LossPoint } from '../runs/checkpoint-files'
import type { FileProblem, LabelledFile } from '../runs/file-dataset'
import { makeDirSync } from '../../files/make-dir'
import type { StageStop } from '../../../shared/adaptation-guard'

/** The loss history of a training run folder, written once training ends (read by the studio). */
export const LOSS_CURVE_FILE = 'loss-curve.json'

export interface SourceTraining {
  iterations: number
  size: number
  seed: number
  batch: number
  width: 16 | 32
  lr: number
  items: LabelledFile[]
  numClasses: number
  /** Save a checkpoint every this many iterations, so an interrupted run can resume (0 = only at the end). */
  checkpointEvery: number
  /** Continue the run folder's interrupted training from its latest checkpoint. */
  resume: boolean
}

export interface SourceStep {
  /** The source run's folder: its checkpoint is what the album is predicted with (unless adapted). */
  runDir: string
  /** Train into runDir; null = the folder already holds a finished model (a reused source run). */
  train: SourceTraining | null
}

export interface ChainProgress {
  phase: RunPhase
  done: number
  total: number
  loss: number | null
  /** Items per second (iterations while training, images while predicting or scoring). */
  rate: number | null
  etaSeconds: number | null
  message: string
}

export interface ChainHooks {
  signal: AbortSignal
  onProgress(p: ChainProgress): void
  onProblem(p: FileProblem): void
  /** The backend a worker reports it runs on (first report wins). */
  onBackend?(name: string): void
  /** The source model finished training (called before the album steps, so it can be stored at once). */
  onSourceTrained?(r: { losses: LossPoint[]; seconds: number; backend: string }): void
}

/**
 * A method's adaptation step. It trains from the source run and predicts the album itself (into
 * `predict.outDir`, PIS test layout): an adapted model may carry a group context module, whose
 * predictions need the album's group batches and the adaptation run's own model layout.
 */
export interface AdaptStep {
  run(
    sourceRunDir: string,
    predict: ProjectRunPlan['predict'],
    hooks: ChainHooks,
  ): Promise<{
    runDir: string
    status: 'done' | 'cancelled'
    /** Stages the collapse detector stopped early. */
    stops?: StageStop[]
    /** False when no adapted model predicted the album (an early stage stopped): the source model predicts it. */
    predicted?: boolean
  }>
}

/** A validation image to score: the key the caller knows it by, its GT mask and the prediction's stem. */
export interface ScoreItem {
  key: number
  gtFile: string
  /** The prediction is <predictions>/<predName>.png. */
  predName: string
}

export interface ProjectRunPlan {
  backend: BackendChoice
  /** Classes of the model and the masks (VOC: 21). */
  numClasses: number
  source: SourceStep
  adapt: AdaptStep | null
  predict: { outDir: string; items: InferItem[]; batch: number }
  score: ScoreItem[]
}

export interface ScoredItem {
  key: number
  fiou: number
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
}

const secondsSince = (t: number): number => (performance.now() - t) / 1000

/** Reads a run folder's stored loss curve (empty when absent or unreadable). */
export function readLossCurve(runDir: string): LossPoint[] {
  try {
    const raw = JSON.parse(fs.readFileSync(path.join(runDir, LOSS_CURVE_FILE), 'utf8')) as unknown
    if (!Array.isArray(raw)) return []
    return raw.filter(
      (p): p is LossPoint =>
        typeof p === 'object' &&
        p !== null &&
        Number.isInteger((p as LossPoint).iteration) &&
        Number.isFinite((p as LossPoint).loss),
    )
  } catch {
    return []
  }
}

export function writeLossCurve(runDir: string, losses: readonly LossPoint[]): void {
  makeDirSync(runDir)
  writeFileAtomic(path.join(runDir, LOSS_CURVE_FILE), JSON.stringify(losses))
}

/** Runs `handle.cancel` when the signal aborts (also if it already has), until `done`. */
export async function withCancel<T>(signal: AbortSignal, cancel: () => void, work: Promise<T>): Promise<T> {
  const onAbort = (): void => cancel()
  if (signal.aborted) onAbort()
  signal.addEventListener('abort', onAbort)
  try {
    return await work
  } finally {
    signal.removeEventListener('abort', onAbort)
  }
}

async function trainSource(
  step: SourceStep,
  t: SourceTraining,
  backend: BackendChoice,
  hooks: ChainHooks,
): Promise<{ status: 'done' | 'cancelled' | 'killed'; losses: LossPoint[]; backend: string }> {
  let used: string = backend
  const handle = startTrainingWorker(
    {
      runDir: step.runDir,
      seed: t.seed,
      steps: t.iterations,
      batch: t.batch,
      size: t.size,
      width: t.width,
      lr: t.lr,
      checkpointEvery: t.checkpointEvery,
      backend,
      data: { kind: 'files', items: t.items, numClasses: t.numClasses },
    },
    {
      resume: t.resume,
      onStarted: (s) => {
        used = s.backend.name
        hooks.onBackend?.(s.backend.name)
        hooks.onProgress({
          phase: 'source',
          done: s.fromIteration,
          total: t.iterations,
          loss: null,
          rate: null,
          etaSeconds: null,
          message: `${s.resumedFrom ? `resumed at iteration ${s.fromIteration} · ` : ''}training on ${t.items.length} source images · backend ${s.backend.name}`,
        })
      },
      onProgress: (p) =>
        hooks.onProgress({
          phase: 'source',
          done: p.iteration,
          total: p.steps,
          loss: p.loss,
          rate: p.msPerStep > 0 ? 1000 / p.msPerStep : null,
          etaSeconds: p.etaSeconds,
          message: `iteration ${p.iteration}/${p.steps} · loss ${p.loss.toFixed(4)}`,
        }),
      onProblem: (p) => hooks.onProblem(p),
    },
  )
  const r = await withCancel(hooks.signal, () => handle.cancel(), handle.result)
  return { status: r.status, losses: r.losses, backend: used }
}

async function predict(
  plan: ProjectRunPlan,
  runDir: string,
  hooks: ChainHooks,
): Promise<'done' | 'cancelled'> {
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
  if (items.length === 0) return 'done'
  const handle = startInferenceWorker(
    { runDir, backend: plan.backend, albums: [{ outDir, batches: chunkBatches(items, batch) }] },
    {
      onStarted: (s) => hooks.onBackend?.(s.backend.name),
      onProgress: (p) =>
        hooks.onProgress({
          phase: 'predict',
          done: p.done,
          total: p.total,
          loss: null,
          rate: p.imagesPerSecond,
          etaSeconds: p.etaSeconds,
          message: `image ${p.done}/${p.total}`,
        }),
      onProblem: (p) => hooks.onProblem(p),
    },
  )
  const r = await withCancel(hooks.signal, () => handle.cancel(), handle.result)
  return r.status
}

function readLabels(file: string): LabelMap {
  return decodeLabelPng(fs.readFileSync(file))
}

/**
 * Scores the validation items against the predictions (nearest-resizing a prediction of another size).
 * An item whose mask or prediction cannot be read is reported by file name and left out.
 */
export function scoreItems(
  items: readonly ScoreItem[],
  predictionsDir: string,
  numClasses: number,
  hooks: Pick<ChainHooks, 'onProblem' | 'onProgress' | 'signal'>,
): { metrics: UserMetrics; scored: ScoredItem[] } {
  const evaluation = new UserEvaluation(numClasses)
  const scored: ScoredItem[] = []
  const t0 = performance.now()
  items.forEach((item, i) => {
    if (hooks.signal.aborted) return
    const predFile = path.join(predictionsDir, `${item.predName}.png`)
    let gt: LabelMap
    let pred: LabelMap
    try {
      gt = readLabels(item.gtFile)
    } catch (e) {
      hooks.onProblem({ file: item.gtFile, reason: `cannot read the validation mask: ${errorText(e)}` })
      return
    }
    try {
      pred = readLabels(predFile)
    } catch (e) {
      hooks.onProblem({ file: predFile, reason: `no usable prediction: ${errorText(e)}` })
      return
    }
    if (pred.width !== gt.width || pred.height !== gt.height)
      pred = resizeLabelsNearest(pred, gt.width, gt.height)
    try {
      const s = evaluation.add(String(item.key), gt.labels, pred.labels)
      scored.push({ key: item.key, fiou: s.fiou })
    } catch (e) {
      hooks.onProblem({ file: item.gtFile, reason: `cannot score it: ${errorText(e)}` })
    }
    const elapsed = secondsSince(t0)
    const rate = elapsed > 0 ? (i + 1) / elapsed : null
    hooks.onProgress({
      phase: 'score',
      done: i + 1,
      total: items.length,
      loss: null,
      rate,
      etaSeconds: rate ? (items.length - i - 1) / rate : null,
      message: `image ${i + 1}/${items.length}`,
    })
  })
  return { metrics: evaluation.result(), scored }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

/** Runs the chain. Throws with a message naming what failed; a cancel returns status 'cancelled'. */
export async function runProjectChain(plan: ProjectRunPlan, hooks: ChainHooks): Promise<ProjectRunOutcome> {
  const seconds: ProjectRunOutcome['seconds'] = { source: null, adapt: null, predict: null, score: null }
  let backend: string = plan.backend
  const noteBackend = (name: string): void => {
    backend = name
    hooks.onBackend?.(name)
  }
  const chainHooks: ChainHooks = { ...hooks, onBackend: noteBackend }
  let stops: StageStop[] = []
  const cancelled = (losses: LossPoint[]): ProjectRunOutcome => ({
    status: 'cancelled',
    backend,
    losses,
    seconds,
    metrics: null,
    scored: [],
    stops,
  })

  // 1. Source model.
  let losses: LossPoint[]
  if (plan.source.train) {
    const t = performance.now()
    const r = await trainSource(plan.source, plan.source.train, plan.backend, chainHooks)
    seconds.source = secondsSince(t)
    if (r.status !== 'done') return cancelled(r.losses)
    losses = r.losses
    writeLossCurve(plan.source.runDir, losses)
    hooks.onSourceTrained?.({ losses, seconds: seconds.source, backend: r.backend })
  } else {
    losses = readLossCurve(plan.source.runDir)
  }
  if (hooks.signal.aborted) return cancelled(losses)

  // 2+3. Adaptation, which predicts with its own model; or (No-DA) the source model predicts the album.
  let t = performance.now()
  if (plan.adapt) {
    const r = await plan.adapt.run(plan.source.runDir, plan.predict, chainHooks)
    seconds.adapt = secondsSince(t)
    stops = r.stops ?? []
    if (r.status !== 'done' || hooks.signal.aborted) return cancelled(losses)
    if (r.predicted === false) {
      t = performance.now()
      const predicted = await predict(plan, plan.source.runDir, chainHooks)
      seconds.predict = secondsSince(t)
      if (predicted !== 'done' || hooks.signal.aborted) return cancelled(losses)
    }
  } else {
    const predicted = await predict(plan, plan.source.runDir, chainHooks)
    seconds.predict = secondsSince(t)
    if (predicted !== 'done' || hooks.signal.aborted) return cancelled(losses)
  }

  // 4. Score the validation images.
  t = performance.now()
  const { metrics, scored } = scoreItems(plan.score, plan.predict.outDir, plan.numClasses, chainHooks)
  seconds.score = secondsSince(t)
  if (hooks.signal.aborted) return cancelled(losses)
  if (scored.length === 0) {
    throw new Error(
      `none of the ${plan.score.length} validation images could be scored (see the job's problems for each file)`,
    )
  }
  return { status: 'done', backend, losses, seconds, metrics, scored, stops }
}
