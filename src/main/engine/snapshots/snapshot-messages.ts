/** Messages between the main thread and the engine worker for snapshot work (types only: no tfjs). */
import type { SnapshotScore } from '../../../shared/snapshots'
import type { FileProblem } from '../runs/file-dataset'

export interface SnapshotWorkerData {
  snapshots: true
  request: unknown
}

export function isSnapshotWorkerData(d: unknown): d is SnapshotWorkerData {
  return typeof d === 'object' && d !== null && (d as { snapshots?: unknown }).snapshots === true
}

/** One evaluated snapshot (parts without a scored image are absent). */
export interface SnapshotEvaluated {
  iteration: number
  parts: { selection?: SnapshotScore; report?: SnapshotScore; full?: SnapshotScore }
  /** Per-image FIoU of the full split, by validation name. */
  perImage: Record<string, number>
}

export type FromSnapshotWorker =
  | { type: 'snap-started'; backend: string; kind: 'train' | 'adapt'; inputSize: number }
  | { type: 'snap-progress'; done: number; total: number; message: string }
  | ({ type: 'snap-evaluated' } & SnapshotEvaluated)
  | ({ type: 'problem' } & FileProblem)
  | { type: 'snap-done'; status: 'done' | 'cancelled'; predicted: number }
  | { type: 'error'; message: string; stack?: string }
