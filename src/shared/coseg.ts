/**
 * Tag-driven co-segmentation as the API sees it (no Node imports: bundled into main and renderer). A job
 * turns an album's image-level tags into mask proposals, one per tagged image, stored under the source
 * `tags:album-<id>` (a re-run replaces the album's earlier ones).
 */

/** The proposals source of an album's co-segmentation. */
export function cosegSourceId(albumId: number): string {
  return `tags:album-${albumId}`
}

/** Tunable settings (defaults in the engine's coseg-config.ts). */
export const COSEG_SETTING_RANGES = {
  affinityWeight: { min: 0, max: 1 },
  temperature: { min: 0.001, max: 100 },
  seedConfidence: { min: 0, max: 1 },
  minConfidence: { min: 0, max: 1 },
} as const

/** An image whose stored tags include values that are not VOC classes 1–20 (they were ignored). */
export interface CosegBadTags {
  imageId: number
  image: string
  tags: unknown[]
}

/** What a finished co-segmentation job returns (the job's result). */
export interface CosegJobResult {
  status: 'done' | 'cancelled'
  albumId: number
  /** The run asked for, and the run whose weights were used (a No-DA run uses its source model). */
  runId: number
  modelRunId: number
  checkpointIteration: number | null
  sourceId: string
  /** The clustering made first because the album had none (null: the album's newest one was used). */
  clusteringId: number | null
  images: number
  /** Images sent to the engine (at least one valid tag). */
  tagged: number
  /** Images without any valid tag: skipped. */
  untagged: number
  /** Images that could not be read: skipped, each named in the job's problems. */
  unreadable: number
  proposed: number
  groups: number
  badTags: CosegBadTags[]
  seconds: number
}
