/**
 * What a co-segmentation is asked to do, as data (structured-clone safe, validated on both sides of the
 * worker boundary): a trained run's folder, the settings, and the album's tagged images cut into groups
 * (album clusters; every group is co-segmented on its own).
 */
import { z } from 'zod'
import { BACKEND_CHOICES } from '../backend/backend-choice'
import { CosegConfigSchema, cosegConfig } from './coseg-config'
import { parseRequest } from '../sessions/request-error'

export const CosegItemSchema = z
  .object({
    imageId: z.number().int().positive(),
    /** The image's name, for problems and meta. */
    name: z.string().min(1),
    /** Image file (any format sharp decodes). */
    path: z.string().min(1),
    /** Valid VOC class ids 1–20 (background is implicit). */
    tags: z.array(z.number().int().min(1).max(20)).min(1, 'an image without tags has nothing to co-segment'),
  })
  .strict()
export type CosegItem = z.infer<typeof CosegItemSchema>

export const CosegGroupSchema = z
  .object({
    /** The cluster index, or −1 for an image outside every cluster (co-segmented alone). */
    group: z.number().int().min(-1),
    items: z.array(CosegItemSchema).min(1),
  })
  .strict()
export type CosegGroup = z.infer<typeof CosegGroupSchema>

export const CosegRequestSchema = z
  .object({
    /** A training run folder (run.json + checkpoint.json + checkpoints/<iter>/), 21 VOC classes. */
    runDir: z.string().min(1),
    backend: z.enum(BACKEND_CHOICES).default('wasm'),
    config: CosegConfigSchema.default(() => cosegConfig()),
    groups: z.array(CosegGroupSchema),
  })
  .strict()
export type CosegRequest = z.infer<typeof CosegRequestSchema>
export type CosegRequestInput = z.input<typeof CosegRequestSchema>

export function parseCosegRequest(raw: unknown): CosegRequest {
  return parseRequest(CosegRequestSchema, raw, 'co-segmentation request')
}

/** One image's proposal as the engine made it (PNG bytes at the image's size, 255 = no proposal). */
export interface CosegProposal {
  imageId: number
  name: string
  group: number
  width: number
  height: number
  png: Uint8Array
  /** Classes present in the label map (0–20, 255 left out). */
  classes: number[]
  /** Tags used (valid, 1–20). */
  tags: number[]
  /** Share of the image's pixels that got a label (not 255). */
  coverage: number
}

/** How the group's class prototypes came out (for meta and reports). */
export interface PrototypeInfo {
  cls: number
  seeded: boolean
  pixels: number
  images: number
}

export interface CosegGroupResult {
  group: number
  proposals: CosegProposal[]
  prototypes: PrototypeInfo[]
}

export interface CosegProgress {
  /** Images handled so far (proposed or skipped). */
  done: number
  total: number
  groupsDone: number
  groups: number
}

export interface CosegOutcome {
  status: 'done' | 'cancelled'
  proposed: number
  /** Images that could not be read (reported by name as problems). */
  skipped: number
  /** Checkpoint iteration of the model used. */
  iteration: number
  seconds: number
}
