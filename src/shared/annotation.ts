/**
 * Annotation domain types: per-image annotation status, mask versions, validation splits with their
 * per-cluster coverage, and export summaries. Plain data (JSON), no Node or DOM imports.
 */
import type { MaskInfo } from './domain'

/** Where an image stands in annotation. */
export const AnnotationStatus = {
  NotStarted: 'not_started',
  InProgress: 'in_progress',
  Done: 'done',
  Reviewed: 'reviewed',
} as const
export type AnnotationStatus = (typeof AnnotationStatus)[keyof typeof AnnotationStatus]
export const ANNOTATION_STATUSES: readonly AnnotationStatus[] = [
  'not_started',
  'in_progress',
  'done',
  'reviewed',
]

export const ANNOTATION_STATUS_LABELS: Record<AnnotationStatus, string> = {
  not_started: 'Not started',
  in_progress: 'In progress',
  done: 'Done',
  reviewed: 'Reviewed',
}

/** One stored mask version with what the annotation studio records about it. */
export interface MaskVersion extends MaskInfo {
  origin: string
  /** The version the editor started from (null: from scratch or imported). */
  baseVersion: number | null
  /** Pixels that differ from what the editor loaded (hand edits); null for imported/model masks. */
  handPixels: number | null
}

export interface SavedMask {
  imageId: number
  version: number
  status: AnnotationStatus
  versions: MaskVersion[]
}

/** Validation coverage of one cluster of the clustering a split was stratified over. */
export interface ClusterCoverage {
  /** Cluster index, or null for images the clustering does not cover. */
  cluster: number | null
  images: number
  validation: number
  /** Validation images with a human mask. */
  annotated: number
}

export interface SplitInfo {
  id: number
  albumId: number
  version: number
  name: string
  createdAt: string
  /** Seed and fraction it was drawn with (null for imported splits). */
  seed: number | null
  fraction: number | null
  /** The clustering it was stratified over (null: none existed, or imported). */
  clusteringId: number | null
  imageCount: number
  validationCount: number
  validationAnnotated: number
  /** Per cluster of the album's newest clustering (one row with cluster null when there is none). */
  coverage: ClusterCoverage[]
}

/** One image of the annotation queue (the active split's validation images). */
export interface QueueItem {
  imageId: number
  name: string
  status: AnnotationStatus
  maskVersion: number | null
  cluster: number | null
}

export interface AnnotationQueue {
  albumId: number
  split: SplitInfo | null
  items: QueueItem[]
}

export const ExportFormat = { Voc: 'voc', Pis: 'pis' } as const
export type ExportFormat = (typeof ExportFormat)[keyof typeof ExportFormat]

export interface ExportSummary {
  format: ExportFormat
  out: string
  albumId: number
  albumName: string
  /** Masks written (newest version of each image that has one). */
  masks: number
  /** Images copied (or linked) into JPEGImages. */
  images: number
  /** Names in the validation list (val.txt / val_all.txt). */
  validation: number
  /** Validation images without a mask (listed nowhere; a warning). */
  missingMasks: string[]
}

/** Where a mask proposal comes from: a run's prediction, or a stored proposal (tag co-segmentation…). */
export const PROPOSAL_SOURCE_KINDS = ['prediction', 'tags'] as const
export type ProposalSourceKind = (typeof PROPOSAL_SOURCE_KINDS)[number]

/**
 * One proposal the editor can show over an image and copy from (never a mask version by itself): a
 * label PNG at the image's size, 255 = no proposal at that pixel.
 */
export interface MaskProposalSource {
  /** Stable key within the image: `pred:<runId>` or `proposal:<id>`. */
  key: string
  kind: ProposalSourceKind
  /** What the editor lists ("No-DA #3", "Personalize #4 — OURS-S2", "Tag co-segmentation (cluster 4)"). */
  label: string
  /** Media ref of the label PNG (`pred/<run>/<image>` or `file/<rel>`). */
  media: string
  /** Classes present (0–20) when the producer recorded them; null: known once the PNG is loaded. */
  classes: number[] | null
  runId: number | null
  createdAt: string
}
