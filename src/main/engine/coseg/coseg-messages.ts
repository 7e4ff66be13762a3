/** Messages between the main thread and the engine worker for a co-segmentation (structured-clone data). */
import type { FileProblem } from '../runs/file-dataset'
import type { CosegGroupResult, CosegOutcome, CosegProgress } from './coseg-request'

/** `workerData` of a co-segmentation (the request is validated again in the worker). */
export interface CosegWorkerData {
  coseg: true
  request: unknown
}

export function isCosegWorkerData(d: unknown): d is CosegWorkerData {
  return typeof d === 'object' && d !== null && (d as { coseg?: unknown }).coseg === true
}

export type FromCosegWorker =
  | ({ type: 'coseg-group' } & CosegGroupResult)
  | ({ type: 'coseg-progress' } & CosegProgress)
  | ({ type: 'problem' } & FileProblem)
  | ({ type: 'coseg-done' } & CosegOutcome)
  | { type: 'error'; message: string; stack?: string }
