/**
 * Test-time augmentation options, as data (no tfjs here: the request schema is validated on the
 * caller's thread too). See tta.ts for what the passes do.
 */
import { z } from 'zod'

export const DEFAULT_TTA_SCALES = [0.5, 0.75, 1, 1.25, 1.5] as const

export const TtaOptionsSchema = z
  .object({
    /** Input scales relative to the run's training side (each pass: a square of side ≈ size·scale). */
    scales: z
      .array(z.number().finite().min(0.25).max(4))
      .min(1)
      .max(10)
      .default([...DEFAULT_TTA_SCALES]),
    /** Also average the horizontally flipped pass of every scale. */
    flip: z.boolean().default(true),
  })
  .strict()
export type TtaOptions = z.infer<typeof TtaOptionsSchema>
export type TtaOptionsInput = z.input<typeof TtaOptionsSchema>

/** No augmentation: one pass at the training side. */
export const PLAIN_PASS: TtaOptions = { scales: [1], flip: false }
