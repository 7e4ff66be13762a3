/**
 * FIoU of one image (docs/method.md §6; the released code's `eval_UDA.single_image_iou`): the IoU of
 * "foreground" taken as one region, where a pixel only counts as found if its class is right too.
 *
 *   inter = #{pred = gt and pred > 0}
 *   union = #{pred > 0 or gt > 0}      — GT 255 (void) is > 0, so void counts as foreground here
 *   FIoU  = inter / union, and 0 when union = 0 (an image with no foreground anywhere)
 *
 * Void is never equal to a prediction (predictions are classes < numClasses), so void pixels can only
 * grow the union. A fraction (0–1).
 */
import { IGNORE_INDEX, NUM_CLASSES } from '../../../shared/voc'
import { badGtLabel, badPredLabel, checkNumClasses, checkPair } from './confusion'

export function fiouImage(gt: Uint8Array, pred: Uint8Array, numClasses: number = NUM_CLASSES): number {
  checkNumClasses(numClasses)
  checkPair(gt, pred)
  let inter = 0
  let union = 0
  for (let i = 0; i < gt.length; i++) {
    const p = pred[i]!
    const g = gt[i]!
    if (p >= numClasses) throw badPredLabel(p, i, numClasses)
    if (g >= numClasses && g !== IGNORE_INDEX) throw badGtLabel(g, i, numClasses)
    if (p > 0 || g > 0) union++
    if (p > 0 && p === g) inter++
  }
  return union === 0 ? 0 : inter / union
}
