/** The adaptation methods (method.md §4, §5, §7): registry, steps, pseudo labels, and the adaptation loop. */
export * from './registry'
export * from './adapt-config'
export {
  methodStep,
  type AdaptBatch,
  type AdaptModels,
  type AdaptOptimizers,
  type StepLosses,
  type StepRates,
} from './steps'
export { fdaSourceToTarget, fdaBatch, fdaBand } from './fda'
export {
  selectPixels,
  selectImages,
  selectPseudoLabels,
  writePseudoLabels,
  readPseudoSummary,
  type ImagePrediction,
  type PseudoLabel,
  type PseudoSummary,
} from './pseudo-labels'
export {
  runAdaptation,
  type AdaptCheckpoint,
  type AdaptHooks,
  type AdaptOutcome,
  type AdaptProgress,
  type AdaptStarted,
} from './adapt-loop'
export { readAdaptRunFile, latestAdaptCheckpoint, type AdaptLossPoint } from './adapt-checkpoint'
export { albumBatches, predictAlbumEntropy, writeAlbumPredictions, type AlbumImage } from './predict-album'
