/**
 * The paper's MIoU (Tables 2/7, docs/method.md §6) from stored per-class numbers, for results kept before it
 * was stored or kept without it (run metrics rows, variant records): the mean released-code IoU over the
 * object classes c ≥ 1 whose ground truth is in at least one scored image. "Some scored image's GT holds
 * class c" is exactly "row c of the confusion matrix is not empty", so this equals the engine's
 * miouPaper on the matrix (src/main/engine/eval/confusion.ts). Null when the GT holds no object class.
 */
export function miouPaperFromClasses(
  perClassIou: ArrayLike<number>,
  perClassImages: ArrayLike<number>,
): number | null {
  if (perClassIou.length !== perClassImages.length)
    throw new RangeError(`${perClassIou.length} class IoUs but ${perClassImages.length} class image counts`)
  let sum = 0
  let count = 0
  for (let c = 1; c < perClassIou.length; c++) {
    if (!(perClassImages[c]! > 0)) continue
    sum += perClassIou[c]!
    count++
  }
  return count === 0 ? null : sum / count
}
