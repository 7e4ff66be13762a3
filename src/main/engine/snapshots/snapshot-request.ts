/**
 * What the engine worker is asked to do with a stage's snapshots, as data (structured-clone safe,
 * validated on both sides of the worker boundary):
 *
 *   evaluate  for each snapshot (checkpoint iteration) of a stage folder, predict the labelled validation
 *             images — in the same batches the album prediction uses, so a group-context model sees the
 *             same test batches — write their label PNGs to <outRoot>/<iteration>/<name>.png, and score
 *             them per part (selection / report) and on the full split;
 *   predict   predict every album image with one snapshot into outDir (label + colour PNG), as the run's
 *             predictions when that snapshot is the one selected.
 */
import { z } from 'zod'
import { BACKEND_CHOICES } from '../backend/backend-choice'
import { parseRequest } from '../sessions/request-error'
import type { SnapshotScore } from '../../../shared/snapshots'

const SAFE_NAME = /^[A-Za-z0-9._-][A-Za-z0-9._ -]{0,199}$/
const name = z
  .string()
  .regex(SAFE_NAME, 'a name is a plain file stem (letters, digits, ".", "_", "-", " ")')
  .refine((n) => n !== '.' && n !== '..', 'a name cannot be "." or ".."')

export const AlbumImageSchema = z
  .object({ image: z.string().min(1), name, group: z.number().int().min(0).optional() })
  .strict()

export const ValidationImageSchema = z
  .object({ name, gtFile: z.string().min(1), part: z.enum(['selection', 'report']) })
  .strict()
export type ValidationImage = z.infer<typeof ValidationImageSchema>

const common = {
  backend: z.enum(BACKEND_CHOICES).default('wasm'),
  /** A training or adaptation run folder (run.json + checkpoints/<iteration>/). */
  stageDir: z.string().min(1),
  /** The whole album in the order the run predicts it (batches are cut from this order). */
  album: z.array(AlbumImageSchema).min(1),
  batch: z.number().int().min(1).max(64),
}

export const SnapshotRequestSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('evaluate'),
      ...common,
      iterations: z.array(z.number().int().min(1)).min(1),
      validation: z.array(ValidationImageSchema).min(1),
      outRoot: z.string().min(1),
    })
    .strict(),
  z
    .object({
      kind: z.literal('predict'),
      ...common,
      iteration: z.number().int().min(1),
      outDir: z.string().min(1),
    })
    .strict(),
])
export type SnapshotRequest = z.infer<typeof SnapshotRequestSchema>
export type SnapshotRequestInput = z.input<typeof SnapshotRequestSchema>

export function parseSnapshotRequest(raw: unknown): SnapshotRequest {
  return parseRequest(SnapshotRequestSchema, raw, 'snapshot request')
}

/** One evaluated snapshot (parts without a scored image are absent). */
export interface SnapshotEvaluated {
  iteration: number
  parts: { selection?: SnapshotScore; report?: SnapshotScore; full?: SnapshotScore }
  /** Per-image FIoU of the full split, by validation name. */
  perImage: Record<string, number>
}
