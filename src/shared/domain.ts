/** Domain types shared by main, preload and renderer. Plain data only (JSON-serialisable). */

export type AppMode = 'electron' | 'browser' | 'cli'

export interface AppInfo {
  name: string
  version: string
  mode: AppMode
  capabilities: { pickDirectory: boolean; pickFile?: boolean }
  project: ProjectInfo | null
  /** The compute backend of the engine, once known (filled by the engine issue). */
  backend: { name: string; device: string; notes: string[] } | null
}

export interface RecentProject {
  path: string
  name: string
  openedAt: string
  /** False when the folder is gone or no longer holds a project. */
  exists: boolean
}

export interface ProjectInfo {
  path: string
  name: string
  schemaVersion: number
  createdAt: string
  /** True for the embedded demo project created by `npm start`. */
  demo: boolean
  /** Present when the project is open read-only, saying why (its disk is full); writes are refused. */
  readOnly?: string
  /**
   * Present (in appInfo) when the project's folder was moved or deleted while open, saying so: every
   * write is refused until it is reopened from where it is now, or closed.
   */
  folderProblem?: string
}

export interface Album {
  id: number
  name: string
  /** PIS user id ("id3") when imported from PIS; null for a folder album. */
  userId: string | null
  createdAt: string
  imageCount: number
  maskedCount: number
  validationCount: number
  /** Validation images that have a human mask ("131 of 202 validation masks done"). */
  validationMaskedCount: number
  /** Active validation split version, if any. */
  splitId: number | null
  clusteringCount: number
}

export interface SourceDataset {
  id: number
  name: string
  format: 'voc'
  root: string
  createdAt: string
  imageCount: number
  maskedCount: number
  /** Named image lists from ImageSets (train, val, trainaug…) with their sizes. */
  lists: { name: string; count: number }[]
}

export type MaskAuthor = 'human' | 'model'

export interface MaskInfo {
  version: number
  author: MaskAuthor
  createdAt: string
  /** Pixels per label index, for quick class summaries (keys: label indices incl. 255). */
  classPixels: Record<string, number>
}

export interface ImageRecord {
  id: number
  albumId: number | null
  sourceId: number | null
  /** File name as imported (may start with '-', contain spaces or unicode). */
  name: string
  width: number
  height: number
  /** EXIF orientation of the original (1–8); width/height are after applying it. */
  orientation: number
  bytes: number
  hash: string
  tags: number[]
  hasMask: boolean
  maskVersion: number | null
  inValidation: boolean
  /** Cluster of the album's newest clustering, if any. */
  cluster: number | null
  /** Media references; turn into URLs with the renderer's api client (`mediaUrl`). */
  media: { image: string; thumb: string; mask: string | null }
}

export interface ImagePage {
  total: number
  offset: number
  items: ImageRecord[]
}

export interface ImageDetail extends ImageRecord {
  /** Where the original lives (inside the project when copied). */
  originalPath: string
  importedAt: string
  masks: MaskInfo[]
  albumName: string | null
  sourceName: string | null
  /** Neighbours in the default order, for next/previous navigation. */
  prevId: number | null
  nextId: number | null
}

export const JobStatus = {
  Queued: 'queued',
  Running: 'running',
  Done: 'done',
  Failed: 'failed',
  Cancelled: 'cancelled',
} as const
export type JobStatus = (typeof JobStatus)[keyof typeof JobStatus]

const FINAL_JOB_STATUSES: ReadonlySet<string> = new Set([
  JobStatus.Done,
  JobStatus.Failed,
  JobStatus.Cancelled,
])

/** A job in a final status never changes again (done, failed or cancelled). */
export function isFinalJobStatus(status: string): boolean {
  return FINAL_JOB_STATUSES.has(status)
}

export interface JobProgress {
  done: number
  total: number
  /** Items per second over the recent window. */
  rate: number | null
  /** What `done` counts, for the rate's label ("steps/s" while training, "img/s" otherwise); absent: images. */
  unit?: ProgressUnit
  etaSeconds: number | null
  message: string
}

/** What `done` counts: images (most jobs), training steps, or bytes (a download). */
export type ProgressUnit = 'images' | 'steps' | 'bytes'

/** A per-file problem found during a job (bad image, bad mask, unreadable list line…). */
export interface FileProblem {
  file: string
  reason: string
}

export interface JobRecord {
  id: number
  kind: string
  title: string
  status: JobStatus
  progress: JobProgress
  createdAt: string
  startedAt: string | null
  finishedAt: string | null
  error: string | null
  /** Problems reported along the way (capped; `problemCount` is the full count). */
  problems: FileProblem[]
  problemCount: number
  /** Kind-specific result (e.g. an ImportSummary). */
  result: unknown
}

export interface StartedJob {
  jobId: number
}

export interface ImportSummary {
  albumIds: number[]
  sourceIds: number[]
  imported: number
  duplicates: number
  masks: number
  rejected: number
}

/** Media reference helpers: the same strings in every door; the doors resolve them safely. */
export const mediaRef = {
  image: (imageId: number) => `image/${imageId}`,
  thumb: (imageId: number) => `thumb/${imageId}`,
  mask: (imageId: number, version: number) => `mask/${imageId}/${version}`,
  /** A file under the project folder (run outputs, figures); traversal is refused by the doors. */
  file: (relPath: string) => `file/${relPath.split('/').map(encodeURIComponent).join('/')}`,
}
