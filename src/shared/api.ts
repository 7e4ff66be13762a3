/**
 * The one API contract between the renderer (untrusted) and the studio core.
 *
 * Every method takes exactly one argument object, validated at the door with the zod schema below,
 * and returns a Promise of the result type. The three doors (Electron IPC via named preload
 * functions, the browser-mode HTTP server, direct calls from the CLI/tests) all dispatch through
 * `dispatchApi` in src/main/app, so validation cannot be skipped by one door and not another.
 *
 * No Node or DOM imports here: this file is bundled into main, preload and renderer.
 */
import type { FarmStatus } from './farm'
import { z } from 'zod'
import type {
  Album,
  AppInfo,
  ImageDetail,
  ImagePage,
  JobRecord,
  ProjectInfo,
  RecentProject,
  SourceDataset,
  StartedJob,
} from './domain'
import type { AlbumDeletion } from './album-deletion'
import type {
  AnnotationQueue,
  AnnotationStatus,
  ExportSummary,
  MaskProposalSource,
  MaskVersion,
  SavedMask,
  SplitInfo,
} from './annotation'

import { CLUSTER_FEATURES, type ClusteringInfo } from './clustering'
import {
  EMBEDDING_FEATURES,
  EMBEDDING_METHODS,
  INSIGHT_ONLY,
  INSIGHT_ORDERS,
  type AlbumEmbedding,
  type ClusterOverview,
  type InsightPage,
  type ProjectResults,
} from './insight'
import { SEGSORT_BANKS, type ExplainedRegion } from './explain'
import type { ClickMaskMap } from './click-mask'
import {
  RUN_METHODS,
  type RunDetail,
  type RunEvent,
  type RunImageMetric,
  type RunSummary,
  type StartedRun,
  type StartedRuns,
} from './runs'
import { SELECTION_MODES, type RunSnapshots } from './snapshots'
import { COSEG_SETTING_RANGES } from './coseg'
import { VOC_CLASSES } from './voc'
import type { StartedVariant, VariantInfo } from './variants'
import type { SourceModel, SourceModelInspection } from './source-models'
import { TORCHVISION_FILES } from './torchvision-models'
export * from './domain'

// ---------- argument schemas ----------

/** An absolute or relative file-system path given by the user; resolved and checked by main. */
const userPath = z
  .string()
  .min(1, 'path is empty')
  .max(4096, 'path is longer than 4096 characters')
  .refine((p) => !p.includes('\0'), 'path contains a NUL byte')

/**
 * An absolute path (POSIX `/…`, Windows `C:\…` or `\\server\…`) to a file main reads once: a relative one
 * would depend on the working folder of whichever door made the call.
 */
const absoluteFilePath = userPath.refine((p) => /^(\/|[A-Za-z]:[\\/]|\\\\)/.test(p), 'path must be absolute')

const id = z.number().int().positive()
const name = z
  .string()
  .trim()
  .min(1, 'name is empty')
  .max(200, 'name is longer than 200 characters')
  // eslint-disable-next-line no-control-regex -- rejecting control characters is the point
  .refine((s) => !/[\u0000-\u001f]/.test(s), 'name contains control characters')

export const ImageFilter = z.enum(['all', 'masked', 'unmasked', 'validation', 'train'])
export const ImageSort = z.enum(['name', 'imported', 'cluster'])

/** Grid filter: images with this class present in their ground truth, or in run `runId`'s prediction. */
const HasClassFilter = z
  .object({
    classId: z
      .number()
      .int()
      .min(0)
      .max(VOC_CLASSES.length - 1),
    runId: id.optional(),
  })
  .strict()
/** Grid filter: images whose FIoU in run `runId` lies in [min, max] (fractions 0–1, inclusive). */
const FiouRangeFilter = z
  .object({ runId: id, min: z.number().min(0).max(1), max: z.number().min(0).max(1) })
  .strict()
  .refine((r) => r.min <= r.max, { message: 'fiou.min is above fiou.max' })

