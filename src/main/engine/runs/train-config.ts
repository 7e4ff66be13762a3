/**
 * The configuration of one supervised training run, as data: validated once (zod) in the main thread and
 * again in the worker, and written to the run folder so a resume can check it continues the same run.
 */
import { z } from 'zod'
import { BACKEND_CHOICES } from '../backend/backend-choice'
import { parseRequest } from '../sessions/request-error'

/** What the run trains on: the engine's synthetic shapes task, or labelled image files. */
export const TrainDataSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('shapes') }).strict(),
  z
    .object({
      kind: z.literal('files'),
      items: z.array(z.object({ image: z.string().min(1), mask: z.string().min(1) }).strict()).min(1),
      /** Output classes; label values must be below this or 255 (ignore). VOC: 21. */
      numClasses: z.number().int().min(2).max(255).default(21),
    })
    .strict(),
])
export type TrainData = z.infer<typeof TrainDataSchema>

export const TrainConfigSchema = z
  .object({
    /** The run folder: run.json, checkpoint.json and checkpoints/<iteration>/ live here. */
    runDir: z.string().min(1),
    /** Seeds the model's initial weights and the data order. */
    seed: z.number().int().min(0).max(0xffffffff),
    /** Total iterations; the poly schedule reaches 0 here. */
    steps: z.number().int().min(1),
    batch: z.number().int().min(1).max(64),
    /** Crop side; a multiple of 8 (the net's output stride) and at least 16. */
    size: z
      .number()
      .int()
      .min(16)
      .max(1024)
      .refine((s) => s % 8 === 0, { message: 'size must be a multiple of 8' }),
    width: z.union([z.literal(16), z.literal(32)]),
    lr: z.number().positive(),
    momentum: z.number().min(0).max(1),
    weightDecay: z.number().min(0),
    /** Save a checkpoint every this many iterations (0 = only at the end). */
    checkpointEvery: z.number().int().min(0),
    backend: z.enum(BACKEND_CHOICES),
    data: TrainDataSchema,
  })
  .strict()

export type TrainConfig = z.infer<typeof TrainConfigSchema>

export const TRAIN_DEFAULTS = {
  batch: 4,
  size: 64,
  width: 16,
  lr: 0.01,
  momentum: 0.9,
  weightDecay: 5e-4,
  checkpointEvery: 100,
  backend: 'wasm',
  data: { kind: 'shapes' },
} as const satisfies Partial<TrainConfig>

/** Fills defaults and validates; the message names every bad field. */
export function parseTrainConfig(raw: unknown): TrainConfig {
  const withDefaults =
    raw !== null && typeof raw === 'object' ? { ...TRAIN_DEFAULTS, ...(raw as object) } : raw
  return parseRequest(TrainConfigSchema, withDefaults, 'training config')
}

/** Fields that must be equal for a resume to continue the same loss curve. */
export const RUN_IDENTITY_FIELDS = [
  'seed',
  'steps',
  'batch',
  'size',
  'width',
  'lr',
  'momentum',
  'weightDecay',
  'data',
] as const satisfies readonly (keyof TrainConfig)[]
