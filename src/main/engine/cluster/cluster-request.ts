/**
 * What an album clustering is asked to do, as data (structured-clone safe, validated on both sides of the
 * worker boundary), and what it records about how it was made.
 */
import { z } from 'zod'
import { BACKEND_CHOICES } from '../backend/backend-choice'
import { parseRequest } from '../sessions/request-error'

export const CLUSTER_FEATURE_KINDS = ['color', 'encoder'] as const
export type ClusterFeatureKind = (typeof CLUSTER_FEATURE_KINDS)[number]

export const ClusterRequestSchema = z
  .object({
    images: z
      .array(z.object({ id: z.number().int(), path: z.string().min(1) }).strict())
      .min(1, 'the album has no images to cluster'),
    /** A number of groups, 'auto' (best silhouette) or 'default' (round(N/8), the paper's group size). */
    k: z.union([z.number().int().min(1), z.literal('auto'), z.literal('default')]).default('default'),
    features: z.enum(CLUSTER_FEATURE_KINDS).default('color'),
    /** Training run folder whose checkpoint's backbone gives the 'encoder' features. */
    runDir: z.string().min(1).optional(),
    seed: z.number().int().min(0).max(0xffffffff).default(0),
    restarts: z.number().int().min(1).max(100).default(10),
    backend: z.enum(BACKEND_CHOICES).default('wasm'),
  })
  .strict()
  .refine((r) => r.features !== 'encoder' || r.runDir !== undefined, {
    message: 'encoder features need runDir (a training run folder with a checkpoint)',
    path: ['runDir'],
  })
export type ClusterRequest = z.infer<typeof ClusterRequestSchema>
export type ClusterRequestInput = z.input<typeof ClusterRequestSchema>

export function parseClusterRequest(raw: unknown): ClusterRequest {
  return parseRequest(ClusterRequestSchema, raw, 'clustering request')
}

/** How the features were made (stored in the clustering's meta). */
export type FeatureRecord =
  | { kind: 'color'; version: string; side: number; length: number }
  | {
      kind: 'encoder'
      runDir: string
      checkpointDir: string
      iteration: number
      inputSize: number
      length: number
    }

/** Stored as the clustering's meta (GroupingsRepo.addClustering). */
export interface ClusteringMeta {
  method: 'kmeans++'
  features: FeatureRecord
  /** What was asked: a number, 'auto' or 'default'. */
  kRequested: number | 'auto' | 'default'
  k: number
  seed: number
  restarts: number
  inertia: number
  /** Mean silhouette of the result; null when K < 2 or K > n − 1 (undefined there). */
  silhouette: number | null
  /** Silhouette per K tried ('auto' only). */
  autoK?: { k: number; silhouette: number }[]
  images: number
  /** Images whose features could not be computed (reported by name as problems; left unassigned). */
  skipped: number
  seconds: number
}

export interface ClusterOutcome {
  status: 'done' | 'cancelled'
  /** [imageId, group] pairs (only for 'done'). */
  assignments: [number, number][]
  meta: ClusteringMeta | null
}
