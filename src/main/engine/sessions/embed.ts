/**
 * The embedding map's layout: the colour descriptors of an album's images or a trained run's encoder
 * features, then a seeded UMAP or PCA layout in 2-D (body in ../cluster/embed-in-worker.ts).
 */
import { z } from 'zod'
import type { FileProblem } from '../runs/file-dataset'
import { parseRequest } from './request-error'
import { defineSession } from './session'

export const EmbedRequestSchema = z
  .object({
    images: z.array(z.object({ id: z.number().int(), path: z.string().min(1) }).strict()).min(1),
    method: z.enum(['umap', 'pca']),
    seed: z.number().int().min(0).max(0xffffffff),
    /** Lay out a trained run's encoder features (its folder, the backend to run it on) instead of colour. */
    encoder: z
      .object({ runDir: z.string().min(1), backend: z.string() })
      .strict()
      .optional(),
  })
  .strict()
export type EmbedRequest = z.infer<typeof EmbedRequestSchema>
export type EmbedRequestInput = z.input<typeof EmbedRequestSchema>

export interface EmbedOutcome {
  status: 'done' | 'cancelled'
  method: EmbedRequest['method']
  features: string
  ids: number[]
  x: number[]
  y: number[]
  seconds: number
}

export type EmbedEvent =
  { type: 'progress'; done: number; total: number } | ({ type: 'problem' } & FileProblem)

export const embedSession = defineSession<EmbedRequestInput, EmbedRequest, EmbedEvent, EmbedOutcome>({
  what: 'embedding',
  parse: (raw) => parseRequest(EmbedRequestSchema, raw, 'embedding request'),
})
