/**
 * The training engine: backend selection, the project's training kernels, models, losses and training
 * primitives. Training blocks its thread for 0.1–3 s per step, so this runs in a worker thread, never in
 * the Electron main process or the renderer.
 */
export * from './backend'
export {
  registerTrainingKernels,
  unregisterTrainingKernels,
  trainingKernelsRegistered,
} from './kernels/register'
export { atrousConv2d, type AtrousConvArgs, type AtrousImpl } from './ops/atrous-conv2d'
export * from './losses'
export * from './models'
export { Rng } from './train/rng'
export { polyLr } from './train/schedule'
export { SgdMomentum, Adam, type OptimizerState, type NamedGrads } from './train/optimizers'
export {
  planAugment,
  augmentImage,
  augmentLabel,
  type AugmentOptions,
  type AugmentPlan,
} from './train/augment'
export {
  supervisedStep,
  adventStep,
  segmentationLoss,
  namedGrads,
  ADVENT_WEIGHTS,
  type LabelledBatch,
  type AdventResult,
  type SupervisedResult,
} from './train/steps'
