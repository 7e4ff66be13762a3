/**
 * Evaluating one stage's snapshots for an album, store-free (the app layer gives paths and ids and stores
 * what comes back): list the stage's snapshots, divide the labelled validation images into the selection
 * and report parts, evaluate every snapshot in the engine worker, and — once the app has chosen one —
 * predict the whole album with it. Nothing here loads tfjs: the work runs in a session of `host` (a fresh
 * engine worker from the main thread, the worker's own thread inside a run session).
 */
import * as path from 'node:path'
import type { SnapshotPoint } from '../../../shared/snapshots'
import type { BackendChoice } from '../backend/backend-choice'
import type { FileProblem } from '../runs/file-dataset'
import { listSnapshots } from './list-snapshots'
import type { SnapshotRequestInput } from './snapshot-request'
import { divideValidation, type SplitParts } from './split-parts'
import { withCancel, workerHost, type SessionHost } from '../sessions/session-host'

export interface StageValidationItem {
  /** The image id; the prediction stem is String(key). */
  key: number
  gtFile: string
  /** Cluster used to stratify the division (null: not clustered). */
  group: number | null
}

export interface StagePlan {
  backend: BackendChoice
  /** Stage name recorded with the points (e.g. 'source', 'advent', 'pss-s2'). */
  stage: string
  stageDir: string
  /** The whole album in the run's prediction order: name = prediction stem, group for a context model. */
  album: { image: string; name: string; group?: number }[]
  batch: number
  validation: StageValidationItem[]
  /** Seed of the selection/report division. */
  seed: number
  /** Snapshot predictions go to <outRoot>/<iteration>/<key>.png. */
  outRoot: string
  /** Evaluate only these snapshots (default: every snapshot the stage kept). */
  iterations?: readonly number[]
}

export interface StageHooks {
  signal: AbortSignal
  onProgress?(p: { done: number; total: number; message: string }): void
  onProblem?(p: FileProblem): void
}

export interface StageEvaluation {
  status: 'done' | 'cancelled'
  points: SnapshotPoint[]
  parts: SplitParts
  /** Per-image FIoU on the full split, by snapshot iteration then image id. */
  perImage: Map<number, Map<number, number>>
}

/** The prediction folder of one evaluated snapshot. */
export function snapshotPredictionDir(outRoot: string, iteration: number): string {
  return path.join(outRoot, String(iteration).padStart(6, '0'))
}

export async function evaluateStage(
  plan: StagePlan,
  hooks: StageHooks,
  host: SessionHost = workerHost,
): Promise<StageEvaluation> {
  const kept = listSnapshots(plan.stageDir).iterations
  const iterations = plan.iterations ? kept.filter((it) => plan.iterations!.includes(it)) : kept
  if (iterations.length === 0) {
    const which = plan.iterations ? ` (asked for ${plan.iterations.join(', ')})` : ''
    throw new Error(`${plan.stageDir}: the stage kept no snapshot to evaluate${which}`)
  }
  if (plan.validation.length === 0)
    throw new Error('no labelled validation image to evaluate the snapshots on')
  const parts = divideValidation(
    plan.validation.map((v) => ({ id: v.key, group: v.group })),
    plan.seed,
  )
  const selection = new Set(parts.selection)
  const request: SnapshotRequestInput = {
    kind: 'evaluate',
    backend: plan.backend,
    stageDir: plan.stageDir,
    album: plan.album,
    batch: plan.batch,
    iterations,
    validation: plan.validation.map((v) => ({
      name: String(v.key),
      gtFile: v.gtFile,
      part: selection.has(v.key) ? ('selection' as const) : ('report' as const),
    })),
    outRoot: plan.outRoot,
  }
  const points: SnapshotPoint[] = []
  const perImage = new Map<number, Map<number, number>>()
  const handle = host.run('snapshots', request, {
    onProgress: (p) => hooks.onProgress?.(p),
    onProblem: (p) => hooks.onProblem?.(p),
    onEvaluated: (e) => {
      points.push({ stage: plan.stage, iteration: e.iteration, parts: e.parts })
      perImage.set(e.iteration, new Map(Object.entries(e.perImage).map(([k, v]) => [Number(k), v])))
    },
  })
  const r = await withCancel(hooks.signal, () => handle.cancel(), handle.result)
  return { status: r.status, points, parts, perImage }
}

/** Predicts every album image with snapshot `iteration` into outDir (label + colour PNG). */
export async function predictWithSnapshot(
  plan: Pick<StagePlan, 'backend' | 'stageDir' | 'album' | 'batch'>,
  iteration: number,
  outDir: string,
  hooks: StageHooks,
  host: SessionHost = workerHost,
): Promise<'done' | 'cancelled'> {
  const handle = host.run(
    'snapshots',
    {
      kind: 'predict',
      backend: plan.backend,
      stageDir: plan.stageDir,
      album: plan.album,
      batch: plan.batch,
      iteration,
      outDir,
    },
    { onProgress: (p) => hooks.onProgress?.(p), onProblem: (p) => hooks.onProblem?.(p) },
  )
  const r = await withCancel(hooks.signal, () => handle.cancel(), handle.result)
  return r.status
}
