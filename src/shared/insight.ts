/**
 * Insight: images seen through runs and clusters (per-image FIoU, gain of run A over run B, cluster
 * summaries, the 2-D embedding of an album's image features). Plain data and pure functions, no Node or
 * DOM imports: bundled into main and renderer, and the ordering used by the server is the one tested.
 *
 * Metric values are fractions (0–1), as stored; gain = FIoU(run) − FIoU(baseline run), in fractions.
 */
import type { ImageRecord } from './domain'
import type { ClusteringInfo } from './clustering'
import type { AlbumScores, ClassScore } from './runs'

/** Orders of the insight grid. Images without the value sort last, then by name. */
export const INSIGHT_ORDERS = ['name', 'cluster', 'fiou-asc', 'fiou-desc', 'gain-desc', 'gain-asc'] as const
export type InsightOrder = (typeof INSIGHT_ORDERS)[number]

export const INSIGHT_ORDER_LABELS: Record<InsightOrder, string> = {
  name: 'Name',
  cluster: 'Cluster',
  'fiou-asc': 'Worst FIoU first',
  'fiou-desc': 'Best FIoU first',
  'gain-desc': 'Most improved',
  'gain-asc': 'Most hurt',
}

/** Which images to keep: everything, those the run scored, those without a mask, those the run helped/hurt. */
export const INSIGHT_ONLY = ['all', 'scored', 'unannotated', 'helped', 'hurt'] as const
export type InsightOnly = (typeof INSIGHT_ONLY)[number]

/** An image of the grid with its metrics under the chosen runs (null: not scored by that run). */
export interface InsightImage extends ImageRecord {
  fiou: number | null
  baseFiou: number | null
  gain: number | null
}

export interface InsightPage {
  total: number
  offset: number
  items: InsightImage[]
}

/** The values ordering looks at (a light row: ordering 10,000 images must not build 10,000 records). */
export interface InsightRow {
  id: number
  name: string
  cluster: number | null
  hasMask: boolean
  fiou: number | null
  baseFiou: number | null
}

/** FIoU(run) − FIoU(baseline); null unless both runs scored the image. */
export function gainOf(fiou: number | null, baseFiou: number | null): number | null {
  return fiou === null || baseFiou === null ? null : fiou - baseFiou
}

export function keepRow(row: InsightRow, only: InsightOnly): boolean {
  switch (only) {
    case 'all':
      return true
    case 'scored':
      return row.fiou !== null
    case 'unannotated':
      return !row.hasMask
    case 'helped': {
      const g = gainOf(row.fiou, row.baseFiou)
      return g !== null && g > 0
    }
    case 'hurt': {
      const g = gainOf(row.fiou, row.baseFiou)
      return g !== null && g < 0
    }
    default: {
      const never: never = only
      throw new Error(`unknown filter ${String(never)}`)
    }
  }
}

const collator = new Intl.Collator('en', { sensitivity: 'base', numeric: false })

function byName(a: InsightRow, b: InsightRow): number {
  return collator.compare(a.name, b.name) || a.id - b.id
}

/** Compares two optional numbers with nulls last; `dir` 1 ascending, −1 descending. */
function nullsLast(a: number | null, b: number | null, dir: 1 | -1): number {
  if (a === null && b === null) return 0
  if (a === null) return 1
  if (b === null) return -1
  return (a - b) * dir
}

/** The grid order: a new sorted array (stable on name, then id); `rows` is not changed. */
export function orderRows(rows: readonly InsightRow[], order: InsightOrder): InsightRow[] {
  const out = rows.slice()
  switch (order) {
    case 'name':
      return out.sort(byName)
    case 'cluster':
      return out.sort((a, b) => nullsLast(a.cluster, b.cluster, 1) || byName(a, b))
    case 'fiou-asc':
      return out.sort((a, b) => nullsLast(a.fiou, b.fiou, 1) || byName(a, b))
    case 'fiou-desc':
      return out.sort((a, b) => nullsLast(a.fiou, b.fiou, -1) || byName(a, b))
    case 'gain-desc':
      return out.sort(
        (a, b) => nullsLast(gainOf(a.fiou, a.baseFiou), gainOf(b.fiou, b.baseFiou), -1) || byName(a, b),
      )
    case 'gain-asc':
      return out.sort(
        (a, b) => nullsLast(gainOf(a.fiou, a.baseFiou), gainOf(b.fiou, b.baseFiou), 1) || byName(a, b),
      )
    default: {
      const never: never = order
      throw new Error(`unknown order ${String(never)}`)
    }
  }
}

