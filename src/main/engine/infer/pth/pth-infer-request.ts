/**
 * What a `.pth` prediction is asked to do, as data (structured-clone safe, validated on both sides of the
 * worker boundary): the checkpoint, the images (predicted one at a time: their sizes differ), the output
 * folder, and the preprocessing — the model's own at native resolution, or an explicit long side.
 */
import { z } from 'zod'
import { BACKEND_CHOICES } from '../../backend/backend-choice'
import { InferItemSchema } from '../infer-request'
import { parseRequest } from '../../sessions/request-error'

/**
 * Default forward-pass limit. The wasm backend's heap stops at 4 GiB, and a forward pass keeps the network's
 * activations alive until it returns: measured peak (tf.profile, wasm) ≈ 1.2–1.3 kB per input pixel for
 * both LR-ASPP and DeepLabV3 MobileNetV3-Large — 2.44 / 2.52 GB at 1600×1250 (2 MP), which runs; 3 MP would
 * need ~3.8 GB, too close to the heap's end. Bigger photos go through `--size`.
 */
export const FORWARD_MAX_PIXELS = 2_000_000

export const PthInferRequestSchema = z
  .object({
    /** A torchvision segmentation state dict written by torch.save. */
    pth: z.string().min(1),
    backend: z.enum(BACKEND_CHOICES).default('wasm'),
    outDir: z.string().min(1),
    items: z.array(InferItemSchema).min(1),
    /**
     * null: the whole image at its own resolution (torchvision's evaluation). A number: the image is first
     * resized so its long side is this many pixels (aspect kept); the logits still come back at its size.
     */
    size: z.number().int().min(16).max(8192).nullable().default(null),
    /** Largest image the decoder accepts (media/limits.ts). */
    maxPixels: z.number().int().positive(),
    /** Largest forward-pass input, in pixels (after `size`); a bigger one is skipped with a message. */
    maxForwardPixels: z.number().int().positive(),
  })
  .strict()
export type PthInferRequest = z.infer<typeof PthInferRequestSchema>
export type PthInferRequestInput = z.input<typeof PthInferRequestSchema>

export function parsePthInferRequest(raw: unknown): PthInferRequest {
  return parseRequest(PthInferRequestSchema, raw, '.pth inference request')
}

/** The forward-pass size of an image: its own, or long side `size` with the aspect kept (each side ≥ 1). */
export function forwardSize(
  width: number,
  height: number,
  size: number | null,
): { width: number; height: number } {
  if (size === null) return { width, height }
  const scale = size / Math.max(width, height)
  return {
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
  }
}
