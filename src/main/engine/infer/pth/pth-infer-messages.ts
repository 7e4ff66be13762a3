/** Messages between the main thread and the engine worker for a `.pth` prediction (structured-clone data). */
import type { FileProblem } from '../../runs/file-dataset'
import type { PthInferOutcome, PthInferProgress, PthInferStarted } from './pth-infer-loop'

/** `workerData` of a `.pth` prediction (the request is validated again in the worker). */
export interface PthInferWorkerData {
  pthInfer: true
  request: unknown
}

export function isPthInferWorkerData(d: unknown): d is PthInferWorkerData {
  return typeof d === 'object' && d !== null && (d as { pthInfer?: unknown }).pthInfer === true
}

export type FromPthInferWorker =
  | ({ type: 'pth-started' } & PthInferStarted)
  | ({ type: 'pth-progress' } & PthInferProgress)
  | ({ type: 'problem' } & FileProblem)
  | ({ type: 'pth-done' } & PthInferOutcome)
  | { type: 'error'; message: string; stack?: string }
