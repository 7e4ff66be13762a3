/**
 * Runs and their results, as the API returns them (plain data, no Node or DOM imports).
 *
 * A run is one of:
 *   - kind 'source': a model trained on the project's labelled source dataset (reused by album runs that
 *     ask for the same training config on the same source masks);
 *   - kind 'album': a method applied to an album — the source model, optionally adapted to the album,
 *     predicts every album image and is scored on the album's active validation split.
 *
 * Metric values are FRACTIONS (0–1), exactly as stored; the UI and the CLI show percent with 2 decimals.
 * Conventions (docs/method.md §6), stated wherever they are shown:
 *   - miouPaper: mean IoU over the object classes (1..20) present in the album's GT, background excluded
 *     (the paper's Tables 2 and 7);
 *   - miouAll21: IoU per class with absent classes counted as 0, mean over all 21 classes (what the
 *     released code prints, not the paper's tables);
 *   - miouPresent: classes absent from both GT and prediction skipped (mmsegmentation / ADVENT);
 *   - fiou: mean over the scored images of the per-image foreground IoU (GT void counts in the union).
 * Scoring is at each image's original resolution (predictions are written at original size).
 */
import { isStudioMethod, STUDIO_METHOD_NAMES, STUDIO_METHODS, type StudioMethodName } from './methods'

/**
 * Methods an album run can use: the studio method table (./methods.ts) owns the names, labels and what
 * each method needs; these are its views under the names the callers use.
 */
export const RUN_METHODS: readonly RunMethod[] = STUDIO_METHOD_NAMES
export type RunMethod = StudioMethodName

export function isRunMethod(m: string): m is RunMethod {
  return isStudioMethod(m)
}

export const RUN_METHOD_LABELS = Object.fromEntries(
  STUDIO_METHOD_NAMES.map((m) => [m, STUDIO_METHODS[m].label]),
) as Record<RunMethod, string>

export const RUN_KINDS = ['source', 'album'] as const
export type RunKind = (typeof RUN_KINDS)[number]

export const RUN_STATUSES = ['queued', 'running', 'done', 'failed', 'cancelled'] as const
export type RunStatus = (typeof RUN_STATUSES)[number]

/** The chain every album run goes through: source model → (adaptation) → predict → score → store. */
export const RUN_PHASES = ['source', 'adapt', 'predict', 'score', 'snapshots', 'store'] as const
export type RunPhase = (typeof RUN_PHASES)[number]

export const RUN_PHASE_LABELS: Record<RunPhase, string> = {
  source: 'Training the source model',
  adapt: 'Adapting to the album',
  predict: 'Predicting the album',
  score: 'Scoring the validation images',
  snapshots: 'Evaluating the snapshots',
  store: 'Storing the results',
}

/** Training defaults of a studio run (the compact net; the same as `pss-studio demo`). */
export const RUN_DEFAULTS = {
  iterations: 500,
  size: 64,
  seed: 0,
  batch: 4,
  width: 16,
  lr: 0.05,
  inferBatch: 8,
  /** Iterations of each adaptation stage (adaptive methods). */
  adaptIterations: 100,
  /** Discriminator width: 16 keeps adversarial steps affordable on a CPU (ADVENT uses 64). */
  ndf: 16,
} as const

/** Live progress of a running run (from the job's worker messages; null once it ended). */
export interface RunLive {
  phase: RunPhase
  /** Iterations while training, images while predicting/scoring. */
  done: number
  total: number
  /** Latest training loss (null outside training). */
  loss: number | null
  /** Steps (training) or images per second, as the job reports it; absent in runs recorded before. */
  rate?: number | null
  unit?: 'images' | 'steps'
  /** Seconds left in the whole chain (not just this phase). */
  etaSeconds: number | null
  message: string
}

/**
 * A `run` event: an album run started, progressed or ended. Progress carries the same live numbers the
 * run record's `live` holds, so the runs view updates one row without asking for the record; `started`
 * and `ended` (with the final status) tell it when the full record is worth reading again.
 */
