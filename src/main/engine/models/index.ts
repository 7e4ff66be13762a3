export * from './config'
export { ParamStore } from './params'
export { SegNet, upsampleLogits, MIN_INPUT_SIDE, type SegmentationModel, type SegOutputs } from './segnet'
export { Discriminator } from './discriminator'
export { createModel, createDiscriminator, MODEL_KINDS, type ModelKind } from './registry'
export { normalizeImages, IMAGENET_MEAN, IMAGENET_STD } from './preprocess'
export {
  fileHandler,
  saveParams,
  loadNamedWeights,
  applyWeights,
  WeightsFileError,
  type ApplyReport,
} from './weights-io'
export { vgg16Bn, VGG16_OS8, type VggBlock } from './vgg16'
export {
  groupContext,
  softRegions,
  regionMatrix,
  contextChannels,
  GROUP_SCALE_FACTOR,
  FUSION_DROPOUT,
  type GroupContextOptions,
} from './group-context'
