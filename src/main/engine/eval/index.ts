/**
 * Segmentation metrics of the PSS paper (docs/method.md §6): confusion matrix, MIoU in the released-code
 * (absent = 0, mean over all classes), mmsegmentation (present classes only) and paper (object
 * classes in the GT, background excluded) conventions, per-image FIoU, per-user and mean-over-users
 * tables, the ceilings (perfect and ideal stride-s predictions) and the label-map resize used to
 * score a prediction of another size. Pure functions on typed arrays, plus the folder scorer behind
 * `pss-studio eval`. Values are fractions (0–1); reports multiply by 100.
 */
export {
  IOU_EPSILON,
  absentClasses,
  addToConfusion,
  confusionMatrix,
  emptyConfusion,
  iouPerClass,
  iouPerClassPresent,
  miouAll21,
  miouPaper,
  miouPresent,
  objectClassesInGt,
  nanMean,
  sumConfusions,
  type Confusion,
} from './confusion'
export { fiouImage } from './fiou'
export {
  alignCornersTaps,
  ceilings,
  gridSide,
  nodeClasses,
  ownerIndex,
  perfectPrediction,
  strideIdealPrediction,
  upsampleNodeClasses,
  type CeilingScores,
  type CeilingUser,
  type Ceilings,
  type StrideGeometry,
} from './ceilings'
export { nearestIndexMap, resizeLabelsNearest } from './resize-nearest'
export {
  UserEvaluation,
  meanOverUsers,
  type ImageScore,
  type MeanOverUsers,
  type UserMetrics,
} from './user-metrics'
export { EvalInputError, evaluateLabelDirs, type LabelDirsOptions, type LabelDirsReport } from './label-dirs'
