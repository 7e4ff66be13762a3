/**
 * Dense CRF parameters (Krähenbühl & Koltun 2011, as DeepLab uses it). Energy, per pixel i and label l:
 *   E(x) = Σ_i U_i(x_i) + Σ_{i,j} μ(x_i, x_j) [ w1 k1(i,j) + w2 k2(i,j) ]
 *   k1 = exp(-|p_i - p_j|² / 2θα² - |I_i - I_j|² / 2θβ²)   appearance (bilateral: positions and RGB)
 *   k2 = exp(-|p_i - p_j|² / 2θγ²)                          smoothness (positions only)
 * with Potts compatibility μ(a, b) = [a ≠ b] and U = -log(probability).
 *
 * Defaults: DeepLab-LargeFOV's cross-validated VOC setting (DeepLab v1 paper; the VGG-16 run_densecrf.sh
 * of DeepLab v2): 10 mean-field iterations, w1 = 4, θα = 121 px, θβ = 5 (RGB 0–255), w2 = 3, θγ = 3 px.
 * (DeepLab v2's ResNet-101 setting is w1 4, θα 67, θβ 3, w2 3, θγ 1; pass those to use it.)
 * Positions are in pixels of the image the CRF runs on (the original image), as in DeepLab.
 */
import { z } from 'zod'

export const CRF_DEFAULTS = {
  iterations: 10,
  bilateral: { weight: 4, xyStd: 121, rgbStd: 5 },
  spatial: { weight: 3, xyStd: 3 },
} as const

const positive = z.number().finite().positive()
const weight = z.number().finite().min(0).max(1000)

export const CrfParamsSchema = z
  .object({
    iterations: z.number().int().min(0).max(100).default(CRF_DEFAULTS.iterations),
    /** Appearance kernel: weight w1, position std θα (px), colour std θβ (0–255 units). */
    bilateral: z
      .object({
        weight: weight.default(CRF_DEFAULTS.bilateral.weight),
        xyStd: positive.default(CRF_DEFAULTS.bilateral.xyStd),
        rgbStd: positive.default(CRF_DEFAULTS.bilateral.rgbStd),
      })
      .strict()
      .default({ ...CRF_DEFAULTS.bilateral }),
    /** Smoothness kernel: weight w2, position std θγ (px). */
    spatial: z
      .object({
        weight: weight.default(CRF_DEFAULTS.spatial.weight),
        xyStd: positive.default(CRF_DEFAULTS.spatial.xyStd),
      })
      .strict()
      .default({ ...CRF_DEFAULTS.spatial }),
  })
  .strict()

export type CrfParams = z.infer<typeof CrfParamsSchema>
export type CrfParamsInput = z.input<typeof CrfParamsSchema>

/** Fills in the defaults; throws a ZodError on bad values. */
export function crfParams(p: CrfParamsInput = {}): CrfParams {
  return CrfParamsSchema.parse(p)
}