/** The settings of a run that startRun and startRuns share (defaults: RUN_DEFAULTS in shared/runs.ts). */
const runSettings = {
  method: z.enum(RUN_METHODS),
  iterations: z.number().int().min(1).max(200_000).optional(),
  /** Iterations of each adaptation stage (methods other than noda). */
  adaptIterations: z.number().int().min(1).max(200_000).optional(),
  /** Training crop and inference side: a multiple of 8, 16–512. */
  size: z
    .number()
    .int()
    .min(16)
    .max(512)
    .refine((s) => s % 8 === 0, 'size must be a multiple of 8')
    .optional(),
  seed: z.number().int().min(0).max(0xffffffff).optional(),
  /** Which snapshot the run uses (shared/snapshots.ts); default: heldout with ≥ 6 labelled validation images, else last. */
  selection: z.enum(SELECTION_MODES).optional(),
}

export const apiSchemas = {
  /** Version, mode (electron/browser/cli), capabilities, the open project. */
  appInfo: z.object({}).strict(),
  recentProjects: z.object({}).strict(),
  /** Creates a new project folder (must be empty or absent) and opens it. */
  createProject: z.object({ path: userPath, name: name.optional() }).strict(),
  openProject: z.object({ path: userPath }).strict(),
  closeProject: z.object({}).strict(),
  /** Native folder picker (Electron only; appInfo.capabilities.pickDirectory says if available). */
  pickDirectory: z.object({ title: z.string().max(200).optional() }).strict(),
  /** Native file picker (Electron only; appInfo.capabilities.pickFile says if available), limited to `extensions`. */
  pickFile: z
    .object({
      title: z.string().max(200).optional(),
      extensions: z
        .array(
          z
            .string()
            .regex(/^[a-z0-9]{1,10}$/, 'an extension is 1–10 lowercase letters or digits, without the dot'),
        )
        .max(10)
        .optional(),
    })
    .strict(),

  listAlbums: z.object({}).strict(),
  listSources: z.object({}).strict(),
  renameAlbum: z.object({ albumId: id, name }).strict(),
  deleteAlbum: z.object({ albumId: id }).strict(),
  /** What deleteAlbum would remove (images, masks, runs; copied vs in-place originals), for the confirmation. */
  albumDeletionPreview: z.object({ albumId: id }).strict(),
  /** One page of the thumbnail grid: images of an album or of a source dataset. */
  listImages: z
    .object({
      albumId: id.optional(),
      sourceId: id.optional(),
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(1000).default(200),
      filter: ImageFilter.default('all'),
      sort: ImageSort.default('name'),
      search: z.string().max(200).optional(),
      hasClass: HasClassFilter.optional(),
      fiou: FiouRangeFilter.optional(),
    })
    .strict()
    .refine((a) => (a.albumId === undefined) !== (a.sourceId === undefined), {
      message: 'give exactly one of albumId or sourceId',
    })
    .refine((a) => a.albumId !== undefined || (a.hasClass?.runId === undefined && a.fiou === undefined), {
      message: 'run filters (hasClass.runId, fiou) need an albumId: a source dataset has no runs',
    }),
  getImage: z.object({ imageId: id }).strict(),
  /** Replaces an image's image-level tags (VOC class ids 1–20; background is implicit). */
  setImageTags: z.object({ imageId: id, tags: z.array(z.number().int().min(1).max(20)).max(20) }).strict(),

  /** Imports a folder of photos as a new album (a background job). */
  importFolder: z
    .object({
      dir: userPath,
      albumName: name,
      copy: z.boolean().default(true),
      recursive: z.boolean().default(false),
    })
    .strict(),
  /** Imports a PIS root (`personal/id{k}/…` or the folder that holds `personal/`). */
  importPis: z.object({ root: userPath, copy: z.boolean().default(true) }).strict(),
  /** Imports a VOC-format source dataset (VOCdevkit/VOC2012 or the folder that holds it). */
  importVoc: z.object({ root: userPath, name: name.optional(), copy: z.boolean().default(false) }).strict(),

  listJobs: z.object({ limit: z.number().int().min(1).max(500).default(50) }).strict(),
  getJob: z.object({ jobId: id }).strict(),
  cancelJob: z.object({ jobId: id }).strict(),

  // ---------- runs, metrics and results (src/main/app/runs-handlers.ts) ----------
  /**
   * Starts a run on an album as a job (queue 'run'): the source model (trained on the project's labelled
   * source dataset, or reused when one with the same config exists), the method, prediction of every album
   * image, scoring on the album's active validation split. Defaults: RUN_DEFAULTS in shared/runs.ts.
   */
  startRun: z
    .object({
      albumId: id,
      ...runSettings,
      /** The labelled source dataset to train on; default: the project's only (or first) labelled one. */
      sourceId: id.optional(),
      /**
       * An imported source model (addSourceModel) to start from instead of training one: No-DA predicts with
       * it; the adaptive methods adapt it (they still need the labelled source set for their source loss).
       */
      sourceModelId: id.optional(),
      /** Keep a snapshot every this many iterations in each trained stage; default ⌈stage iterations / 10⌉. */
      snapshotEvery: z.number().int().min(1).max(200_000).optional(),
      /** SegSort only: the memory bank (shared/explain.ts); default 'source' (held-out metrics). */
      segsortBank: z.enum(SEGSORT_BANKS).optional(),
      /**
       * Adaptive methods only: settings of the method's adaptation stages over the registry defaults
       * (engine/methods/registry.ts, e.g. {"seg": {"lr": 0.01}} or {"entMain": 0.01}); every stage must accept them.
       */
      methodConfig: z.record(z.string(), z.unknown()).optional(),
    })
    .strict(),
  /**
   * The same run on many albums (default: every album of the project), e.g. "Personalize every album".
   * An album that cannot be run (no validation masks yet, …) is left out with the reason; the rest start.
   * In farm mode the runs go to the farm's workers side by side.
   */
  startRuns: z
    .object({
      albumIds: z.array(id).min(1).max(10_000).optional(),
      ...runSettings,
    })
    .strict(),
  /** Album runs of one album, or every run (source models included), newest first. */
  listRuns: z.object({ albumId: id.optional() }).strict(),
  getRun: z.object({ runId: id }).strict(),
  /** Per-image FIoU of a scored run, with the mask version each image was scored against. */
  runImageMetrics: z.object({ runId: id }).strict(),
  /** Deletes a finished run, its metrics and its folder (a running one: cancel its job first). */
  deleteRun: z.object({ runId: id }).strict(),

  // ---------- clustering (src/main/app/clustering-handlers.ts) ----------
  /**
   * Clusters an album's images into groups (a background job; a 'library' event when stored). k: a number
   * of groups or 'auto' (best silhouette); absent = round(N/8), the paper's group size. features: 'color'
   * (colour/texture descriptor) or 'encoder' (backbone of the training run in runDir).
   */
  clusterAlbum: z
    .object({
      albumId: id,
      k: z.union([z.number().int().min(1).max(100000), z.literal('auto')]).optional(),
      features: z.enum(CLUSTER_FEATURES).default('color'),
      runDir: userPath.optional(),
      seed: z.number().int().min(0).max(0xffffffff).default(0),
      restarts: z.number().int().min(1).max(100).default(10),
      name: name.optional(),
    })
    .strict()
    .refine((a) => a.features !== 'encoder' || a.runDir !== undefined, {
      message: "features 'encoder' needs runDir (a training run folder with a checkpoint)",
      path: ['runDir'],
    }),
  /** The album's clusterings, newest first. */
  listClusterings: z.object({ albumId: id }).strict(),

  // ---------- annotation: splits, masks, export (src/main/app/annotation-handlers.ts) ----------
  /**
   * Stores a new mask version. The mask comes as a label PNG (palette or 8-bit grey, values 0–20 and
   * 255) or as raw row-major indices; `baseVersion` is the version the editor started from (null: none),
   * and a save over a newer version is refused as a conflict.
   */
  saveMask: z
    .object({
      imageId: id,
      pngBase64: z.string().min(1).max(16_000_000).optional(),
      indicesBase64: z.string().min(1).max(64_000_000).optional(),
      baseVersion: id.nullable(),
      status: z.enum(['not_started', 'in_progress', 'done', 'reviewed']).optional(),
      handPixels: z.number().int().min(0).optional(),
      origin: z.string().max(200).optional(),
      /** hand / machine / mixed (shared/mask-origin.ts); a machine-only version is stored as the model's. */
      originKind: z.enum(['hand', 'machine', 'mixed']).optional(),
    })
    .strict()
    .refine((a) => (a.pngBase64 === undefined) !== (a.indicesBase64 === undefined), {
      message: 'give exactly one of pngBase64 or indicesBase64',
    }),
  listMaskVersions: z.object({ imageId: id }).strict(),
  /**
   * Stores a new version equal to an old one (nothing is overwritten), keeping its author; `reason`
   * 'undo' when the editor's undo went back to that version's content.
   */
  restoreMaskVersion: z
    .object({
      imageId: id,
      version: id,
      baseVersion: id.nullable(),
      reason: z.enum(['restore', 'undo']).optional(),
    })
    .strict(),
  setAnnotationStatus: z
    .object({ imageId: id, status: z.enum(['not_started', 'in_progress', 'done', 'reviewed']) })
    .strict(),
  /** The active split's validation images with their annotation status, for the editor's D/A. */
  annotationQueue: z.object({ albumId: id }).strict(),
  /** Draws a new frozen validation split (stratified over the newest clustering); never replaces silently. */
  makeSplit: z
    .object({
      albumId: id,
      fraction: z.number().gt(0, 'fraction must be above 0').lt(1, 'fraction must be below 1').default(0.3),
      seed: z
        .number()
        .int()
        .min(0)
        .max(2 ** 31 - 1)
        .default(1),
      name: name.optional(),
    })
    .strict(),
  getSplit: z.object({ albumId: id }).strict(),
  /** Writes an album's masks in VOC or PIS layout into `out` (absent or empty folder). */
  exportMasks: z
    .object({ albumId: id, format: z.enum(['voc', 'pis']), out: userPath, link: z.boolean().default(false) })
    .strict(),
  /** exportMasks as a job with progress (one step per photo); the job's result is the ExportSummary. */
  startMaskExport: z
    .object({ albumId: id, format: z.enum(['voc', 'pis']), out: userPath, link: z.boolean().default(false) })
    .strict(),
  /** The proposals the editor can start from for one image: done runs' predictions and stored proposals. */
  maskProposals: z.object({ imageId: id }).strict(),

  // ---------- insight: metrics on the grid, clusters, embedding map (src/main/app/insight-handlers.ts) ----------
  /**
   * One page of an album's images with the per-image FIoU of `runId` and the gain over `baseRunId`,
   * filtered by cluster (−1: unclustered), by an id selection (lasso), by `filter` and `only`, and
   * ordered by `order` (metric orders put images without the value last).
   */
  insightImages: z
    .object({
      albumId: id,
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(1000).default(200),
      filter: ImageFilter.default('all'),
      order: z.enum(INSIGHT_ORDERS).default('name'),
      only: z.enum(INSIGHT_ONLY).default('all'),
      cluster: z.number().int().min(-1).optional(),
      ids: z.array(id).max(200_000).optional(),
      runId: id.optional(),
      baseRunId: id.optional(),
      search: z.string().max(200).optional(),
      hasClass: HasClassFilter.optional(),
      fiou: FiouRangeFilter.optional(),
    })
    .strict(),
  /** The album's clusters (its newest clustering): size, a strip of thumbnails, coverage, mean FIoU of runId. */
  clusterOverview: z.object({ albumId: id, runId: id.optional() }).strict(),
  /** Lays out the album's image features in 2-D (a job in the engine worker), cached in the project. */
  computeEmbedding: z
    .object({
      albumId: id,
      method: z.enum(EMBEDDING_METHODS).default('umap'),
      seed: z.number().int().min(0).max(0xffffffff).default(0),
      /**
       * 'color' (the clustering's colour descriptor) or 'encoder' (a trained source model's encoder:
       * `sourceRunId`, else the source model of the album's newest done run, else the project's newest).
       */
      features: z.enum(EMBEDDING_FEATURES).default('color'),
      sourceRunId: id.optional(),
    })
    .strict(),
  /** The cached 2-D layout of the album (null: none computed yet). */
  albumEmbedding: z.object({ albumId: id }).strict(),
  /**
   * Every scored album run of the project (album-level metrics and per-class IoU as stored, split and
   * mask versions) with the albums and their active splits: the users × methods results page.
   */
  projectResults: z.object({}).strict(),

  // ---------- snapshots: evaluation and selection (src/main/app/snapshots-handlers.ts) ----------
  /** An album run's snapshot curve (FIoU per iteration on the selection / report part and the full split), its choice. */
  runSnapshots: z.object({ runId: id }).strict(),
  /** (Re)evaluates a done album run's snapshots as a job; `select` changes its selection mode (re-predicting if needed). */
  evaluateSnapshots: z.object({ runId: id, select: z.enum(SELECTION_MODES).optional() }).strict(),

  // ---------- coseg: image tags → mask proposals (src/main/app/coseg-handlers.ts) ----------
  /**
   * Co-segments an album's tagged images per cluster (clustering the album first when it has none) with
   * a done source or No-DA run's model, as a job; stores one proposal per tagged image under the source
   * `tags:album-<id>` (see shared/coseg.ts). Settings left out take the engine's defaults; crf false
   * skips the dense CRF.
   */
  startCoseg: z
    .object({
      albumId: id,
      runId: id,
      affinityWeight: z
        .number()
        .min(COSEG_SETTING_RANGES.affinityWeight.min)
        .max(COSEG_SETTING_RANGES.affinityWeight.max)
        .optional(),
      temperature: z
        .number()
        .min(COSEG_SETTING_RANGES.temperature.min)
        .max(COSEG_SETTING_RANGES.temperature.max)
        .optional(),
      seedConfidence: z
        .number()
        .min(COSEG_SETTING_RANGES.seedConfidence.min)
        .max(COSEG_SETTING_RANGES.seedConfidence.max)
        .optional(),
      minConfidence: z
        .number()
        .min(COSEG_SETTING_RANGES.minConfidence.min)
        .max(COSEG_SETTING_RANGES.minConfidence.max)
        .optional(),
      crf: z.boolean().default(true),
    })
    .strict(),

  // ---------- explain: SegSort retrievals (src/main/app/explain-handlers.ts) ----------
  /**
   * The segment under (x, y) (original pixels) of an image in a SegSort run's prediction, its label, and
   * the k nearest annotated segments of the run's memory bank that voted for it.
   */
  explainRegion: z
    .object({
      runId: id,
      imageId: id,
      x: z.number().int().min(0).max(1_000_000),
      y: z.number().int().min(0).max(1_000_000),
    })
    .strict(),

  // ---------- click masks: model-assisted masks in the editor (src/main/app/click-mask-handlers.ts) ----------
  /**
   * The class probability map (top two classes per pixel, bounded resolution) of an image from its
   * album's best model (the done album run with the highest FIoU, newest first on ties; else the
   * project's newest source model), computed in the engine worker and cached on disk per (image, model).
   */
  clickMaskMap: z.object({ imageId: id }).strict(),

  // ---------- variants: TTA / CRF predictions of a done album run (src/main/app/variants-handlers.ts) ----------
  /**
   * Predicts a done album run's album again with the run's model (the snapshot its predictions came from)
   * and test-time augmentation (multi-scale + flip), the dense CRF (DeepLab defaults), or both, as a job
   * (queue 'run'), and scores it on the run's validation images with the run's mask versions. SegSort
   * runs are refused (they label by k-NN, not from class probabilities).
   */
  predictVariant: z
    .object({ runId: id, tta: z.boolean(), crf: z.boolean() })
    .strict()
    .refine((a) => a.tta || a.crf, {
      message: 'choose tta, crf or both: without either the variant is the run itself',
      path: ['tta'],
    }),
  /** The variants of one run, or of every run of an album (done ones and those being made). */
  listVariants: z
    .object({ runId: id.optional(), albumId: id.optional() })
    .strict()
    .refine((a) => (a.runId === undefined) !== (a.albumId === undefined), {
      message: 'give exactly one of runId or albumId',
    }),

  // ---------- source models: imported PyTorch checkpoints (src/main/app/source-models-handlers.ts) ----------
  /**
   * Reads a `.pth` (a regular file up to 1 GiB; no code from it runs), detects its architecture, checks it
   * (21 VOC classes, finite weights) and stores a copy in the project's models/ folder; `name` defaults to
   * the file's name. A checkpoint already imported (same sha256) is refused with the model it matches.
   */
  addSourceModel: z.object({ path: absoluteFilePath, name: name.optional() }).strict(),
  /** The project's imported source models, oldest first. */
  listSourceModels: z.object({}).strict(),
  /**
   * What addSourceModel would store (architecture, parameters, classes, sha256), storing nothing; a file it
   * would refuse is refused with the same message. One already in the project is reported as `duplicateOf`.
   */
  inspectSourceModel: z.object({ path: absoluteFilePath }).strict(),
  /**
   * A job that downloads one of torchvision's published VOC-class checkpoints (src/shared/torchvision-models.ts)
   * into a temp file, checks its sha256 against the prefix in its name, and adds it like addSourceModel.
   * The download's base URL is the main process's business (env PSS_TORCHVISION_BASE_URL), never an argument.
   */
  downloadTorchvisionModel: z.object({ file: z.enum(TORCHVISION_FILES) }).strict(),

  // ---------- farm mode (runs on BullMQ workers; the settings are the studio's, not the project's) ----------
  farmStatus: z.object({}).strict(),
  /** Turns farm mode on or off; a URL (redis:// or rediss://) replaces the stored one. Enabling checks the farm answers. */
  setFarm: z.object({ enabled: z.boolean(), url: z.string().min(1).max(2048).optional() }).strict(),
} as const

