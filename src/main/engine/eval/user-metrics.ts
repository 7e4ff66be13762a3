/**
 * Per-user (album) metrics and the mean-over-users table (docs/method.md §6):
 * - one confusion matrix over all the user's labelled images → per-class IoU, MIoU in the three
 *   conventions (all21 = released code's printout, present = mmsegmentation, paper = Tables 2/7);
 * - FIoU of the user = mean of its images' FIoU;
 * - per class, the number of images whose GT contains it (paper Tables 7/8);
 * - the paper's "Mean" column = the mean of the per-user numbers (not one pooled matrix).
 * Fractions (0–1) throughout; NaN where a value is undefined (see each field).
 */
import { IGNORE_INDEX, NUM_CLASSES } from '../../../shared/voc'
import {
  absentClasses,
  addToConfusion,
  emptyConfusion,
  iouPerClass,
  iouPerClassPresent,
  miouAll21,
  miouPaper,
  miouPresent,
  nanMean,
  type Confusion,
} from './confusion'
import { fiouImage } from './fiou'

export interface ImageScore {
  name: string
  /** FIoU of this image (0–1). */
  fiou: number
}

export interface UserMetrics {
  numClasses: number
  images: number
  confusion: Confusion
  /** IoU per class, released-code convention (absent classes 0). */
  perClass: Float64Array
  /** IoU per class, mmsegmentation convention (absent classes NaN). */
  perClassPresent: Float64Array
  /** Number of images whose GT holds at least one pixel of the class. */
  perClassImages: Uint32Array
  /** Classes in neither GT (void excluded) nor prediction: skipped by miouPresent. */
  absentClasses: number[]
  /** Mean of perClass over all numClasses classes. */
  miouAll21: number
  /** Mean of perClassPresent over present classes; NaN when no class is present (all GT void, …). */
  miouPresent: number
  /** The paper's Tables 2/7: mean perClass over object classes (1..) in the GT; NaN if the GT has none. */
  miouPaper: number
  /** Mean FIoU over the images; NaN with no images. */
  fiou: number
  perImage: ImageScore[]
}

/** Accumulates one user's labelled images, one pair at a time (no image is kept). */
export class UserEvaluation {
  readonly numClasses: number
  private readonly confusion: Confusion
  private readonly classImages: Uint32Array
  private readonly scores: ImageScore[] = []

  constructor(numClasses: number = NUM_CLASSES) {
    this.confusion = emptyConfusion(numClasses)
    this.numClasses = numClasses
    this.classImages = new Uint32Array(numClasses)
  }

  /** Scores one image pair of equal size (resize a prediction first) and adds it to the user. */
  add(name: string, gt: Uint8Array, pred: Uint8Array): ImageScore {
    // FIoU first: it checks both maps fully, so a bad pair throws before the matrix is touched.
    const score: ImageScore = { name, fiou: fiouImage(gt, pred, this.numClasses) }
    addToConfusion(this.confusion, gt, pred)
    const seen = new Uint8Array(256)
    for (let i = 0; i < gt.length; i++) seen[gt[i]!] = 1
    for (let c = 0; c < this.numClasses; c++) if (seen[c] && c !== IGNORE_INDEX) this.classImages[c]! += 1
    this.scores.push(score)
    return score
  }

  result(): UserMetrics {
    const confusion: Confusion = { numClasses: this.numClasses, counts: this.confusion.counts.slice() }
    return {
      numClasses: this.numClasses,
      images: this.scores.length,
      confusion,
      perClass: iouPerClass(confusion),
      perClassPresent: iouPerClassPresent(confusion),
      perClassImages: this.classImages.slice(),
      absentClasses: absentClasses(confusion),
      miouAll21: miouAll21(confusion),
      miouPresent: miouPresent(confusion),
      miouPaper: miouPaper(confusion),
      fiou: mean(this.scores.map((s) => s.fiou)),
      perImage: this.scores.slice(),
    }
  }
}

function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN
  let sum = 0
  for (const v of values) sum += v
  return sum / values.length
}

export interface MeanOverUsers {
  users: number
  /** Total images over the users. */
  images: number
  fiou: number
  miouAll21: number
  /** Mean of the users' miouPresent, skipping users where it is NaN. */
  miouPresent: number
  /** Mean of the users' miouPaper (the paper's "Mean" column), skipping users where it is NaN. */
  miouPaper: number
  /** Per class: mean over users of the released-code IoU (a user without the class counts 0). */
  perClass: Float64Array
  /** Per class: mean over the users where the class is present (NaN if in none). */
  perClassPresent: Float64Array
  /** Per class: images containing it, summed over users. */
  perClassImages: Uint32Array
}

/** The paper's "Mean" column: every number is the mean of the per-user numbers. */
export function meanOverUsers(users: readonly UserMetrics[]): MeanOverUsers {
  const first = users[0]
  if (!first) throw new RangeError('mean over users of no users')
  const n = first.numClasses
  if (users.some((u) => u.numClasses !== n)) throw new RangeError('users scored with different class counts')
  const perClass = new Float64Array(n)
  const perClassPresent = new Float64Array(n)
  const perClassImages = new Uint32Array(n)
  for (let c = 0; c < n; c++) {
    perClass[c] = mean(users.map((u) => u.perClass[c]!))
    perClassPresent[c] = nanMean(users.map((u) => u.perClassPresent[c]!))
    perClassImages[c] = users.reduce((s, u) => s + u.perClassImages[c]!, 0)
  }
  return {
    users: users.length,
    images: users.reduce((s, u) => s + u.images, 0),
    fiou: mean(users.map((u) => u.fiou)),
    miouAll21: mean(users.map((u) => u.miouAll21)),
    miouPresent: nanMean(users.map((u) => u.miouPresent)),
    miouPaper: nanMean(users.map((u) => u.miouPaper)),
    perClass,
    perClassPresent,
    perClassImages,
  }
}
