/**
 * Confusion matrix and class IoU, exactly as docs/method.md §6 and the released PSS code
 * (advent/utils/func.py: `fast_hist`, `per_class_iu`) define them.
 *
 * All values here are fractions (0–1); percent is for reports.
 *
 * Domain of the inputs (checked, a RangeError otherwise):
 * - ground truth: classes 0..numClasses-1, or 255 (void). Void pixels are left out of the matrix,
 *   like `fast_hist`'s mask on the GT.
 * - prediction: classes 0..numClasses-1 at EVERY pixel. The reference bins `numClasses·gt + pred`,
 *   which is only meaningful for pred < numClasses (a larger value would land in the next GT row or
 *   break the reshape); its predictions are argmax outputs and never hold 255. So a prediction with
 *   255 or any value ≥ numClasses is refused rather than given a meaning the reference never had.
 */
import { IGNORE_INDEX, NUM_CLASSES } from '../../../shared/voc'

/**
 * ε of the released code's `per_class_iu`: `np.finfo(float).eps` = 2⁻⁵², which is Number.EPSILON.
 * It makes a class absent from both GT and prediction score 0/(0+ε) = 0 instead of NaN.
 */
export const IOU_EPSILON = Number.EPSILON

/** A numClasses × numClasses count matrix, row-major: rows = ground truth, columns = prediction. */
export interface Confusion {
  readonly numClasses: number
  /** counts[g * numClasses + p] = pixels with GT g predicted as p. Float64: exact up to 2⁵³ pixels. */
  readonly counts: Float64Array
}

export function checkNumClasses(numClasses: number): void {
  // 255 is the void label, so at most 255 classes (0..254) can be told apart from it.
  if (!Number.isInteger(numClasses) || numClasses < 1 || numClasses > IGNORE_INDEX) {
    throw new RangeError(`numClasses must be an integer from 1 to ${IGNORE_INDEX}, got ${numClasses}`)
  }
}

export function emptyConfusion(numClasses: number = NUM_CLASSES): Confusion {
  checkNumClasses(numClasses)
  return { numClasses, counts: new Float64Array(numClasses * numClasses) }
}

/** Throws unless gt and pred are label maps of the same length. */
export function checkPair(gt: Uint8Array, pred: Uint8Array): void {
  if (gt.length !== pred.length) {
    throw new RangeError(
      `ground truth and prediction differ in size (${gt.length} vs ${pred.length} pixels); resize the prediction first`,
    )
  }
}

export function badGtLabel(label: number, at: number, numClasses: number): RangeError {
  return new RangeError(
    `ground truth holds label ${label} at pixel ${at}; allowed 0–${numClasses - 1} and ${IGNORE_INDEX} (void)`,
  )
}

export function badPredLabel(label: number, at: number, numClasses: number): RangeError {
  return new RangeError(
    `prediction holds label ${label} at pixel ${at}; a prediction must be a class 0–${numClasses - 1} at every pixel`,
  )
}

/** Adds one image's pixels to `conf` (the per-user matrix accumulates over all its images). */
export function addToConfusion(conf: Confusion, gt: Uint8Array, pred: Uint8Array): void {
  checkPair(gt, pred)
  const n = conf.numClasses
  const counts = conf.counts
  for (let i = 0; i < gt.length; i++) {
    const p = pred[i]!
    if (p >= n) throw badPredLabel(p, i, n)
    const g = gt[i]!
    if (g === IGNORE_INDEX) continue
    if (g >= n) throw badGtLabel(g, i, n)
    counts[g * n + p]! += 1
  }
}

/** The confusion matrix of one image pair. */
export function confusionMatrix(
  gt: Uint8Array,
  pred: Uint8Array,
  numClasses: number = NUM_CLASSES,
): Confusion {
  const conf = emptyConfusion(numClasses)
  addToConfusion(conf, gt, pred)
  return conf
}

/** Sums matrices of the same size (e.g. a user's images computed separately). */
export function sumConfusions(numClasses: number, parts: readonly Confusion[]): Confusion {
  const out = emptyConfusion(numClasses)
  for (const part of parts) {
    if (part.numClasses !== numClasses) {
      throw new RangeError(
        `cannot add a ${part.numClasses}-class confusion matrix to a ${numClasses}-class one`,
      )
    }
    for (let i = 0; i < out.counts.length; i++) out.counts[i]! += part.counts[i]!
  }
  return out
}