export type ApiMethod = keyof typeof apiSchemas
export type ApiArgs<M extends ApiMethod> = z.input<(typeof apiSchemas)[M]>
export type ApiParsedArgs<M extends ApiMethod> = z.output<(typeof apiSchemas)[M]>

/** Result type of each method. */
export interface ApiResults {
  appInfo: AppInfo
  recentProjects: RecentProject[]
  createProject: ProjectInfo
  openProject: ProjectInfo
  closeProject: { closed: boolean }
  pickDirectory: { path: string | null }
  pickFile: { path: string | null }
  listAlbums: Album[]
  listSources: SourceDataset[]
  renameAlbum: Album
  deleteAlbum: { deleted: boolean }
  albumDeletionPreview: AlbumDeletion
  listImages: ImagePage
  getImage: ImageDetail
  setImageTags: ImageDetail
  importFolder: StartedJob
  importPis: StartedJob
  importVoc: StartedJob
  listJobs: JobRecord[]
  getJob: JobRecord
  cancelJob: JobRecord

  // ---------- runs, metrics and results ----------
  startRun: StartedRun
  startRuns: StartedRuns
  listRuns: RunSummary[]
  getRun: RunDetail
  runImageMetrics: RunImageMetric[]
  deleteRun: { deleted: boolean }

