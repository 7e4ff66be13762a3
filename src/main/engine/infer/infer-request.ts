/**
 * What an inference run is asked to do, as data (structured-clone safe, validated on both sides of the
 * worker boundary): a run folder's checkpoint, and albums of images to predict, each album already cut
 * into batches. Batches are a list of image lists so a caller can group them (e.g. by cluster for a
 * group-context model); `chunkBatches` is the default fixed-size grouping.
 */
import { z } from 'zod'
import { BACKEND_CHOICES } from '../backend/backend-choice'
import { CrfParamsSchema } from '../postprocess/crf/crf-params'
import { TtaOptionsSchema } from './tta-options'
import { InferGeometrySchema } from './geometry'
import { parseRequest } from '../sessions/request-error'

/** A prediction's file name stem: no folders, so outputs stay inside their album's output folder. */
const SAFE_NAME = /^[A-Za-z0-9._-][A-Za-z0-9._ -]{0,199}$/

export const InferItemSchema = z
  .object({
    /** Image file to predict (any format sharp decodes). */
    image: z.string().min(1),
    /** Output stem: writes <outDir>/<name>.png and <outDir>/<name>_color.png. */
    name: z
      .string()
      .regex(SAFE_NAME, 'a name is a plain file stem (letters, digits, ".", "_", "-", " ")')
      .refine((n) => n !== '.' && n !== '..', 'a name cannot be "." or ".."'),
  })
  .strict()
export type InferItem = z.infer<typeof InferItemSchema>

export const InferAlbumSchema = z
  .object({
    outDir: z.string().min(1),
    batches: z.array(z.array(InferItemSchema).min(1)),
  })
  .strict()
export type InferAlbum = z.infer<typeof InferAlbumSchema>

export const InferRequestSchema = z
  .object({
    /** A training run folder (run.json + checkpoint.json + checkpoints/<iter>/). */
    runDir: z.string().min(1),
    backend: z.enum(BACKEND_CHOICES).default('wasm'),
    albums: z.array(InferAlbumSchema).min(1),
    /** Test-time augmentation (multi-scale + flip averaging of probabilities); null = one plain pass. */
    tta: TtaOptionsSchema.nullable().default(null),
    /** Dense CRF refinement of the probabilities before the argmax, on the original RGB; null = off. */
    crf: CrfParamsSchema.nullable().default(null),
    /** Predict with this snapshot (<runDir>/checkpoints/<iteration>/) instead of the latest checkpoint; null = latest. */
    checkpoint: z.number().int().min(0).nullable().default(null),
    /**
     * Write each image's top-2 class probability map (<outDir>/<name>.top2, long side ≤ maxSide; see
     * top2-file.ts) instead of its label PNGs: the editor's click masks. Not with TTA or the CRF.
     */
    top2: z
      .object({ maxSide: z.number().int().min(8).max(4096) })
      .strict()
      .nullable()
      .default(null),
    /**
     * How images go through the network (geometry.ts): aspect kept at 1.5 × the run's training size by
     * default; { mode: 'squash' } only where a caller asks for the old size × size resize.
     */
    geometry: InferGeometrySchema.default({ mode: 'aspect', longSide: null }),
  })
  .strict()
  .refine((r) => r.top2 === null || (r.tta === null && r.crf === null), {
    message: 'top2 maps are plain passes: leave tta and crf off',
    path: ['top2'],
  })
export type InferRequest = z.infer<typeof InferRequestSchema>
export type InferRequestInput = z.input<typeof InferRequestSchema>

export function parseInferRequest(raw: unknown): InferRequest {
  return parseRequest(InferRequestSchema, raw, 'inference request')
}

/** Default grouping: consecutive fixed-size chunks, in the given order. */
export function chunkBatches<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError(`batch size must be an integer ≥ 1, got ${size}`)
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}
