/**
 * Messages between the main thread and the engine worker for a SegSort run (structured-clone data).
 * Types only, so the main thread loads no tfjs.
 */
import type { FileProblem } from '../runs/file-dataset'
import type { SegsortOutcome, SegsortProgress, SegsortStarted } from './segsort-run'

export interface SegsortWorkerData {
  segsort: true
  config: unknown
}

export function isSegsortWorkerData(d: unknown): d is SegsortWorkerData {
  return typeof d === 'object' && d !== null && (d as { segsort?: unknown }).segsort === true
}

export type FromSegsortWorker =
  | ({ type: 'segsort-started' } & SegsortStarted)
  | ({ type: 'segsort-progress' } & SegsortProgress)
  | ({ type: 'problem' } & FileProblem)
  | ({ type: 'segsort-done' } & SegsortOutcome)
  | { type: 'error'; message: string; stack?: string }