  // ---------- clustering ----------
  clusterAlbum: StartedJob
  listClusterings: ClusteringInfo[]

  // ---------- annotation ----------
  saveMask: SavedMask
  listMaskVersions: MaskVersion[]
  restoreMaskVersion: SavedMask
  setAnnotationStatus: { imageId: number; status: AnnotationStatus }
  annotationQueue: AnnotationQueue
  makeSplit: SplitInfo
  getSplit: SplitInfo | null
  exportMasks: ExportSummary
  startMaskExport: StartedJob
  maskProposals: MaskProposalSource[]

  // ---------- insight ----------
  insightImages: InsightPage
  clusterOverview: ClusterOverview
  computeEmbedding: StartedJob
  albumEmbedding: AlbumEmbedding | null
  projectResults: ProjectResults

  // ---------- snapshots ----------
  runSnapshots: RunSnapshots
  evaluateSnapshots: StartedJob

  // ---------- coseg ----------
  startCoseg: StartedJob

  // ---------- explain ----------
  explainRegion: ExplainedRegion

  // ---------- click masks ----------
  clickMaskMap: ClickMaskMap

  // ---------- variants ----------
  predictVariant: StartedVariant
  listVariants: VariantInfo[]

  // ---------- source models ----------
  addSourceModel: SourceModel
  listSourceModels: SourceModel[]
  inspectSourceModel: SourceModelInspection
  downloadTorchvisionModel: StartedJob
  farmStatus: FarmStatus
  setFarm: FarmStatus
}