interface ClassAreas {
  /** Diagonal: pixels of class c predicted as c. */
  intersection: Float64Array
  /** Row sum + column sum − diagonal: pixels that are c in GT or prediction. */
  union: Float64Array
}

function classAreas(conf: Confusion): ClassAreas {
  const n = conf.numClasses
  const intersection = new Float64Array(n)
  const union = new Float64Array(n)
  for (let c = 0; c < n; c++) {
    let row = 0
    let col = 0
    for (let k = 0; k < n; k++) {
      row += conf.counts[c * n + k]!
      col += conf.counts[k * n + c]!
    }
    const diag = conf.counts[c * n + c]!
    intersection[c] = diag
    union[c] = row + col - diag
  }
  return { intersection, union }
}

/** IoU_c = diag / (row + col − diag + ε): the released code's per-class IoU (absent classes → 0). */
export function iouPerClass(conf: Confusion): Float64Array {
  const { intersection, union } = classAreas(conf)
  return intersection.map((inter, c) => inter / (union[c]! + IOU_EPSILON))
}

/**
 * IoU_c = diag / union with union = 0 → NaN: mmsegmentation's per-class IoU, where NaN marks a class
 * absent from both GT (void excluded) and prediction.
 */
export function iouPerClassPresent(conf: Confusion): Float64Array {
  const { intersection, union } = classAreas(conf)
  return intersection.map((inter, c) => (union[c]! > 0 ? inter / union[c]! : Number.NaN))
}

/** Classes with union 0: in neither the GT (outside void) nor the prediction of any scored pixel. */
export function absentClasses(conf: Confusion): number[] {
  const { union } = classAreas(conf)
  const out: number[] = []
  union.forEach((u, c) => {
    if (u === 0) out.push(c)
  })
  return out
}

/** Mean of the values that are not NaN; NaN when there are none (numpy's nanmean, minus the warning). */
export function nanMean(values: ArrayLike<number>): number {
  let sum = 0
  let count = 0
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!
    if (Number.isNaN(v)) continue
    sum += v
    count++
  }
  return count === 0 ? Number.NaN : sum / count
}

/**
 * MIoU over all numClasses classes (21 for VOC), absent classes counting 0: what the released code
 * prints — NOT the number in the paper's tables (that is miouPaper). An empty matrix (every GT pixel
 * void) scores 0.
 */
export function miouAll21(conf: Confusion): number {
  const iou = iouPerClass(conf)
  let sum = 0
  for (const v of iou) sum += v
  return sum / iou.length
}

/** MIoU over the classes present in GT or prediction (mmsegmentation/ADVENT); NaN when none is. */
export function miouPresent(conf: Confusion): number {
  return nanMean(iouPerClassPresent(conf))
}

/** Object classes (1..numClasses-1, background 0 excluded) with at least one GT pixel (void excluded). */
export function objectClassesInGt(conf: Confusion): number[] {
  const n = conf.numClasses
  const out: number[] = []
  for (let c = 1; c < n; c++) {
    let row = 0
    for (let k = 0; k < n; k++) row += conf.counts[c * n + k]!
    if (row > 0) out.push(c)
  }
  return out
}

/**
 * The paper's MIoU (Tables 2 and 7, docs/method.md §6): mean IoU over the OBJECT classes 1..numClasses-1
 * present in the user's ground truth; background is left out, and so is a class that is only
 * predicted (its false-positive pixels still lower the IoU of the GT classes they were taken from).
 * Seven rows of Table 7 reproduce Table 2 exactly this way. Per-class
 * IoU is the released code's diag/(row+col−diag+ε); a GT-present class has union ≥ 1, so ε only
 * matters below 1e-15. NaN when the GT holds no object pixel (nothing to average).
 */
export function miouPaper(conf: Confusion): number {
  const classes = objectClassesInGt(conf)
  if (classes.length === 0) return Number.NaN
  const iou = iouPerClass(conf)
  let sum = 0
  for (const c of classes) sum += iou[c]!
  return sum / classes.length
}
