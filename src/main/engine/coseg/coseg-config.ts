/**
 * Settings of tag-driven co-segmentation (see coseg-math.ts for the rule each one enters). Defaults:
 *   affinityWeight α = 0.5   equal say for the model's activation and the group's feature affinity;
 *   temperature T = 0.1      cosine similarities (−1…1) become affinity logits of ±10, so a pixel that
 *                            matches one prototype clearly outweighs a mildly confident activation;
 *   seedConfidence = 0.6     a pixel seeds its class prototype when its restricted activation is ≥ this;
 *   minConfidence = 0.7      after the CRF, a pixel whose top marginal is below this gets 255 (no proposal);
 *   crf                      the dense CRF (DeepLab defaults, crf-params.ts); null = no CRF.
 */
import { z } from 'zod'
import { CrfParamsSchema } from '../postprocess/crf/crf-params'

export const COSEG_DEFAULTS = {
  affinityWeight: 0.5,
  temperature: 0.1,
  seedConfidence: 0.6,
  minConfidence: 0.7,
} as const

export const CosegConfigSchema = z
  .object({
    affinityWeight: z.number().min(0).max(1).default(COSEG_DEFAULTS.affinityWeight),
    temperature: z.number().finite().positive().max(100).default(COSEG_DEFAULTS.temperature),
    seedConfidence: z.number().min(0).max(1).default(COSEG_DEFAULTS.seedConfidence),
    minConfidence: z.number().min(0).max(1).default(COSEG_DEFAULTS.minConfidence),
    crf: CrfParamsSchema.nullable().default(() => CrfParamsSchema.parse({})),
  })
  .strict()

export type CosegConfig = z.infer<typeof CosegConfigSchema>
export type CosegConfigInput = z.input<typeof CosegConfigSchema>

/** Fills in the defaults; throws a ZodError on bad values. */
export function cosegConfig(c: CosegConfigInput = {}): CosegConfig {
  return CosegConfigSchema.parse(c)
}
