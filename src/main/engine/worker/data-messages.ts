/** Messages between a training thread and its data worker (structured-clone data only). */
import type { FileProblem, LabelledFile } from '../runs/file-dataset'

/** `workerData` of the data worker: what to decode and how batches are cut. */
export interface DataWorkerData {
  dataWorker: true
  items: LabelledFile[]
  numClasses: number
  seed: number
  batch: number
  size: number
}

export type ToDataWorker = { type: 'batch'; iteration: number } | { type: 'close' }

export type FromDataWorker =
  | { type: 'ready'; count: number; problems: FileProblem[] }
  | { type: 'batch'; iteration: number; images: Float32Array; labels: Int32Array }
  | { type: 'error'; message: string }

export function isDataWorkerData(d: unknown): d is DataWorkerData {
  if (typeof d !== 'object' || d === null) return false
  const x = d as Partial<DataWorkerData>
  return (
    x.dataWorker === true &&
    Array.isArray(x.items) &&
    [x.numClasses, x.seed, x.batch, x.size].every((v) => typeof v === 'number' && Number.isInteger(v))
  )
}
