/**
 * The configuration of one SegSort run, as data: validated (zod) in the main thread and again in the worker,
 * written to <runDir>/segsort/run.json. Defaults follow Hwang et al. 2019 where the paper gives them
 * (embedding dimension 32, concentration κ = 10, k-NN voting) and the studio's compact settings elsewhere.
 */
import { z } from 'zod'
import { BACKEND_CHOICES } from '../backend/backend-choice'
import { parseRequest } from '../sessions/request-error'

const File = z.object({ image: z.string().min(1), mask: z.string().min(1) }).strict()

/** An annotated image for the memory bank: its files and the key the studio knows it by (image id). */
export const BankFileSchema = z
  .object({ image: z.string().min(1), mask: z.string().min(1), key: z.string().min(1) })
  .strict()
export type BankFile = z.infer<typeof BankFileSchema>

export const BANK_ORIGINS = ['source', 'album-validation'] as const
export type BankOrigin = (typeof BANK_ORIGINS)[number]

const AlbumImage = z
  .object({
    image: z.string().min(1),
    /** Prediction stem (the image id in the studio). */
    name: z.string().regex(/^[A-Za-z0-9._-][A-Za-z0-9._ -]{0,199}$/, 'a name is a plain file stem'),
  })
  .strict()

const size = z
  .number()
  .int()
  .min(16)
  .max(1024)
  .refine((s) => s % 8 === 0, { message: 'size must be a multiple of 8' })

export const SegsortParamsSchema = z
  .object({
    /** Embedding dimension of the head. */
    dim: z.number().int().min(2).max(256).default(32),
    /** vMF concentration κ of the loss. */
    kappa: z.number().positive().max(1000).default(10),
    /** Training oversegmentation intersected with the ground truth: a fixed grid, or spherical k-means. */
    oversegment: z.enum(['grid', 'kmeans']).default('grid'),
    /** Grid side (grid) or clusters per image (kmeans) of the training oversegmentation. */
    regions: z.number().int().min(1).max(64).default(4),
    /** Segments per image at inference and in the memory bank (spherical k-means of the embeddings). */
    clusters: z.number().int().min(1).max(255).default(8),
    /** Neighbours in the k-NN vote. */
    knn: z.number().int().min(1).max(200).default(10),
    /** Bank segments smaller than this many pixels (at the network's input size) are left out. */
    minSegmentPixels: z.number().int().min(1).default(4),
    lr: z.number().positive().max(10).default(0.01),
    momentum: z.number().min(0).max(1).default(0.9),
    weightDecay: z.number().min(0).max(1).default(5e-4),
  })
  .strict()
export type SegsortParams = z.infer<typeof SegsortParamsSchema>

export const SegsortConfigSchema = z
  .object({
    /** Folder of this SegSort stage (<album run>/segsort). */
    runDir: z.string().min(1),
    seed: z.number().int().min(0).max(0xffffffff),
    steps: z.number().int().min(1),
    batch: z.number().int().min(1).max(64),
    size,
    width: z.union([z.literal(16), z.literal(32)]),
    numClasses: z.number().int().min(2).max(255).default(21),
    backend: z.enum(BACKEND_CHOICES).default('wasm'),
    params: SegsortParamsSchema.default(SegsortParamsSchema.parse({})),
    /** Labelled training images (the source set). */
    source: z.array(File).min(1),
    /** A source-model checkpoint folder whose backbone + PSP weights start the network (null = fresh). */
    init: z.string().min(1).nullable().default(null),
    /** Annotated images whose segments form the memory bank, by origin. */
    bank: z.array(z.object({ origin: z.enum(BANK_ORIGINS), files: z.array(BankFileSchema) }).strict()).min(1),
    /** Album images to predict (PIS layout into `outDir`), with their explain files. */
    predict: z
      .object({
        outDir: z.string().min(1),
        images: z.array(AlbumImage),
        batch: z.number().int().min(1).max(64),
      })
      .strict(),
  })
  .strict()
export type SegsortConfig = z.infer<typeof SegsortConfigSchema>
export type SegsortConfigInput = z.input<typeof SegsortConfigSchema>

export function parseSegsortConfig(raw: unknown): SegsortConfig {
  return parseRequest(SegsortConfigSchema, raw, 'SegSort config')
}
