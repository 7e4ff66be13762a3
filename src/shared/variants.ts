/**
 * Prediction variants of a finished album run (issue 7): the run's album predicted again with the run's
 * own model (the snapshot its predictions came from) and test-time augmentation, the dense CRF, or both,
 * scored on the run's validation images with the run's mask versions. A variant lives in its run's
 * folder (runs/<id>/variants/<variant>/: predictions and variant.json) and is replaced when made again.
 * No Node or DOM imports: bundled into main and renderer.
 */
import type { AlbumScores } from './runs'

export const VARIANT_KINDS = ['tta', 'crf', 'tta-crf'] as const
export type VariantKind = (typeof VARIANT_KINDS)[number]

export function isVariantKind(v: string): v is VariantKind {
  return (VARIANT_KINDS as readonly string[]).includes(v)
}

/** The variant of a pair of options; null when both are off (that is the run itself). */
export function variantKindOf(tta: boolean, crf: boolean): VariantKind | null {
  return tta && crf ? 'tta-crf' : tta ? 'tta' : crf ? 'crf' : null
}

export function variantOptions(v: VariantKind): { tta: boolean; crf: boolean } {
  switch (v) {
    case 'tta':
      return { tta: true, crf: false }
    case 'crf':
      return { tta: false, crf: true }
    case 'tta-crf':
      return { tta: true, crf: true }
    default:
      return exhaustive(v)
  }
}

function exhaustive(x: never): never {
  throw new Error(`unknown variant ${String(x)}`)
}

export const VARIANT_LABELS: Record<VariantKind, string> = {
  tta: '+ TTA',
  crf: '+ CRF',
  'tta-crf': '+ TTA + CRF',
}

/** "No-DA #5 + CRF": the run's display name (run-names.ts runName) and the variant. */
export function variantTitle(runName: string, v: VariantKind): string {
  return `${runName} ${VARIANT_LABELS[v]}`
}

/** What predicting the album with the variant cost (wall time, measured in the inference worker). */
export interface VariantCost {
  /** Images predicted. */
  images: number
  /** Wall seconds of the variant's inference (worker start to the last prediction written). */
  seconds: number
  /** Wall seconds per predicted image inside the worker (decode, network, CRF, writes). */
  secondsPerImage: number
  /** The network part per image: all TTA passes, or the one plain pass. */
  predictSecondsPerImage: number
  /** One plain pass per image (scale 1, no flip), the cost without TTA; null when not measured. */
  plainSecondsPerImage: number | null
  /** The dense CRF per image; null without CRF. */
  crfSecondsPerImage: number | null
  /** Forward passes per batch (1 without TTA). */
  passes: number
}

export interface VariantImageScore {
  imageId: number
  /** The mask version it was scored against (the run's). */
  maskVersion: number
  fiou: number
}

export interface VariantOptionsUsed {
  /** TTA scales and flip, null when off. */
  tta: { scales: number[]; flip: boolean } | null
  /** Dense CRF parameters (DeepLab defaults), null when off. */
  crf: {
    iterations: number
    bilateral: { weight: number; xyStd: number; rgbStd: number }
    spatial: { weight: number; xyStd: number }
  } | null
}

export interface VariantInfo {
  runId: number
  variant: VariantKind
  /** 'done': stored in the run folder; 'queued'/'running': a job is making it (again). */
  status: 'done' | 'queued' | 'running'
  /** The job making it (queued/running), else the job that made it. */
  jobId: number | null
  createdAt: string | null
  /** The stage and snapshot iteration it predicted with (the run's own). */
  checkpoint: { stage: string; iteration: number } | null
  /**
   * False when the run now predicts with another snapshot than the variant did (its snapshots were
   * re-evaluated after the variant was made): the variant no longer refines the run's predictions.
   */
  current: boolean
  backend: string | null
  options: VariantOptionsUsed | null
  metrics: AlbumScores | null
  /** IoU per class (released-code convention), in class order; empty until done. */
  perClass: number[]
  perImage: VariantImageScore[]
  cost: VariantCost | null
  /** Progress of a running job. */
  live: { done: number; total: number; message: string } | null
}

/** Media refs of a variant's predictions (resolved strictly inside runs/<run>/variants/<variant>/predictions/). */
export const variantPredictionRef = {
  label: (runId: number, v: VariantKind, imageId: number): string => `predv/${runId}/${v}/${imageId}`,
  color: (runId: number, v: VariantKind, imageId: number): string => `predv/${runId}/${v}/${imageId}/color`,
}

/** What predictVariant answers: the job that makes the variant. */
export interface StartedVariant {
  jobId: number
  runId: number
  variant: VariantKind
}