/** One cluster of the album's current grouping (the `cluster` column: its newest clustering). */
export interface ClusterRow {
  cluster: number
  size: number
  /** Up to SAMPLE_PER_CLUSTER images (by name) for the strip. */
  sample: { imageId: number; thumb: string; name: string }[]
  masked: number
  validation: number
  /** Validation images with a mask (the ones a run can be scored on). */
  validationMasked: number
  /** Images of the cluster the chosen run scored, and their mean FIoU (null: none scored / no run). */
  scored: number
  meanFiou: number | null
}

export const SAMPLE_PER_CLUSTER = 8

export interface ClusterOverview {
  albumId: number
  /** The album's newest clustering (what the `cluster` column holds), null when never clustered. */
  clustering: ClusteringInfo | null
  runId: number | null
  clusters: ClusterRow[]
  /** Images with no cluster (imported after the clustering). */
  unclustered: number
}

export const EMBEDDING_METHODS = ['umap', 'pca'] as const
export type EmbeddingMethod = (typeof EMBEDDING_METHODS)[number]

/**
 * Features an embedding map lays out: the colour/texture descriptor of the clustering code, or the
 * global-average-pooled encoder features of a trained source model (when the project has one).
 */
export const EMBEDDING_FEATURES = ['color', 'encoder'] as const
export type EmbeddingFeatures = (typeof EMBEDDING_FEATURES)[number]

/** A 2-D layout of an album's image features; coordinates normalised to [0, 1] on both axes. */
export interface AlbumEmbedding {
  albumId: number
  method: EmbeddingMethod
  seed: number
  /** What was embedded, for people: "color v1", "encoder of source model #3 (iteration 500, 128-d)". */
  features: string
  /** Which features (absent in layouts cached before encoder features existed: colour). */
  featureKind?: EmbeddingFeatures
  /** The source run whose encoder gave the features ('encoder' only). */
  sourceRunId?: number | null
  createdAt: string
  seconds: number
  ids: number[]
  x: number[]
  y: number[]
  /** Each point's cluster in the album's newest clustering (read when asked, not cached). */
  clusters: (number | null)[]
}

/**
 * One scored album run as the project results page reads it: the album-level metrics the run stored
 * (fractions 0–1), its per-class table, and what it was measured on (split, mask versions).
 */
export interface ResultsRun {
  runId: number
  /** Its display name ("No-DA #4", "Personalize #6 — OURS-S2"; run-names.ts). */
  name: string
  albumId: number
  albumName: string
  method: string
  createdAt: string
  seed: number | null
  /** The source model it predicted with (album runs sharing it share its loss curve). */
  sourceRunId: number | null
  splitId: number | null
  splitVersion: number | null
  /** Fingerprint of the (image, mask version) pairs it was scored on (see RunSummary.maskSet). */
  maskSet: string | null
  metrics: AlbumScores
  /** The 21 classes in class order, with the per-class image counts (paper Tables 7/8). */
  perClass: ClassScore[]
}

/** An album of the project with its active validation split (the split new runs are scored on). */
export interface ResultsAlbum {
  albumId: number
  name: string
  userId: string | null
  activeSplitId: number | null
  activeSplitVersion: number | null
}

/** Every scored album run of the project (done runs with stored album metrics), newest first. */
export interface ProjectResults {
  albums: ResultsAlbum[]
  runs: ResultsRun[]
}
