/** The messages between the main thread and the training worker (structured-clone data only). */
import type { TrainCheckpoint, TrainProgress, TrainStarted } from '../runs/train-loop'
import type { LossPoint } from '../runs/checkpoint'
import type { FileProblem } from '../runs/file-dataset'
import type { BackendReport } from '../backend/select-backend'

/** What the worker is started with (`workerData`). The config is validated again in the worker. */
export interface TrainingWorkerData {
  config: unknown
  resume: boolean
}

/** `workerData` of a backend probe: select the backend as a run would, reply once, exit. */
export interface ProbeWorkerData {
  probe: true
  /** A forced backend ('' / 'auto' / absent = the best available). */
  force?: string
}

export type FromProbeWorker =
  | { type: 'backend'; report: BackendReport }
  | { type: 'error'; message: string; stack?: string }

export function isProbeWorkerData(d: unknown): d is ProbeWorkerData {
  return typeof d === 'object' && d !== null && (d as { probe?: unknown }).probe === true
}

export type ToWorker = { type: 'cancel' }

export type FromWorker =
  | ({ type: 'started' } & TrainStarted)
  | ({ type: 'progress' } & TrainProgress)
  | ({ type: 'checkpoint' } & TrainCheckpoint)
  | ({ type: 'problem' } & FileProblem)
  | { type: 'done'; status: 'done' | 'cancelled'; iteration: number; losses: LossPoint[] }
  | { type: 'error'; message: string; stack?: string }

export function isToWorker(m: unknown): m is ToWorker {
  return typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'cancel'
}
