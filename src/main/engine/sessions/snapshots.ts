/** Snapshot evaluation on the validation split, or prediction with a chosen snapshot (../snapshots). */
import type { FileProblem } from '../runs/file-dataset'
import type { SnapshotOutcome } from '../snapshots/evaluate-snapshots'
import {
  parseSnapshotRequest,
  type SnapshotEvaluated,
  type SnapshotRequest,
  type SnapshotRequestInput,
} from '../snapshots/snapshot-request'
import { defineSession } from './session'

export type SnapshotEvent =
  | { type: 'started'; backend: string; kind: 'train' | 'adapt'; inputSize: number }
  | { type: 'progress'; done: number; total: number; message: string }
  | ({ type: 'evaluated' } & SnapshotEvaluated)
  | ({ type: 'problem' } & FileProblem)

export const snapshotsSession = defineSession<
  SnapshotRequestInput,
  SnapshotRequest,
  SnapshotEvent,
  SnapshotOutcome
>({
  what: 'snapshot evaluation',
  parse: parseSnapshotRequest,
})
