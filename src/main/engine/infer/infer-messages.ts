/** Messages between the main thread and the engine worker for an inference run (structured-clone data). */
import type { FileProblem } from '../runs/file-dataset'
import type { InferOutcome, InferProgress, InferStarted } from './infer-loop'

/** `workerData` of an inference run (the request is validated again in the worker). */
export interface InferWorkerData {
  infer: true
  request: unknown
}

export function isInferWorkerData(d: unknown): d is InferWorkerData {
  return typeof d === 'object' && d !== null && (d as { infer?: unknown }).infer === true
}

export type FromInferWorker =
  | ({ type: 'infer-started' } & InferStarted)
  | ({ type: 'infer-progress' } & InferProgress)
  | ({ type: 'problem' } & FileProblem)
  | ({ type: 'infer-done' } & InferOutcome)
  | { type: 'error'; message: string; stack?: string }