export interface RunEvent {
  runId: number
  albumId: number | null
  change: 'started' | 'progress' | 'ended'
  status: RunStatus
  /** The live progress (progress events); null when the run starts or ends. */
  live: RunLive | null
}

/** Per-album summary, fractions (0–1). */
export interface AlbumScores {
  /** Validation images scored. */
  images: number
  fiou: number
  miouAll21: number
  /** Null when no class is present in GT or prediction (e.g. every GT pixel void). */
  miouPresent: number | null
  /** The paper's Tables 2/7 MIoU; null when the GT holds no object class (background and void only). */
  miouPaper: number | null
}

/** One class of the per-class table (paper Tables 7/8). */
export interface ClassScore {
  classId: number
  name: string
  /** IoU, released-code convention (a class absent from GT and prediction scores 0). */
  iou: number
  /** IoU, mmsegmentation convention (null when absent from GT and prediction). */
  iouPresent: number | null
  /** Scored images whose ground truth contains the class. */
  images: number
}

export interface LossPoint {
  iteration: number
  loss: number
}

/** Seconds spent in each phase of the chain (null: the phase did not run, e.g. a reused source model). */
export interface RunDurations {
  source: number | null
  adapt: number | null
  predict: number | null
  score: number | null
  total: number | null
}

/** What startRun answers: the job that runs the chain and the album run it fills. */
export interface StartedRun {
  jobId: number
  runId: number
}

/** A run started on many albums at once: the runs started, and the albums left out with the reason. */
export interface StartedRuns {
  started: (StartedRun & { albumId: number })[]
  skipped: { albumId: number; album: string; reason: string }[]
}

export interface RunSummary {
  id: number
  kind: RunKind
  method: string
  albumId: number | null
  albumName: string | null
  status: RunStatus
  /** The config the run was started with (method, iterations, size, seed, source run…). */
  config: Record<string, unknown>
  /** The source run an album run predicts with (null for a source run). */
  sourceRunId: number | null
  seed: number | null
  /** The compute backend it ran on (tfjs-node, wasm, …), once known. */
  backend: string | null
  codeVersion: string | null
  /** The validation split it was evaluated on, and that split's version in its album. */
  splitId: number | null
  splitVersion: number | null
  /**
   * A fingerprint of the exact (image, mask version) pairs it was scored on (or trained on, for a source
   * run): two runs with different fingerprints were not measured on the same masks.
   */
  maskSet: string | null
  jobId: number | null
  error: string | null
  createdAt: string
  finishedAt: string | null
  /** Per-album summary once scored. */
  metrics: AlbumScores | null
  live: RunLive | null
}

export interface RunDetail extends RunSummary {
  durations: RunDurations
  /** The 21 classes, in class order. Empty until scored. */
  perClass: ClassScore[]
  /** Confusion matrix over the scored images (rows = ground truth, columns = prediction); null until scored. */
  confusion: number[][] | null
  /** Training loss per iteration of the source model it used. */
  lossCurve: LossPoint[]
  /** Total objective per iteration of each adaptation stage it trained (adaptive methods), in chain order. */
  stageCurves: { stage: string; points: LossPoint[] }[]
  /** How many images (with their mask versions) the run was scored on / trained on. */
  maskCount: number
}

export interface RunImageMetric {
  imageId: number
  name: string
  /** The mask version it was scored against. */
  maskVersion: number
  fiou: number
  /** Media refs of the prediction: the label PNG (VOC palette) and its colour rendering. */
  media: { prediction: string; color: string }
}

/** Media refs of a run's predictions (resolved strictly inside <project>/runs/<runId>/predictions/). */
export const predictionRef = {
  label: (runId: number, imageId: number): string => `pred/${runId}/${imageId}`,
  color: (runId: number, imageId: number): string => `pred/${runId}/${imageId}/color`,
}

/** True when two scored album runs were measured on the same split and the same mask versions. */
export function comparableRuns(
  a: Pick<RunSummary, 'splitId' | 'maskSet'>,
  b: Pick<RunSummary, 'splitId' | 'maskSet'>,
): boolean {
  return a.splitId === b.splitId && a.maskSet === b.maskSet
}
