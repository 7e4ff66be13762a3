/**
 * Messages between the main thread and the engine worker for an adaptation run (structured-clone data).
 * Imports types only, so the main thread loads no tfjs.
 */
import type { AdaptCheckpoint, AdaptOutcome, AdaptProgress, AdaptStarted } from '../methods/adapt-loop'
import type { PseudoSummary } from '../methods/pseudo-labels'
import type { FileProblem } from '../runs/file-dataset'

/** An album to predict with the trained model right after the last step (method pipelines, bench). */
export interface AdaptPredictAlbum {
  outDir: string
  images: { image: string; name: string; group?: number }[]
}

/** `workerData` of an adaptation run (the config is validated again in the worker). */
export interface AdaptWorkerData {
  adapt: true
  config: unknown
  resume: boolean
  predict: { batch: number; albums: AdaptPredictAlbum[] } | null
}

export function isAdaptWorkerData(d: unknown): d is AdaptWorkerData {
  return typeof d === 'object' && d !== null && (d as { adapt?: unknown }).adapt === true
}

export type FromAdaptWorker =
  | ({ type: 'adapt-started' } & AdaptStarted)
  | ({ type: 'adapt-progress' } & AdaptProgress)
  | ({ type: 'adapt-checkpoint' } & AdaptCheckpoint)
  | { type: 'adapt-pseudo'; summary: PseudoSummary }
  | { type: 'adapt-predicted'; outDir: string; images: number }
  | ({ type: 'problem' } & FileProblem)
  | ({ type: 'adapt-done' } & AdaptOutcome)
  | { type: 'error'; message: string; stack?: string }