/** The façade every door exposes. Arguments are the *input* shape (defaults optional). */
export type StudioApi = {
  [M in ApiMethod]: (args: ApiArgs<M>) => Promise<ApiResults[M]>
}

/** Method names as a plain array, for the preload (which exposes one named function per method). */
export const API_METHODS = Object.keys(apiSchemas) as ApiMethod[]

// ---------- events ----------

export interface StudioEvents {
  /** A job was created, progressed, or ended. */
  job: JobRecord
  /** Albums, images, masks or sources changed (refresh lists). */
  library: { albumId?: number; sourceId?: number; reason: string }
  /** The open project changed (opened, closed, created). */
  project: ProjectInfo | null
  /**
   * The open project's folder was moved, deleted or replaced: every write is refused from now on (the
   * message says so and why); the UI offers to reopen the project from its new place or to close it.
   */
  projectFolder: { path: string; message: string }
  /** An album run started, progressed (its live numbers) or ended (its final status). */
  run: RunEvent
}
export type StudioEventName = keyof StudioEvents
export const EVENT_NAMES: StudioEventName[] = ['job', 'library', 'project', 'projectFolder', 'run']

// ---------- errors ----------

/** Error codes a method may fail with; the message is for people, the code for programs. */
export const ErrorCode = {
  BadArguments: 'BAD_ARGUMENTS',
  NoProject: 'NO_PROJECT',
  NotFound: 'NOT_FOUND',
  Conflict: 'CONFLICT',
  Locked: 'PROJECT_LOCKED',
  Io: 'IO_ERROR',
  Unsupported: 'UNSUPPORTED',
  Internal: 'INTERNAL',
} as const
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode]

/** The serialisable error shape that crosses every door. */
export interface ApiErrorPayload {
  code: ErrorCode
  message: string
  /** For BAD_ARGUMENTS: which fields and why. */
  issues?: { path: string; message: string }[]
}

/** Turns a zod error into the issues list of an ApiErrorPayload ("limit: must be ≤ 1000"). */
export function describeZodError(err: z.ZodError): { path: string; message: string }[] {
  return err.issues.map((i) => ({ path: i.path.join('.') || '(arguments)', message: i.message }))
}
