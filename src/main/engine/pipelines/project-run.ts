/**
 * The parts of a studio run every method shares (run-plan.ts puts them together in the run session):
 *
 *   source model (trained here, or a reused / imported one) → … → score the validation images
 *
 * Store-free: the app layer (src/main/app/run-album-job.ts) turns a project's rows into file paths and
 * image keys and stores what comes back. Training runs as a 'train' session of the given host; scoring
 * reads the label PNGs on the calling thread (the run session's worker), one image at a time, through the
 * metrics module.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { RunPhase } from '../../../shared/runs'
import { writeFileAtomic } from '../../files/atomic-file'
import { decodeLabelPng, type LabelMap } from '../../media/label-png'
import type { BackendChoice } from '../backend/backend-choice'
import { UserEvaluation, type UserMetrics } from '../eval/user-metrics'
import { resizeLabelsNearest } from '../eval/resize-nearest'
import type { InferItem } from '../infer/infer-request'
import { withCancel, type SessionHost } from '../sessions/session-host'
import type { LossPoint } from '../runs/checkpoint-files'
import type { FileProblem, LabelledFile } from '../runs/file-dataset'
import { makeDirSync } from '../../files/make-dir'

export { withCancel }

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

/** The album to predict: its images (name = prediction stem, group for a context model), batch and folder. */
export interface PredictStep {
  outDir: string
  items: (InferItem & { group?: number })[]
  batch: number
}

/**
 * A step that trains from the source run and predicts the album itself, into `predict.outDir` (SegSort:
 * its predictions come from k-NN voting, not from a checkpoint, so there is nothing to select).
 */
export interface AdaptStep {
  run(
    sourceRunDir: string,
    predict: PredictStep,
    hooks: ChainHooks,
  ): Promise<{ runDir: string; status: 'done' | 'cancelled' }>
}

/** A validation image to score: the key the caller knows it by, its GT mask and the prediction's stem. */
export interface ScoreItem {
  key: number
  gtFile: string
  /** The prediction is <predictions>/<predName>.png. */
  predName: string
}

export interface ScoredItem {
  key: number
  fiou: number
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

/** Trains the source model into step.runDir (a 'train' session of `host`), resuming when asked. */
export async function trainSource(
  step: SourceStep,
  t: SourceTraining,
  backend: BackendChoice,
  hooks: ChainHooks,
  host: SessionHost,
): Promise<{ status: 'done' | 'cancelled' | 'killed'; losses: LossPoint[]; backend: string }> {
  let used: string = backend
  const handle = host.run(
    'train',
    {
      config: {
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
      resume: t.resume,
    },
    {
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
